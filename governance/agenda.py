"""A meeting's agenda, built from live data for its tier (DESIGN.md's cadence table).

The agenda is a list of sections; each comes from a small builder function that reads what
it needs from an `AgendaContext` (which loads each kind of record once, so an agenda costs
the same few queries however much history there is). Sections are plain dicts, so the same
template shows a live agenda and one frozen into a held meeting (`snapshot`).

Sections fed by other capabilities (scorecard actuals, SLA results, corrective actions)
have placeholder builders until that capability provides the real one:

    from governance import agenda
    agenda.provide("sla_results_and_breaches", my_builder)   # e.g. in sla/apps.py ready()

A placeholder says plainly that the data is not available; it never invents any.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property

from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from governance.choices import (
    SUGGESTION_UNASSESSED,
    MeetingStatus,
    SuggestionCategory,
    SuggestionStatus,
    Tier,
)
from governance.models import ActionItem, GovernancePlan, Impediment, Meeting, Suggestion
from vendorgov import formats
from vendors.models import StaffingChange
from vendors.selectors import staffing_changes_since

PERIOD_FALLBACK = {Tier.WEEKLY: timedelta(days=7), Tier.MONTHLY: timedelta(days=31),
                   Tier.QUARTERLY: timedelta(days=92), Tier.HEALTH_CHECK: timedelta(days=183)}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class AgendaContext:
    """What the builders of one meeting's agenda read, each loaded once, on first use."""

    def __init__(self, meeting: Meeting):
        self.meeting = meeting
        self.vendor = meeting.vendor
        self.tier = meeting.tier

    @cached_property
    def previous(self) -> Meeting | None:
        """The meeting of the same cadence before this one (cancelled ones do not count)."""
        return (Meeting.objects.visible().filter(cadence_id=self.meeting.cadence_id,
                                                 starts_at__lt=self.meeting.starts_at)
                .exclude(status=MeetingStatus.CANCELLED).order_by("-starts_at").first())

    @cached_property
    def since(self):
        """Where the period under review starts: the previous meeting of this cadence."""
        if self.previous is not None:
            return self.previous.starts_at
        return self.meeting.starts_at - PERIOD_FALLBACK[Tier(self.tier)]

    @property
    def until(self):
        return self.meeting.starts_at

    @cached_property
    def since_day(self) -> date:
        """The local date the period under review starts on."""
        return timezone.localtime(self.since).date()

    @property
    def until_day(self) -> date:
        """The local date of this meeting, where the period under review ends."""
        return timezone.localtime(self.until).date()

    @cached_property
    def plan(self):
        return GovernancePlan.objects.for_vendor(self.vendor)

    @cached_property
    def open_impediments(self) -> list[Impediment]:
        rows = (Impediment.objects.open().filter(vendor=self.vendor)
                .select_related("owner_user", "owner_contact"))
        return sorted(rows, key=lambda i: (SEVERITY_ORDER.get(i.severity, 9), i.raised_on))

    @cached_property
    def open_action_items(self) -> list[ActionItem]:
        rows = (ActionItem.objects.open().filter(vendor=self.vendor)
                .exclude(meeting=self.meeting)
                .select_related("owner_user", "owner_contact", "meeting"))
        if self.tier != Tier.WEEKLY:
            # Monthly and quarterly reviews chase what their own level agreed.
            rows = rows.filter(meeting__tier=self.tier)
        return list(rows.order_by("due_on", "id"))

    @cached_property
    def staffing_changes(self) -> list[StaffingChange]:
        return staffing_changes_since(self.vendor, self.since_day)

    @cached_property
    def suggestions(self) -> list[Suggestion]:
        """Every suggestion that is undecided or moved within the period under review."""
        since = self.since_day
        return list(Suggestion.objects.active().filter(vendor=self.vendor).filter(
            Q(status__in=SUGGESTION_UNASSESSED) | Q(submitted_on__gte=since)
            | Q(decided_on__gte=since) | Q(implemented_on__gte=since)
            | Q(outcome_reviewed_on__gte=since)).order_by("submitted_on", "id"))

    def in_period(self, day) -> bool:
        return day is not None and self.since_day <= day <= self.until_day


