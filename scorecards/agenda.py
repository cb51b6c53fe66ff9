"""The scorecard sections of governance review agendas, provided to `governance.agenda`
from `scorecards.apps` (the seam that agenda was designed with):

* weekly — "Results since last time": the latest scorecard actuals reported since the
  previous meeting of the cadence;
* quarterly — "Balanced scorecard for the quarter": the period under review scored by
  perspective, its red and amber measures, the measures without data, the disputes, and
  the figures of locked periods restated after the lock since the last review.

Each builder costs the same few queries however much history the vendor has. Sections are
plain dicts of strings (`governance.agenda.section`/`entry`), so a held meeting can freeze
them.
"""

from django.urls import reverse
from django.utils import timezone

from governance.agenda import AgendaContext, entry, section
from scorecards import scoring, selectors
from scorecards.choices import ActualStatus, DisputeStatus
from scorecards.models import Actual, Dispute, Period, Scorecard
from vendorgov import formats


def _num(value) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def _with_unit(value, unit: str) -> str:
    return f"{_num(value)} {unit}".strip() if value is not None else "no value"


def _measure_url(vendor, measure_id: int, period: Period) -> str:
    return reverse("scorecards:measure", args=[vendor.slug, measure_id]) + \
        f"?period={period.label}"


def _mismatch(actual: Actual) -> str:
    """The warning sign: the vendor's own figure reads better than what we measured."""
    if actual.reported_better_than_measured:
        unit = actual.measure.unit
        return (f"Self-reported better than measured: the vendor reported "
                f"{_with_unit(actual.vendor_value, unit)} ({actual.vendor_rag.label.lower()}), "
                f"we measured {_with_unit(actual.internal_value, unit)} "
                f"({actual.rag.label.lower()})")
    return ""


def _who(actual: Actual) -> str:
    if actual.is_derived:
        return "derived from the SLA's evaluations"
    who = str(actual.reported_by) if actual.reported_by else "—"
    return f"reported by {who} ({actual.get_reported_side_display().lower()})"


# -- weekly: results since last time ---------------------------------------------------------

def actuals_since(ctx: AgendaContext) -> dict:
    """The latest actual of each measure submitted, approved, corrected or derived since the
    previous meeting of this cadence; drafts wait until they are submitted."""
    key, title = "scorecard_actuals_since", "Results since last time: scorecard actuals"
    rows = (Actual.objects.filter(vendor=ctx.vendor, updated_at__gt=ctx.since,
                                  updated_at__lte=ctx.until)
            .exclude(status=ActualStatus.DRAFT)
            .select_related("measure", "period", "reported_by").order_by("-updated_at", "-id"))
    latest = {}
    for a in rows:
        latest.setdefault(a.measure_id, a)
    entries = []
    for a in sorted(latest.values(), key=lambda a: (a.period.starts_on, a.measure.position,
                                                    a.measure_id)):
        m = a.measure
        entries.append(entry(
            f"{m.name} · {a.period.label}: {_with_unit(a.value, m.unit)}",
            url=_measure_url(ctx.vendor, m.pk, a.period),
            status=f"rag_{a.rag.value}", status_label=a.rag.label,
            detail=(f"target {_with_unit(a.target, m.unit)} · "
                    f"{'from the SLA' if a.is_derived else a.get_status_display().lower()} · "
                    f"{_who(a)} · {formats.day(timezone.localtime(a.updated_at).date())}"),
            flag=_mismatch(a)))
    waiting = sum(1 for a in latest.values() if a.status == ActualStatus.SUBMITTED)
    return section(
        key, title, entries,
        note=(f"{waiting} of these await{'s' if waiting == 1 else ''} approval."
              if waiting else ""),
        empty=f"No scorecard actual was submitted, approved or derived since "
              f"{formats.day(ctx.since_day)}.",
        how="The latest actual of each scorecard measure that was submitted, approved, "
            "corrected or derived from an SLA since the previous meeting of this cadence, "
            "with its status against the target. Drafts are left out until they are "
            "submitted; a vendor figure that reads better than our own measurement is "
            "flagged.")


# -- quarterly: the balanced scorecard -------------------------------------------------------

def _period_under_review(periods: list[Period], day) -> Period | None:
    """The latest period that ended before the meeting's day, else the one in progress."""
    ended = [p for p in periods if p.ends_on < day]
    if ended:
        return ended[-1]
    started = [p for p in periods if p.starts_on <= day]
    return started[-1] if started else None


def _score(rolled) -> str:
    return "no data" if rolled.score is None else f"{rolled.score}"


