"""The reminder part of a seeded portfolio (vendors/seed.py): once every vendor is in, the
outbox's own sweep (`outbox.sweep`, what the periodic task runs) records the reminders
that are due now or within its lookahead — the reviews, action items, health checks and
other dated things the portfolio holds — as it would on a live system."""

from reminders import outbox
from vendors.seed import Portfolio

ORDER = 95


def seed(portfolio: Portfolio) -> None:
    pass  # nothing per vendor: the sweep runs once, over the whole portfolio


def finish(portfolio: Portfolio) -> None:
    result = outbox.sweep()
    portfolio.made("reminders (the outbox's sweep)", result.inserted)

