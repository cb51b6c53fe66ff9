"""The scorecard part of a seeded portfolio (vendors/seed.py): the default template (made
once, through the services) applied to each vendor from the first day of history, its
periods opened up to today, and every ended period's actuals as they stand once reported
and approved (the measure's rule copied in, a comment on every figure, history beside each
row).

`template_apply` and `scorecard_periods_ensure` save one record at a time (about 60 saves
with history a vendor); here the same records (`apply_rows`: the template's active
perspectives, objectives and measures copied field by field as `template_apply` copies
them, the periods from `period_bounds` as `scorecard_periods_ensure` walks them) are
written for a batch of vendors by bulk inserts, level by level, with their history rows,
and the actuals by COPY. tests/vendors/test_seed.py compares the result with
`template_apply`'s."""

from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import Decimal as D

from django.utils import timezone

from scorecards import services
from scorecards.choices import ActualSource, ActualStatus, DataSource
from scorecards.demo import create_default_template
from scorecards.models import (
    Actual,
    Measure,
    Objective,
    Period,
    Perspective,
    Scorecard,
    period_bounds,
)
from vendors.choices import Side
from vendors.seed import Portfolio, clock, copy_with_history

ORDER = 20
BATCH = 50  # vendors whose scorecards are written together


def prepare(portfolio: Portfolio) -> None:
    """The default template, once, before the workers share out the vendors."""
    with clock(portfolio.start):
        portfolio.shared["scorecard_template"] = create_default_template(
            by=portfolio.people["vera"])


def seed(portfolio: Portfolio) -> None:
    template = portfolio.shared["scorecard_template"]
    vendors = portfolio.vendors
    for offset in range(0, len(vendors), BATCH):
        batch = vendors[offset:offset + BATCH]
        with clock(portfolio.start):
            cards, made = apply_rows(template, batch, by=portfolio.people["vera"],
                                     starts_on=portfolio.start, until=portfolio.today)
        made += _actuals(portfolio, cards)
        # The actuals went in by COPY, behind the services: store their periods' scores as
        # the services would have (the heat map and the homes read only stored scores).
        made += services.period_scores_refresh(scorecard_ids=[c.pk for c in cards])
        portfolio.made(f"scorecards and actuals, {offset + len(batch):,}/{len(vendors):,} "
                       "vendors", made)


def _with_history(model, objects: list, *, by) -> int:
    """Bulk insert, and the history rows the services' saves would have written."""
    model.objects.bulk_create(objects)
    model.history.bulk_history_create(objects, default_user=by)
    return len(objects) * 2


def apply_rows(template, vendors: list, *, by, starts_on, until) -> tuple[list, int]:
    """What `services.template_apply(template, vendor=…, by=by, starts_on=starts_on)` then
    `services.scorecard_periods_ensure(…, until=until)` make, for many vendors at once.
    Returns the scorecards and the rows written."""
    tree = [(tp, [(to, list(to.measures.active())) for to in tp.objectives.active()])
            for tp in template.perspectives.active()]
    cards = [Scorecard(vendor=v, template=template, period_type=template.period_type,
                       starts_on=starts_on, name=f"{v} scorecard") for v in vendors]
    made = _with_history(Scorecard, cards, by=by)
    perspectives = [(card, to_objectives, Perspective(
        vendor=card.vendor, scorecard=card, name=tp.name, description=tp.description,
        weight=tp.weight, position=tp.position))
        for card in cards for tp, to_objectives in tree]
    made += _with_history(Perspective, [p for *_, p in perspectives], by=by)
    objectives = [(to_measures, Objective(
        vendor=p.vendor, perspective=p, name=to.name, description=to.description,
        weight=to.weight, position=to.position))
        for _, to_objectives, p in perspectives for to, to_measures in to_objectives]
    made += _with_history(Objective, [o for _, o in objectives], by=by)
    measures = [Measure(vendor=o.vendor, objective=o, template_measure=tm,
                        active_from=starts_on,
                        **{f: getattr(tm, f) for f in services.MEASURE_FIELDS})
                for to_measures, o in objectives for tm in to_measures]
    made += _with_history(Measure, measures, by=by)
    periods = []
    for card in cards:  # scorecard_periods_ensure's walk
        day = card.starts_on
        while day <= until:
            label, start, end = period_bounds(card.period_type, day)
            periods.append(Period(vendor_id=card.vendor_id, scorecard=card, label=label,
                                  starts_on=start, ends_on=end))
            day = end + timedelta(days=1)
    made += _with_history(Period, periods, by=None)
    return cards, made


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
            rows.append({
                "vendor_id": m.vendor_id, "measure_id": m.pk, "period_id": p.pk,
                "vendor_value": None if ours else value,
                "internal_value": value if ours else None,
                "comment": "As reported in the quarterly pack.",
                "status": ActualStatus.APPROVED.value,
                "reported_by_id": line.pk if ours else reporter.pk,
                "reported_side": (Side.OURS if ours else Side.VENDOR).value,
                "submitted_at": at, "approved_at": at, "approved_by_id": line.pk,
                "source": ActualSource.ENTERED.value, "direction": m.direction,
                "target": m.target, "amber_threshold": m.amber_threshold,
                "red_threshold": m.red_threshold, "created_at": at, "updated_at": at})
    return copy_with_history(Actual, rows, reason="Approved", user=portfolio.people["vera"],
                             at=lambda row: row["approved_at"])


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
