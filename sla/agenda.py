"""The SLA sections of review agendas, provided to `governance.agenda` from `SlaConfig.ready()`.

* weekly — "Results since last time: SLA evaluations": the windows that closed between the
  previous meeting of the cadence and this one, with their verdicts;
* monthly — "SLA results and breaches": the last complete month as the monthly SLA report
  counts it, per service level, with its breaches, incentives and service credits;
* monthly — "Corrective actions required and taken": what is open, what waits for our
  verification, and what was verified or rejected since the previous monthly review.

Each builder reads through `sla.selectors` in a fixed number of queries, so a meeting page
costs the same however much history a vendor has. Sections are plain dicts of text, so a
held meeting can freeze them.
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from governance.agenda import AgendaContext, entry, section
from sla import rules, selectors
from sla.choices import COMPARATOR_SYMBOL, EvaluationStatus
from vendorgov import formats

# Worst first, as the counts in a note are read.
ORDER = (EvaluationStatus.BREACHED, EvaluationStatus.NO_DATA, EvaluationStatus.AT_RISK,
         EvaluationStatus.MET)
COUNT_WORDS = {EvaluationStatus.BREACHED: "breached", EvaluationStatus.NO_DATA: "without data",
               EvaluationStatus.AT_RISK: "at risk", EvaluationStatus.MET: "met",
               "": "not evaluated yet"}


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _counts(counted: Counter) -> str:
    """'1 breached, 2 met' (worst first; statuses that did not occur are left out)."""
    return ", ".join(f"{counted[s]} {COUNT_WORDS[s]}" for s in (*ORDER, "") if counted[s])


def _url(name: str, ctx: AgendaContext, record) -> str:
    """A record's page, from the meeting's vendor (the records' own `vendor` is not loaded)."""
    return reverse(name, args=[ctx.vendor.slug, record.pk])


def _badge(evaluation) -> tuple[str, str]:
    """The `{% badge %}` key and word of an evaluation (reusing the SLA app's keys)."""
    if evaluation.excused:
        return "sla_excused", "Met (excused)"
    return f"sla_{evaluation.status}", evaluation.get_status_display()


def _verdict(evaluation, sl) -> str:
    text = rules.explain(evaluation.value, sl.terms)
    if evaluation.excused:
        text += " Excused after the vendor's dispute was accepted: counts as met."
    return text


def _breach_action(evaluation) -> str:
    action = evaluation.corrective_action
    if action is None:
        return ""
    return f"corrective action “{action.title}” {action.get_status_display().lower()}"


# -- weekly ---------------------------------------------------------------------------------

def sla_evaluations_since(ctx: AgendaContext) -> dict:
    since = ctx.since_day
    # A window closes the day after its last day: closed after the previous meeting's day and
    # by this meeting's day means its last day lies in [since, this meeting's day - 1].
    today = timezone.localdate()
    last = min(ctx.until_day, today) - timedelta(days=1)
    so_far = " so far" if ctx.until_day > today else ""
    windows = selectors.windows_closed_between(ctx.vendor, since, last)
    entries = []
    for w in windows:
        sl, e = w.service_level, w.evaluation
        if e is None:
            entries.append(entry(
                f"{sl.name} · {w.label}", status="sla_no_data", status_label="Not evaluated yet",
                url=_url("sla:service_level", ctx, sl),
                detail=(f"{w.sla.reference} · closed {formats.day(w.end + timedelta(days=1))}; "
                        f"windows are evaluated within the hour after they close.")))
            continue
        status, label = _badge(e)
        breached = e.status == EvaluationStatus.BREACHED and not e.excused
        action = _breach_action(e) if breached else ""
        entries.append(entry(
            f"{sl.name} · {w.label}", url=_url("sla:evaluation", ctx, e), status=status,
            status_label=label, detail=f"{w.sla.reference} · {_verdict(e, sl)}",
            flag=(f"Breached: {action}" if action else
                  "Breached: no corrective action linked yet" if breached else "")))
    counts = _counts(Counter(w.status for w in windows))
    return section(
        "sla_evaluations_since", "Results since last time: SLA evaluations", entries,
        note=(f"{len(windows)} window{'s' if len(windows) != 1 else ''} closed since "
              f"{formats.day(since)}{so_far}: {counts}." if windows else ""),
        empty=(f"No SLA window of this vendor closed since {formats.day(since)}{so_far}. Windows "
               "close the day after they end: weekly ones on Mondays, monthly ones on the "
               "1st, quarterly ones on 1 Jan, Apr, Jul and Oct."),
        how=("Every window of this vendor's SLAs that closed since the previous meeting of "
             f"this cadence ({formats.day(since)}) up to this one — a window closes the day "
             "after its last day — with its evaluation: met, at risk, breached, or no data (no "
             "measurement arrived; never counted as met). Breaches come first. A breach "
             "excused after an accepted dispute counts as met."))


# -- monthly: results and breaches -------------------------------------------------------------

def sla_results_and_breaches(ctx: AgendaContext) -> dict:
    month = selectors.default_report_month(ctx.until_day)
    report = selectors.monthly_report(ctx.vendor, month, today=timezone.localdate())
    name = f"{month:%B %Y}"
    credits, bonuses = {}, defaultdict(int)
    for m in report.money.values():
        for credit in m.credits:
            credits[credit.outcome.evaluation_id] = credit
        for bonus in m.bonuses:
            bonuses[bonus.outcome.evaluation_id] += bonus.points

    levels = sorted((level for level in report.levels if level.this_month),
                    key=lambda level: ORDER.index(level.worst))
    entries = []
    for level in levels:
        sl, windows = level.row.service_level, level.this_month
        worst = next(e for e in windows if (EvaluationStatus.MET if e.excused else e.status)
                     == level.worst)
        if len(windows) == 1:
            detail = f"{level.sla.reference} · {_verdict(worst, sl)}"
            url = _url("sla:evaluation", ctx, worst)
            status, label = _badge(worst)
        else:
            counted = Counter(EvaluationStatus.MET if e.excused else e.status for e in windows)
            detail = (f"{level.sla.reference} · {len(windows)} windows, all "
                      f"{COUNT_WORDS[level.worst]}" if len(counted) == 1 else
                      f"{level.sla.reference} · {len(windows)} windows: {_counts(counted)} · "
                      f"worst {worst.label}: {_verdict(worst, sl)}")
            url = _url("sla:service_level", ctx, sl)
            status = f"sla_{level.worst}"
            label = EvaluationStatus(level.worst).label
        points = sum(bonuses[e.pk] for e in windows)
        if points:
            detail += f" · {points} bonus point{'s' if points != 1 else ''} earned"
        breaches = []
        for e in windows:
            if e.status != EvaluationStatus.BREACHED or e.excused:
                continue
            credit = credits.get(e.pk)
            action = e.corrective_action
            breaches.append("; ".join(filter(None, (
                f"Breached in {e.label} ({rules.with_unit(e.value, sl.unit)} vs "
                f"{COMPARATOR_SYMBOL[sl.comparator]} {rules.with_unit(sl.target, sl.unit)} "
                f"target)",
                f"service credit {formats.money(credit.amount, credit.currency)}" if credit else "",
                f"corrective action {action.get_status_display().lower()}" if action
                else "no corrective action linked yet"))))
        entries.append(entry(sl.name, url=url, detail=detail, status=status,
                             status_label=label, flag=" · ".join(breaches)))
    if entries:
        entries.append(entry(
            f"The monthly SLA report for {name}",
            url=reverse("sla:report", args=[ctx.vendor.slug]) + f"?month={month:%Y-%m}",
            detail="Trends, every credit with its earn-back, corrective actions and disputes; "
                   "printable."))
    return section(
        "sla_results_and_breaches", f"SLA results and breaches of {name}", entries,
        note=_results_note(report, name) if levels else "",
        empty=(f"No SLA of this vendor was in effect in {name}." if not report.slas else
               f"No window of this vendor's service levels closed in {name}." if
               report.is_complete else
               f"{name} has not ended yet: its results appear here once its windows close "
               f"(on {formats.day(report.month_end + timedelta(days=1))} for monthly ones)."),
        how=(f"The month under review is the last complete month before the meeting ({name}). "
             "Each service level with a window that closed in it, worst first, with its "
             "evaluation: met, at risk, breached, or no data (never counted as met); a breach "
             "excused after an accepted dispute counts as met; each breach is flagged with its "
             "service credit and corrective action. Incentives come first, as in the monthly "
             "SLA report: a window better than its target earns the service "
             "level's bonus points, and a credit is earned back when the next windows are all "
             "met. A breach costs its service credit (a percentage of the SLA's monthly "
             "charge, capped per SLA and month)."))


def _results_note(report, name: str) -> str:
    """The month in one paragraph: the verdicts, then incentives before credits (DESIGN.md)."""
    so_far = " so far (the month has not ended)" if not report.is_complete else ""
    totals = sorted(report.totals().items())
    points = report.bonus_points
    incentives = [f"{points} bonus point{'s' if points != 1 else ''}"] + [
        f"{formats.money(t['earned_back'], c)} of earlier credits earned back"
        for c, t in totals if t["earned_back"]]
    credits = [formats.money(t["credits"], c)
               + (f" ({formats.money(t['net'], c)} after what was earned back)"
                  if t["earned_back"] else "")
               for c, t in totals if t["credits"]]
    capped = " (capped at the SLA's monthly cap)" if any(
        m.capped for m in report.money.values()) else ""
    return (f"{name}{so_far}: {_counts(Counter(report.counts))}. "
            f"Incentives: {', '.join(incentives)}. "
            f"Service credits: {'; '.join(credits) or 'none'}{capped}.")


# -- monthly: corrective actions -------------------------------------------------------------

def _owner(action) -> str:
    if action.owner is None:
        return "no owner yet"
    side = "vendor side" if action.owner_side == "vendor" else "our side"
    return f"owner {action.owner} ({side})"


CAUSED_BY = {"vendor": "the vendor", "ours": "our side", "shared": "both sides"}


def _caused_by(action) -> str:
    return f"caused by: {CAUSED_BY.get(action.side_responsible, 'not yet known')}"


def _clip(text: str, length: int = 140) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def corrective_actions(ctx: AgendaContext) -> dict:
    today = timezone.localdate()
    since, until = ctx.since_day, ctx.until_day
    review = selectors.corrective_actions_for_review(ctx.vendor, first=since, last=until)
    entries = []
    for a in review.open:
        late = a.overdue_days(today)
        entries.append(entry(
            a.title, url=_url("sla:corrective_action", ctx, a), status=f"sla_{a.status}",
            status_label=a.get_status_display(),
            detail=" · ".join(filter(None, (
                a.sla.reference, _owner(a), _caused_by(a),
                f"open {_days(a.age_days(today))}", f"due {formats.day(a.due_on)}",
                f"{a.breaches} breaches" if a.breaches > 1 else ""))),
            flag=f"Overdue by {_days(late)}" if late else ""))
    for a, done_on in review.done:
        reported = ""
        if done_on is not None:
            reported = (f"reported done {formats.day(done_on)}"
                        + (" (since the last review)" if done_on >= since else "")
                        + f", awaiting our verification for {_days((today - done_on).days)}")
        entries.append(entry(
            a.title, url=_url("sla:corrective_action", ctx, a), status=f"sla_{a.status}",
            status_label=a.get_status_display(),
            detail=" · ".join(filter(None, (
                a.sla.reference, _owner(a), _caused_by(a), reported,
                f"root cause: {_clip(a.root_cause)}" if a.root_cause else "")))))
    for a in review.closed:
        entries.append(entry(
            a.title, url=_url("sla:corrective_action", ctx, a), status=f"sla_{a.status}",
            status_label=a.get_status_display(),
            detail=" · ".join(filter(None, (
                a.sla.reference,
                f"{a.get_status_display().lower()} {formats.day(a.closed_on)} after "
                f"{_days(a.age_days(today))}", _caused_by(a),
                _clip(a.verification_note))))))
    overdue = sum(1 for a in review.open if a.overdue_days(today))
    note = "; ".join(filter(None, (
        f"{len(review.open)} open" + (f", {overdue} of them overdue" if overdue else "")
        if review.open else "",
        f"{len(review.done)} done and awaiting our verification" if review.done else "",
        f"{len(review.closed)} verified or rejected since {formats.day(since)}"
        if review.closed else "")))
    return section(
        "corrective_actions", "Corrective actions required and taken", entries,
        note=f"{note[0].upper()}{note[1:]}." if note else "",
        empty=(f"No corrective action is open, and none was verified or rejected since "
               f"{formats.day(since)}. A breached window opens one automatically."),
        how=("First the corrective actions still open or in progress, the earliest due first, "
             "with their age, owner (and whose side the owner is on) and the side that caused "
             "the breach; one past its due date is flagged. Then those reported done that wait "
             "for our verification, with the day they were reported done. Last, those verified "
             f"or rejected since the previous monthly review ({formats.day(since)}) up to this "
             "meeting's day, both days included."))


BUILDERS = {
    "sla_evaluations_since": sla_evaluations_since,
    "sla_results_and_breaches": sla_results_and_breaches,
    "corrective_actions": corrective_actions,
}