Builder = Callable[[AgendaContext], dict]


def section(key: str, title: str, entries: list[dict], *, empty: str, how: str = "",
            note: str = "", unavailable: bool = False) -> dict:
    return {"key": key, "title": title, "entries": entries, "empty": empty, "how": how,
            "note": note, "unavailable": unavailable}


def entry(text: str, *, detail: str = "", url: str = "", status: str = "",
          status_label: str = "", flag: str = "") -> dict:
    return {"text": text, "detail": detail, "url": url, "status": status,
            "status_label": status_label, "flag": flag}


def _suggestion_entry(ctx: AgendaContext, s: Suggestion, detail: str) -> dict:
    return entry(s.title, url=reverse("governance:suggestion", args=[ctx.vendor.slug, s.pk]),
                 status=f"gov_{s.status}", status_label=s.get_status_display(), detail=detail)


# -- sections built from governance and vendor data -------------------------------------------

def impediments(ctx: AgendaContext) -> dict:
    limit = ctx.plan.escalate_after_days
    entries = []
    for i in ctx.open_impediments:
        flag = ""
        if i.flagged_for_escalation(limit):
            flag = f"Flagged for escalation: open {i.age_days} days (over {limit})"
        entries.append(entry(
            i.title, url=reverse("governance:impediment", args=[ctx.vendor.slug, i.pk]),
            detail=(f"{i.get_kind_display()} · responsible: {i.get_responsible_side_display()}"
                    f" · open {i.age_days} day{'s' if i.age_days != 1 else ''}"
                    f" · {i.escalation_label}"
                    + (f" · owner {i.owner_name}" if i.owner_name else "")),
            status=i.severity, status_label=i.get_severity_display(), flag=flag))
    return section("impediments", "Open impediments", entries,
                   empty="No open impediments.",
                   how=f"Every unresolved impediment, most severe first, with its age in days. "
                       f"One open for more than {limit} days (this vendor's plan) is flagged "
                       f"for escalation.")


def staffing_changes(ctx: AgendaContext) -> dict:
    since = ctx.since_day
    url = reverse("vendors:people", args=[ctx.vendor.slug]) + "#staffing-changes"
    entries = []
    for c in ctx.staffing_changes:
        what = "requested" if c.requested_on >= since else "still open"
        if c.resolved_on and c.resolved_on >= since:
            what = f"{c.get_status_display().lower()} {formats.day(c.resolved_on)}"
        entries.append(entry(
            str(c), url=url, status=c.status, status_label=c.get_status_display(),
            detail=(f"{c.get_requested_by_side_display()} asked {formats.day(c.requested_on)} · "
                    f"{what}"),
            flag=(f"Unanswered for {c.age_days} days" if c.is_open and c.age_days > 30
                  else "")))
    return section("staffing_changes", "Staffing changes since the last weekly", entries,
                   empty=f"No staffing change requested or settled since {formats.day(since)}.",
                   how="Requests made or settled since the previous meeting of this cadence, "
                       "and every request still waiting for an answer.")


def suggestions_new_and_pending(ctx: AgendaContext) -> dict:
    since = ctx.since_day
    entries = [_suggestion_entry(
        ctx, s, f"{s.get_category_display()} · from {s.get_source_side_display().lower()} · "
                f"submitted {formats.day(s.submitted_on)}"
                + (" · new since the last meeting" if s.submitted_on >= since else ""))
        for s in ctx.suggestions if s.status in SUGGESTION_UNASSESSED]
    return section("suggestions", "New and pending innovation suggestions", entries,
                   empty="No suggestion waits for a decision.",
                   how="Suggestions not yet accepted or declined; those submitted since the "
                       "previous meeting are marked new.")


