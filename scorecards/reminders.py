"""The reminder about scorecards (`reminders.registry`): actuals missing for a period that
has closed. Registered in `ScorecardsConfig.ready()`.

A period's end is a date of the organisation's calendar; the reminder falls at 09:00 there,
`offset` whole days after the period's last day (`vendors.reminding`). Missing means a
measure that counts in the period (`Measure.counts_in`) and is not fed from an SLA has no
submitted or approved actual. Measures the vendor enters go to the vendor's account team,
those we enter to our line manager, each side told only its own. A locked period, an
archived scorecard or vendor yields nothing; five weeks after its moment a period is
history and no longer chased. Occasion: `period:<id>:actuals` (once per period).
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.urls import reverse

from reminders import registry
from reminders.registry import Due, Kind, Timing
from scorecards.choices import COUNTED_STATUSES, DataSource
from scorecards.models import Actual, Measure, Period
from vendors import reminding
from vendors.reminding import contact_recipient, user_recipient

HORIZON = timedelta(days=100)


def _periods(ids=None):
    rows = Period.objects.filter(locked_at__isnull=True, scorecard__archived_at__isnull=True,
                                 vendor__archived_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.select_related("vendor", "scorecard")


def _missing(periods: list[Period]) -> dict[int, dict[str, list[str]]]:
    """{period id: {"vendor": [measure names], "internal": [...]}} of what has no counted
    actual, for periods missing anything: two queries for any number of periods."""
    if not periods:
        return {}
    measures = defaultdict(list)
    for m in (Measure.objects.filter(objective__perspective__scorecard__in={
            p.scorecard_id for p in periods}).exclude(data_source=DataSource.SLA)
              .select_related("objective__perspective").order_by("position", "id")):
        measures[m.objective.perspective.scorecard_id].append(m)
    counted = set(Actual.objects.filter(period__in=periods, status__in=COUNTED_STATUSES)
                  .values_list("period_id", "measure_id"))
    found = {}
    for p in periods:
        gaps = {"vendor": [], "internal": []}
        for m in measures[p.scorecard_id]:
            if m.counts_in(p) and (p.pk, m.pk) not in counted:
                gaps["vendor" if m.data_source == DataSource.VENDOR else "internal"].append(
                    m.name)
        if gaps["vendor"] or gaps["internal"]:
            found[p.pk] = gaps
    return found


def _closed(*, latest, earliest):
    """Open periods that ended within [earliest, latest]: one query, compiled once
    (`registry.compiled`: the sweep asks every minute)."""
    return _periods().filter(ends_on__lte=latest, ends_on__gte=earliest).order_by("ends_on",
                                                                                 "id")


def actuals_missing(now: datetime, offset: timedelta) -> list[Due]:
    today = reminding.local_today(now)
    latest = today - timedelta(days=offset.days)
    periods = [p for p in registry.compiled("scorecards.actuals_missing", _closed,
                                             latest=latest, earliest=latest - HORIZON)
               if now >= reminding.day_after(p.ends_on, offset)
               and now <= reminding.day_after(p.ends_on, offset) + HORIZON]
    gaps = _missing(periods)
    people = reminding.people(p.vendor_id for p in periods if p.pk in gaps)
    due = []
    for p in periods:
        if p.pk not in gaps:
            continue
        moment = reminding.day_after(p.ends_on, offset)
        mine = people[p.vendor_id]
        base = {"scorecard": p.scorecard.name, "vendor": p.vendor.name, "period": p.label}
        url = reverse("scorecards:actuals_edit", args=[p.vendor.slug]) + f"?period={p.label}"
        sides = [("vendor", [contact_recipient(c) for c in mine.account_team]),
                 ("internal", [user_recipient(u) for u in mine.line_managers[:1]])]
        for side, recipients in sides:
            if not gaps[p.pk][side]:
                continue
            for r in recipients:
                due.append(Due(occasion=f"period:{p.pk}:actuals", recipient=r,
                               vendor_id=p.vendor_id, due_at=moment, url=url,
                               context={**base, "measures": gaps[p.pk][side]}))
    return due


def actuals_missing_still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    gaps = _missing(list(_periods(ids)))
    return {o for o in occasions if int(o.split(":")[1]) in gaps}


KINDS = [
    Kind(key="scorecards.actuals_missing", label="Scorecard actuals missing",
         description="Sent five days after a scorecard period closed with actuals missing: "
                     "the vendor's measures to its account team, ours to our line manager.",
         timing=Timing.AFTER, default_offset=timedelta(days=5), find=actuals_missing,
         still_current=actuals_missing_still_current),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)