def balanced_scorecard(ctx: AgendaContext) -> dict:
    key, title = "balanced_scorecard", "Balanced scorecard for the quarter"
    how = ("The scorecard's latest period that ended before this meeting, scored as on the "
           "Scorecard tab: the overall score and each perspective's, then the measures in red "
           "and in amber, the measures without data (never counted as zero), and the disputes "
           "about the period's figures, with those still open from earlier periods. A locked "
           "period's SLA-fed figure whose SLA results changed since the last review is listed "
           "as restated after lock: the period keeps its reviewed value.")
    scorecard = Scorecard.objects.filter(vendor=ctx.vendor).first()
    if scorecard is None:
        return section(key, title, [], how=how,
                       empty=f"{ctx.vendor} has no scorecard yet: a vendor manager sets one up "
                             f"from a template on its Scorecard tab.")
    period = _period_under_review(list(scorecard.periods.all()), ctx.until_day)
    if period is None:
        return section(key, title, [], how=how,
                       empty=f"The scorecard's first period starts on "
                             f"{formats.date(scorecard.starts_on)}: nothing to review yet.")
    page = selectors.scorecard_page(scorecard, period.label, trend_length=2)
    s, tab = page.current, reverse("scorecards:vendor", args=[ctx.vendor.slug])
    entries = [entry(
        f"{p.perspective.name}: {_score(p.rolled)}",
        url=f"{tab}?period={period.label}#perspective-{p.perspective.pk}",
        status=f"rag_{p.rolled.status.value}", status_label=p.rolled.status.label,
        detail=(f"{p.rolled.share * 100:.0f} % of the total · {p.rolled.measures_with_data} of "
                f"{p.rolled.measures} measures with data"))
        for p in s.perspectives]
    for status in (scoring.Status.RED, scoring.Status.AMBER):
        for p in s.perspectives:
            for line in p.lines:
                if line.status != status:
                    continue
                a, m = line.actual, line.measure
                entries.append(entry(
                    f"{m.name}: {_with_unit(a.value, m.unit)} (target "
                    f"{_with_unit(a.target, m.unit)})",
                    url=_measure_url(ctx.vendor, m.pk, period),
                    status=f"rag_{status.value}", status_label=status.label,
                    detail=(f"{p.perspective.name} · score {line.score}"
                            + (f" · from SLA {m.feed}" if m.feed else "")
                            + (f" · “{a.comment[:160]}”" if a.comment else "")),
                    flag=_mismatch(a)))
    for p in s.perspectives:
        for line in p.lines:
            if line.status != scoring.Status.NO_DATA:
                continue
            a, m = line.actual, line.measure
            why = ("a draft, not counted" if a is not None and a.status == ActualStatus.DRAFT
                   else f"fed from SLA {m.feed}: no window with data" if m.feed
                   else "not reported")
            entries.append(entry(f"{m.name}: no data", url=_measure_url(ctx.vendor, m.pk, period),
                                 status="rag_no_data", status_label="No data",
                                 detail=f"{p.perspective.name} · {why}"))
    earlier = (Dispute.objects.filter(vendor=ctx.vendor, status=DisputeStatus.OPEN)
               .exclude(actual__period=period)
               .select_related("actual__measure", "actual__period", "raised_by", "resolved_by"))
    for d, of in [(d, period) for d in page.disputes] + [(d, d.actual.period) for d in earlier]:
        a = d.actual
        entries.append(entry(
            f"Dispute: {a.measure.name} · {of.label}",
            url=_measure_url(ctx.vendor, a.measure_id, of),
            status=f"scorecard_{d.status}", status_label=d.get_status_display(),
            detail=(f"raised by {d.raised_by or 'the vendor'} on "
                    f"{formats.day(timezone.localtime(d.raised_at).date())}: “{d.reason[:160]}”"
                    + (f" · resolved: {d.resolution[:160]}" if not d.is_open else ""))))
    for a in selectors.actuals_restated_after_lock(ctx.vendor, since=ctx.since,
                                                   until=ctx.until):
        m = a.measure
        entries.append(entry(
            f"Restated after lock: {m.name} · {a.period.label}",
            url=_measure_url(ctx.vendor, m.pk, a.period),
            status=f"rag_{a.rag.value}", status_label=a.rag.label,
            detail=(f"reviewed as {_with_unit(a.value, m.unit)}; the SLA now gives "
                    f"{_with_unit(a.restated_value, m.unit)} (since "
                    f"{formats.day(timezone.localtime(a.restated_after_lock_at).date())}) · "
                    f"the locked period keeps the "
                    f"reviewed value"),
            flag="Restated after lock: take it up in this review"))
    previous = page.trend[-2][1].rolled.score if len(page.trend) > 1 else None
    note = (f"{period.label} ({formats.date(period.starts_on, year=False)} – "
            f"{formats.date(period.ends_on)}): overall "
            f"{_score(s.rolled)} ({s.rolled.status.label.lower()})"
            + (f", {page.trend[-2][0].label} {previous}" if previous is not None else "")
            + f" · {s.rolled.measures_with_data} of {s.rolled.measures} measures with data"
            + f" · {s.red} red, {s.amber} amber"
            + ("" if period.is_locked else " · not locked yet: lock it once reviewed"))
    return section(key, title, entries, note=note, how=how,
                   empty="This scorecard has no perspectives yet.")


PROVIDED = {"scorecard_actuals_since": actuals_since, "balanced_scorecard": balanced_scorecard}