def open_action_items(ctx: AgendaContext) -> dict:
    today = timezone.localdate()
    entries = []
    for a in ctx.open_action_items:
        late = (today - a.due_on).days
        entries.append(entry(
            a.title, url=reverse("governance:action_item_update", args=[ctx.vendor.slug, a.pk]),
            status=f"gov_{a.status}", status_label=a.get_status_display(),
            detail=(f"{a.owner_name} ({a.get_side_display().lower()}) · due "
                    f"{formats.day(a.due_on)}"
                    + (f" · raised at {a.meeting.title.lower()} of "
                       f"{formats.day(a.meeting.local_start)}" if a.meeting_id else "")),
            flag=f"Overdue by {late} day{'s' if late != 1 else ''}" if late > 0 else ""))
    scope = ("Every open action item with this vendor"
             if ctx.tier == Tier.WEEKLY else "Open action items from earlier reviews at this "
                                              "level")
    return section("action_items", "Open action items carried over", entries,
                   empty="Nothing carried over: every earlier action item is done or dropped.",
                   how=f"{scope}, raised before this meeting and not yet done or dropped; they "
                       f"come back on every meeting until they are.")


def strategy_notes(ctx: AgendaContext) -> dict:
    notes = ctx.plan.strategy_notes.strip()
    entries = [entry(notes)] if notes else []
    return section("strategy", "Strategy", entries,
                   empty="No strategy notes yet: write them in the governance plan so every "
                         "quarterly review starts from them.",
                   how="The strategy notes of this vendor's governance plan.")


def value_created(ctx: AgendaContext) -> dict:
    totals = defaultdict(Decimal)
    entries = []
    for s in ctx.suggestions:
        if s.status == SuggestionStatus.OUTCOME_REVIEWED and ctx.in_period(
                s.outcome_reviewed_on):
            totals[s.currency] += s.realised_value or 0
            realised = formats.money(s.realised_value or 0, s.currency, places=0)
            estimated = (f" (estimated {formats.money(s.estimated_value, s.currency, places=0)})"
                         if s.estimated_value is not None else "")
            entries.append(_suggestion_entry(ctx, s, f"realised {realised}{estimated} · "
                                                     f"{s.lessons}"))
    note = " · ".join(formats.money(v, c, places=0) for c, v in sorted(totals.items()))
    return section("value_created", "Value created", entries,
                   note=f"Realised this period: {note}" if note else "",
                   empty="No outcome of an innovation was reviewed this period.",
                   how="Value realised by suggestions whose outcome was reviewed since the "
                       "previous quarterly review, per currency.")


def process_improvements(ctx: AgendaContext) -> dict:
    entries = [_suggestion_entry(
        ctx, s, f"{s.get_source_side_display()} · {s.description[:140]}")
        for s in ctx.suggestions
        if s.category == SuggestionCategory.PROCESS and s.status in (
            SuggestionStatus.ACCEPTED, SuggestionStatus.IMPLEMENTED,
            SuggestionStatus.OUTCOME_REVIEWED)
        and (ctx.in_period(s.decided_on) or ctx.in_period(s.implemented_on)
             or ctx.in_period(s.outcome_reviewed_on))]
    return section("process_improvements", "Process improvements", entries,
                   empty="No process improvement was agreed or implemented this period.",
                   how="Process suggestions accepted, implemented or reviewed since the "
                       "previous quarterly review.")


def innovations_assessed(ctx: AgendaContext) -> dict:
    entries = [_suggestion_entry(
        ctx, s, f"{s.get_category_display()} · decided {formats.day(s.decided_on)}: "
               f"{s.decision_rationale}")
        for s in ctx.suggestions
        if ctx.in_period(s.decided_on)]
    submitted = sum(1 for s in ctx.suggestions
                    if s.source_side == "vendor" and ctx.in_period(s.submitted_on))
    quota = ctx.vendor.suggestion_quota_per_quarter
    note = (f"{ctx.vendor} submitted {submitted} suggestion{'s' if submitted != 1 else ''} "
            f"this period; the contract asks for {quota} a quarter.") if quota else ""
    return section("innovations_assessed", "Innovations assessed", entries, note=note,
                   empty="No suggestion was accepted or declined this period.",
                   how="Suggestions accepted or declined since the previous quarterly review, "
                       "and the vendor's submissions against the contract's quota.")


