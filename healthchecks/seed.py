"""The health-check part of a seeded portfolio (vendors/seed.py): through the services,
with the clock set to each day, every health check that came due in the history of each
vendor (its plan's interval, the tier's default, from the first day of history) opened as the periodic job
opens it (`cycle_open`) and, a month later, closed in the quarterly review without a
survey (a skip, with its reason, as `cycle_move` requires; the plan's next due date moves
on). The one due now stays open, planned. Few rows, so the services write them."""

from datetime import timedelta

from healthchecks import selectors, services
from healthchecks.choices import CycleStatus
from sla.rules import add_months
from vendors.seed import Portfolio, clock

ORDER = 80  # after the SLA and scorecards, before governance (the last)
CLOSE_AFTER = timedelta(days=30)


def seed(portfolio: Portfolio) -> None:
    made, vendors = 0, portfolio.vendors
    for n, vendor in enumerate(vendors, start=1):
        made += _cycles(portfolio, vendor)
        if n % 50 == 0 or n == len(vendors):
            portfolio.made(f"health checks, {n:,}/{len(vendors):,} vendors", made)
            made = 0


def _cycles(portfolio: Portfolio, vendor) -> int:
    # The vendor's plan as the services keep it, dated from the first day of history (the
    # vendor's own `created_at` is the day of the seed).
    months = selectors.plan_for(vendor).interval_months
    with clock(portfolio.start):
        due = services.plan_update(vendor=vendor, interval_months=months,
                                   next_due=add_months(portfolio.start, months),
                                   by=portfolio.people["vera"]).next_due
    made = 2
    while due <= portfolio.today:
        with clock(due):
            cycle = services.cycle_open(vendor=vendor, due_on=due)
        made += 2  # the cycle and its history
        closing = due + CLOSE_AFTER
        if closing >= portfolio.today:
            break  # the current one: still planned
        with clock(closing):
            services.cycle_move(cycle, to=CycleStatus.CLOSED, by=portfolio.people["vera"],
                                reason="Discussed in the quarterly review; no survey this "
                                       "time.", notify=False)
            made += 4 + cycle.questions.count()  # history, transition, plan (+ history)
        plan = selectors.plan_for(vendor)
        due = plan.next_due if plan.next_due > due else add_months(due, plan.interval_months)
    return made
