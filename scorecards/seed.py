"""The scorecard part of a seeded portfolio (vendors/seed.py): the default template applied
to each vendor through the services from the first day of history, its periods opened up
to today, and every ended period's actuals as they stand once reported and approved (the
measure's rule copied in, a comment on every figure, history beside each row)."""

from datetime import datetime
from datetime import time as dtime
from decimal import Decimal as D

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from scorecards import services
from scorecards.choices import ActualSource, ActualStatus, DataSource
from scorecards.demo import create_default_template
from scorecards.models import Actual, Measure, Period
from vendors.choices import Side
from vendors.seed import Portfolio, clock

ORDER = 20
BATCH = 50  # vendors whose actuals are written together


def seed(portfolio: Portfolio) -> None:
    vera = portfolio.people["vera"]
    with clock(portfolio.start):
        template = create_default_template(by=vera)
    cards = []
    for n, vendor in enumerate(portfolio.vendors, start=1):
        with clock(portfolio.start):
            card = services.template_apply(template, vendor=vendor, by=vera,
                                           starts_on=portfolio.start)
        services.scorecard_periods_ensure(scorecard=card, until=portfolio.today)
        cards.append(card)
        if len(cards) == BATCH or n == len(portfolio.vendors):
            portfolio.made(f"scorecard actuals, {n:,}/{len(portfolio.vendors):,} vendors",
                           _actuals(portfolio, cards))
            cards = []


def _actuals(portfolio: Portfolio, cards: list) -> int:
    measures = list(Measure.objects.filter(objective__perspective__scorecard__in=cards)
                    .exclude(data_source=DataSource.SLA)
                    .select_related("objective__perspective"))
    periods = [p for p in Period.objects.filter(scorecard__in=cards) if p.has_ended]
    of_card: dict = {}
    for p in periods:
        of_card.setdefault(p.scorecard_id, []).append(p)
    rows = []
    for m in measures:
        rng = portfolio.rng("scorecard", m.vendor_id, m.name)
        line, _ = portfolio.owners[m.vendor_id]
        reporter = portfolio.vendor_users[m.vendor_id]
        for p in of_card.get(m.objective.perspective.scorecard_id, []):
            if not m.counts_in(p):
                continue
            value = _value(m, rng)
            ours = m.data_source == DataSource.INTERNAL
            at = timezone.make_aware(datetime.combine(p.ends_on, dtime(17, 0)))
            rows.append(Actual(
                vendor_id=m.vendor_id, measure=m, period=p,
                vendor_value=None if ours else value, internal_value=value if ours else None,
                comment="As reported in the quarterly pack.", status=ActualStatus.APPROVED,
                reported_by=line if ours else reporter,
                reported_side=Side.OURS if ours else Side.VENDOR,
                submitted_at=at, approved_at=at, approved_by=line, source=ActualSource.ENTERED,
                direction=m.direction, target=m.target, amber_threshold=m.amber_threshold,
                red_threshold=m.red_threshold, created_at=at, updated_at=at))
    bulk_create_with_history(rows, Actual, batch_size=2000,
                             default_change_reason="Approved",
                             default_user=portfolio.people["vera"])
    return len(rows) * 2


def _value(m: Measure, rng) -> D:
    """Around the target, now and then past the amber or red threshold."""
    step = abs(m.target - m.red_threshold) or D(1)
    worse = -1 if m.direction == "higher" else 1
    value = m.target + worse * step * D(str(round(max(-1.0, rng.gauss(0.1, 0.6)), 2)))
    if m.min_value is not None:
        value = max(value, m.min_value)
    if m.max_value is not None:
        value = min(value, m.max_value)
    return value.quantize(D("0.01"))