def suggestions_to_assess(ctx: AgendaContext) -> dict:
    entries = [_suggestion_entry(
        ctx, s, f"{s.get_category_display()} · submitted {formats.day(s.submitted_on)}"
                + (f" · estimated {formats.money(s.estimated_value, s.currency, places=0)}"
                   if s.estimated_value is not None else ""))
        for s in ctx.suggestions if s.status in SUGGESTION_UNASSESSED]
    return section("suggestions_to_assess", "Suggestions to assess", entries,
                   empty="Every suggestion has been assessed.",
                   how="Every suggestion is assessed in a quarterly review: these have no "
                       "decision yet.")


# -- sections fed by other capabilities ---------------------------------------------------

_PROVIDED: dict[str, Builder] = {}


def provide(key: str, builder: Builder) -> None:
    """Let another capability build the section `key` (see the module docstring)."""
    _PROVIDED[key] = builder


def _external(key: str, title: str, app_label: str, capability: str) -> Builder:
    def build(ctx: AgendaContext) -> dict:
        if key in _PROVIDED:
            return _PROVIDED[key](ctx)
        if not apps.is_installed(app_label):
            note = f"Available once the {capability} capability is installed."
        else:
            note = f"The {capability} capability does not feed this agenda yet."
        return section(key, title, [], empty=note, unavailable=True)

    build.__name__ = key
    return build


scorecard_actuals_since = _external("scorecard_actuals_since",
                                    "Results since last time: scorecard actuals",
                                    "scorecards", "scorecard")
sla_evaluations_since = _external("sla_evaluations_since",
                                  "Results since last time: SLA evaluations", "sla", "SLA")
sla_results_and_breaches = _external("sla_results_and_breaches",
                                     "SLA results and breaches of the month", "sla", "SLA")
corrective_actions = _external("corrective_actions", "Corrective actions required and taken",
                               "sla", "SLA")
health_check_review = _external("health_check_review",
                                 "Health check: results, perception gaps, findings and "
                                 "proposed principle revisions", "healthchecks", "health-check")
balanced_scorecard = _external("balanced_scorecard", "Balanced scorecard for the quarter",
                               "scorecards", "scorecard")

BUILDERS: dict[str, list[Builder]] = {
    Tier.WEEKLY: [impediments, staffing_changes, scorecard_actuals_since,
                  sla_evaluations_since, suggestions_new_and_pending, open_action_items],
    Tier.MONTHLY: [sla_results_and_breaches, impediments, corrective_actions,
                   open_action_items],
    Tier.QUARTERLY: [balanced_scorecard, strategy_notes, value_created, process_improvements,
                     innovations_assessed, suggestions_to_assess, open_action_items],
    Tier.HEALTH_CHECK: [health_check_review, open_action_items],
}


def build(meeting: Meeting) -> list[dict]:
    """The live agenda of `meeting`: one section per builder of its tier."""
    ctx = AgendaContext(meeting)
    return [builder(ctx) for builder in BUILDERS[Tier(meeting.tier)]]


def snapshot(meeting: Meeting) -> dict:
    """The agenda to freeze into a held meeting: the sections and the points people added."""
    items = meeting.agenda_items.filter(archived_at__isnull=True).select_related("added_by")
    return {"frozen_at": timezone.now().isoformat(), "sections": build(meeting),
            "items": [{"title": i.title, "notes": i.notes,
                       "added_by": str(i.added_by) if i.added_by else ""} for i in items]}
