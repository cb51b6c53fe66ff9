"""Reads of governance records for pages, the API and feeds; always scoped by
`vendors.access`, and each in a fixed number of queries however much history there is."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from governance import agenda, recurrence
from governance.choices import (
    ACTION_OPEN,
    IMPEDIMENT_OPEN,
    RECURRING_TIERS,
    SUGGESTION_UNASSESSED,
    EscalationStep,
    MeetingStatus,
    SuggestionStatus,
    Tier,
)
from governance.models import (
    DEFAULT_ESCALATE_AFTER_DAYS,
    ActionItem,
    AgendaItem,
    Attendance,
    Cadence,
    CalendarFeed,
    Decision,
    Escalation,
    GovernancePlan,
    Impediment,
    ImpedimentUpdate,
    Meeting,
    Suggestion,
)
from vendorgov import formats
from vendorgov.roles import PORTFOLIO_ROLES, Role
from vendors import access
from vendors.access import Action
from vendors.choices import AssignmentRole, Side
from vendors.models import Contact, StaffingChange, Vendor, VendorAssignment

# -- the plan and the people of a relationship -------------------------------------------------

def plan_for(vendor: Vendor) -> GovernancePlan:
    """The vendor's governance plan; an unsaved one with the defaults if none was written."""
    return GovernancePlan.objects.for_vendor(vendor)


def relationship_users(vendor: Vendor) -> QuerySet:
    """Our people who may take part in (and own actions of) the relationship: those assigned
    to the vendor, and the vendor managers and executives who see the whole portfolio."""
    return (get_user_model().objects.filter(is_active=True).exclude(role=Role.VENDOR_USER)
            .filter(Q(assignments__vendor=vendor) | Q(role__in=PORTFOLIO_ROLES)
                    | Q(is_superuser=True)).distinct().order_by("first_name", "last_name"))


def relationship_contacts(vendor: Vendor) -> QuerySet[Contact]:
    return Contact.objects.active().filter(vendor=vendor).order_by("name")


def visible_users(user) -> QuerySet:
    """Our people `user` may name as an owner through the API: those of the relationships
    they see. An id of anyone else is refused like an id that does not exist."""
    if user is None or not user.is_authenticated:
        return get_user_model().objects.none()
    return (get_user_model().objects.filter(is_active=True).exclude(role=Role.VENDOR_USER)
            .filter(Q(assignments__vendor__in=access.vendors(user))
                    | Q(role__in=PORTFOLIO_ROLES)).distinct())


_LADDER_OURS = {EscalationStep.LINE_MANAGER: (AssignmentRole.LINE_MANAGER,
                                              AssignmentRole.RELATIONSHIP_OWNER),
                EscalationStep.EXECUTIVE_SPONSORS: (AssignmentRole.EXECUTIVE_SPONSOR,)}


def ladder_recipients(vendor: Vendor, level: int):
    """(our user, vendor contact) a step of the ladder goes to by default; either may be
    None. Step 1 is our line manager; steps 2–4 the vendor contacts one level lower on the
    vendor's own ladder (and, on step 4, our executive sponsor too)."""
    user = None
    if level in _LADDER_OURS:
        assignment = (VendorAssignment.objects.filter(vendor=vendor,
                                                      role__in=_LADDER_OURS[level],
                                                      user__is_active=True)
                      .select_related("user").order_by("role", "id").first())
        user = assignment.user if assignment else None
    contact = None
    if level >= EscalationStep.ACCOUNT_EXECUTIVE:
        contact = (Contact.objects.active().filter(vendor=vendor, escalation_level=level - 1)
                   .order_by("name").first())
    return user, contact


def ladder(vendor: Vendor) -> list[tuple[int, str, str]]:
    """(step, label, who) for the page that explains where an escalation goes."""
    rows = []
    for step in EscalationStep:
        user, contact = ladder_recipients(vendor, step)
        who = " and ".join(n for n in (str(user) if user else "",
                                       contact.name if contact else "") if n)
        rows.append((step.value, step.label, who))
    return rows


# -- the Reviews tab ---------------------------------------------------------------------------

@dataclass
class VendorReviews:
    plan: GovernancePlan
    cadences: list
    upcoming: list
    awaiting_minutes: list
    recent: list
    open_actions: int
    overdue_actions: int
    flagged_impediments: int

    @property
    def next_meeting(self):
        return self.upcoming[0] if self.upcoming else None


def vendor_reviews(vendor: Vendor, *, upcoming_days: int = 56, recent: int = 8) -> VendorReviews:
    now, today = timezone.now(), timezone.localdate()
    plan = plan_for(vendor)
    meetings = (Meeting.objects.visible().filter(vendor=vendor)
                .select_related("vendor", "cadence"))
    impediments = Impediment.objects.open().filter(vendor=vendor).only("raised_on", "status",
                                                                        "escalation_level")
    actions = ActionItem.objects.open().filter(vendor=vendor).aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
    return VendorReviews(
        plan=plan,
        cadences=sorted(Cadence.objects.active().filter(vendor=vendor).prefetch_related(
            "our_participants", "vendor_participants"),
            key=lambda c: (Tier.values.index(c.tier), c.pk)),
        upcoming=list(meetings.filter(ends_at__gte=now,
                                      starts_at__lte=now + timedelta(days=upcoming_days))
                      .exclude(status=MeetingStatus.HELD)),
        awaiting_minutes=list(meetings.awaiting_minutes().order_by("-starts_at")),
        recent=list(meetings.filter(starts_at__lt=now).exclude(status=MeetingStatus.SCHEDULED)
                    .order_by("-starts_at")[:recent]),
        open_actions=actions["open"], overdue_actions=actions["overdue"],
        flagged_impediments=sum(1 for i in impediments
                                if i.flagged_for_escalation(plan.escalate_after_days)),
    )


# -- one meeting -------------------------------------------------------------------------------

def meeting_get(user, vendor: Vendor, pk, action: Action = Action.VIEW) -> Meeting:
    return get_object_or_404(access.restrict(Meeting.objects.visible(), user, action)
                             .select_related("vendor", "cadence", "held_by"),
                             vendor=vendor, pk=pk)


@dataclass
class MeetingPage:
    meeting: Meeting
    sections: list
    items: list  # points people added: AgendaItem rows, or dicts once frozen
    frozen: bool
    attendances_ours: list
    attendances_theirs: list
    decisions: list
    action_items: list
    previous: Meeting | None
    next: Meeting | None


def meeting_page(meeting: Meeting) -> MeetingPage:
    """Everything the meeting page shows, in a fixed number of queries."""
    if meeting.agenda_snapshot:
        sections = meeting.agenda_snapshot.get("sections", [])
        items = meeting.agenda_snapshot.get("items", [])
        frozen = True
    else:
        sections = agenda.build(meeting)
        items = list(AgendaItem.objects.active().filter(meeting=meeting)
                     .select_related("added_by"))
        frozen = False
    attendances = list(Attendance.objects.filter(meeting=meeting)
                       .select_related("user", "contact").order_by("id"))
    series = Meeting.objects.visible().filter(cadence_id=meeting.cadence_id)
    # The meetings before and after this one in one query, not two; same vendor as this one.
    before = series.filter(starts_at__lt=meeting.starts_at).order_by("-starts_at").values("pk")
    after = series.filter(starts_at__gt=meeting.starts_at).order_by("starts_at").values("pk")
    around = list(series.filter(Q(pk__in=before[:1]) | Q(pk__in=after[:1])))
    for m in around:
        m.vendor = meeting.vendor
    return MeetingPage(
        meeting=meeting, sections=sections, items=items, frozen=frozen,
        attendances_ours=[a for a in attendances if a.user_id],
        attendances_theirs=[a for a in attendances if a.contact_id],
        decisions=list(Decision.objects.active().filter(meeting=meeting)
                       .select_related("recorded_by")),
        action_items=list(ActionItem.objects.active().filter(meeting=meeting)
                          .select_related("owner_user", "owner_contact")),
        previous=next((m for m in around if m.starts_at < meeting.starts_at), None),
        next=next((m for m in around if m.starts_at > meeting.starts_at), None),
    )


# -- the Items tab -----------------------------------------------------------------------------

@dataclass
class QuarterCount:
    quarter: str
    submitted: int
    quota: int

    @property
    def met(self) -> bool:
        return self.submitted >= self.quota


def quarter_bounds(day: date) -> tuple[date, date]:
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    end_month = start.month + 2
    end = (date(start.year, end_month + 1, 1) if end_month < 12
           else date(start.year + 1, 1, 1)) - timedelta(days=1)
    return start, end


def suggestion_quota(vendor: Vendor, *, quarters: int = 4) -> list[QuarterCount]:
    """The vendor's submissions per quarter (oldest first, this quarter last) against the
    contract's quota, in one query."""
    today = timezone.localdate()
    starts = []
    start, _ = quarter_bounds(today)
    for _ in range(quarters):
        starts.append(start)
        start, _ = quarter_bounds(start - timedelta(days=1))
    counts = dict(Suggestion.objects.filter(vendor=vendor, source_side=Side.VENDOR,
                                            submitted_on__gte=starts[-1])
                  .values_list("submitted_on").annotate(n=Count("id")).order_by())
    per_quarter = {}
    for day, n in counts.items():
        key = recurrence.period_of(Tier.QUARTERLY, day)
        per_quarter[key] = per_quarter.get(key, 0) + n
    return [QuarterCount(recurrence.period_of(Tier.QUARTERLY, s),
                         per_quarter.get(recurrence.period_of(Tier.QUARTERLY, s), 0),
                         vendor.suggestion_quota_per_quarter) for s in reversed(starts)]


ITEM_STATES = {"open": "Open", "closed": "Done or closed", "all": "All"}


def _in_state(rows: QuerySet, state: str, open_statuses) -> QuerySet:
    """`rows` in the ITEM_STATES `state`: open, closed (the rest) or all."""
    if state == "open":
        return rows.filter(status__in=open_statuses)
    if state == "closed":
        return rows.exclude(status__in=open_statuses)
    return rows


def action_items(vendor: Vendor, *, state: str = "open", side: str = "") -> list[ActionItem]:
    rows = _in_state(ActionItem.objects.active().filter(vendor=vendor)
                     .select_related("vendor", "owner_user", "owner_contact", "meeting__vendor"),
                     state, ACTION_OPEN)
    if side in Side.values:
        rows = rows.filter(side=side)
    return list(rows.order_by("due_on", "id"))


def impediments(vendor: Vendor, *, state: str = "open", kind: str = "") -> list[Impediment]:
    rows = _in_state(Impediment.objects.active().filter(vendor=vendor)
                     .select_related("vendor", "owner_user", "owner_contact")
                     .annotate(update_count=Count("updates", distinct=True)),
                     state, IMPEDIMENT_OPEN)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("raised_on", "id"))


def suggestions(vendor: Vendor, *, state: str = "all", category: str = "") -> list[Suggestion]:
    rows = _in_state(Suggestion.objects.active().filter(vendor=vendor)
                     .select_related("vendor", "submitted_by"), state, SUGGESTION_UNASSESSED)
    if category:
        rows = rows.filter(category=category)
    return list(rows)


@dataclass
class ImpedimentPage:
    impediment: Impediment
    updates: list
    escalations: list
    ladder: list
    flagged: bool
    escalate_after_days: int


def impediment_page(impediment: Impediment) -> ImpedimentPage:
    plan = plan_for(impediment.vendor)
    return ImpedimentPage(
        impediment=impediment,
        updates=list(ImpedimentUpdate.objects.filter(impediment=impediment)
                     .select_related("author")),
        escalations=list(Escalation.objects.filter(impediment=impediment)
                         .select_related("escalated_by", "to_user", "to_contact")),
        ladder=ladder(impediment.vendor),
        flagged=impediment.flagged_for_escalation(plan.escalate_after_days),
        escalate_after_days=plan.escalate_after_days)


# -- the timeline ------------------------------------------------------------------------------

TIMELINE_KINDS = {
    "meetings": "Meetings held",
    "decisions": "Decisions",
    "escalations": "Escalations",
    "impediments": "Impediments",
    "staffing": "Staffing changes",
    "suggestions": "Suggestions",
}


# Kinds of event other apps add to the timeline (`timeline_provide`), so governance never
# imports them: key → (label, events(user, vendor, since, until) -> [TimelineEvent]).
_TIMELINE_PROVIDED: dict = {}


def timeline_provide(key: str, label: str, events) -> None:
    """Add a kind of event to every vendor's timeline, from an AppConfig.ready(). `events`
    reads in a fixed number of queries, scoped by `vendors.access`."""
    TIMELINE_KINDS[key] = label
    _TIMELINE_PROVIDED[key] = events


@dataclass
class TimelineEvent:
    day: date
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    status: str = ""
    status_label: str = ""
    order: int = 0  # ties on one day: the order things happened


@dataclass
class Timeline:
    events: list
    kinds: list
    since: date
    until: date
    counts: dict = field(default_factory=dict)


def timeline(user, vendor: Vendor, *, kinds=None, since: date | None = None,
             until: date | None = None) -> Timeline:
    """What happened with the vendor, newest first: one query per kind of event, so the cost
    does not grow with the vendor's history."""
    today = timezone.localdate()
    until = until or today
    since = since or until - timedelta(days=365)
    kinds = [k for k in (kinds or TIMELINE_KINDS) if k in TIMELINE_KINDS] or list(
        TIMELINE_KINDS)
    slug = vendor.slug
    events: list[TimelineEvent] = []
    meeting_url, impediment_url, suggestion_url = (
        _record_urls(name, slug) for name in ("governance:meeting", "governance:impediment",
                                               "governance:suggestion"))

    def scoped(queryset):
        return access.restrict(queryset, user).filter(vendor=vendor)

    if "meetings" in kinds:
        rows = scoped(Meeting.objects.visible().filter(status=MeetingStatus.HELD)).annotate(
            n_decisions=Count("decisions", distinct=True),
            n_actions=Count("action_items", distinct=True))
        for m in rows.filter(starts_at__date__gte=since - timedelta(days=1),
                             starts_at__date__lte=until + timedelta(days=1)):
            day = m.local_start.date()
            if since <= day <= until:
                events.append(TimelineEvent(
                    day, "meetings", f"{m.title} held",
                    url=meeting_url(m.pk),
                    detail=f"{m.n_decisions} decision{'s' if m.n_decisions != 1 else ''}, "
                           f"{m.n_actions} action item{'s' if m.n_actions != 1 else ''}",
                    status="gov_held", status_label="Held", order=1))
    if "decisions" in kinds:
        rows = scoped(Decision.objects.active().filter(
            meeting__status=MeetingStatus.HELD)).select_related("meeting")
        for d in rows.filter(meeting__starts_at__date__gte=since - timedelta(days=1),
                             meeting__starts_at__date__lte=until + timedelta(days=1)):
            day = d.meeting.local_start.date()
            if since <= day <= until:
                events.append(TimelineEvent(day, "decisions", d.text,
                                            detail=f"Decided at the {d.meeting.title.lower()}",
                                            url=meeting_url(d.meeting_id) + "#decisions",
                                            order=2))
    if "escalations" in kinds:
        rows = scoped(Escalation.objects.filter(escalated_on__range=(since, until))
                      ).select_related("impediment", "to_user", "to_contact")
        for e in rows:
            events.append(TimelineEvent(
                e.escalated_on, "escalations", f"Escalated to {e.get_level_display()}: "
                                               f"{e.impediment.title}",
                detail=f"To {e.recipients}. {e.note}"
                       + (f" Outcome: {e.outcome}" if e.outcome else ""),
                url=impediment_url(e.impediment_id),
                status="gov_escalated", status_label=f"Step {e.level}", order=3))
    if "impediments" in kinds:
        rows = scoped(Impediment.objects.active().filter(
            Q(raised_on__range=(since, until)) | Q(resolved_on__range=(since, until))))
        for i in rows:
            url = impediment_url(i.pk)
            if since <= i.raised_on <= until:
                events.append(TimelineEvent(
                    i.raised_on, "impediments", f"Impediment raised: {i.title}", url=url,
                    detail=f"{i.get_kind_display()} · {i.get_severity_display()} · raised by "
                           f"{i.get_raised_by_side_display().lower()}",
                    status=i.severity, status_label=i.get_severity_display(), order=4))
            if i.resolved_on and since <= i.resolved_on <= until:
                events.append(TimelineEvent(
                    i.resolved_on, "impediments", f"Impediment {i.get_status_display().lower()}:"
                                                  f" {i.title}", url=url, detail=i.resolution,
                    status=f"gov_{i.status}", status_label=i.get_status_display(), order=5))
    if "staffing" in kinds:
        rows = access.restrict(StaffingChange.objects.filter(vendor=vendor), user).filter(
            Q(requested_on__range=(since, until)) | Q(resolved_on__range=(since, until))
        ).select_related("staff_member")
        url = reverse("vendors:people", args=[slug]) + "#staffing-changes"
        for c in rows:
            if since <= c.requested_on <= until:
                events.append(TimelineEvent(
                    c.requested_on, "staffing", f"Staffing change requested: {c}", url=url,
                    detail=f"{c.get_requested_by_side_display()}: {c.reason}",
                    status="requested", status_label="Requested", order=6))
            if c.resolved_on and since <= c.resolved_on <= until:
                events.append(TimelineEvent(
                    c.resolved_on, "staffing", f"Staffing change {c.get_status_display().lower()}"
                                               f": {c}", url=url, detail=c.resolution_note,
                    status=c.status, status_label=c.get_status_display(), order=7))
    if "suggestions" in kinds:
        rows = scoped(Suggestion.objects.active()).filter(
            Q(submitted_on__range=(since, until)) | Q(decided_on__range=(since, until))
            | Q(implemented_on__range=(since, until))
            | Q(outcome_reviewed_on__range=(since, until)))
        for s in rows:
            url = suggestion_url(s.pk)
            steps = [(s.submitted_on, "submitted", "Suggestion submitted",
                      f"{s.get_category_display()} · from "
                      f"{s.get_source_side_display().lower()}"),
                     (s.decided_on, s.status if s.status in ("accepted", "declined")
                      else "accepted", "Suggestion decided", s.decision_rationale),
                     (s.implemented_on, "implemented", "Suggestion implemented", ""),
                     (s.outcome_reviewed_on, "outcome_reviewed", "Outcome reviewed",
                      f"Realised {formats.money(s.realised_value or 0, s.currency, places=0)}. "
                      f"{s.lessons}")]
            for day, status, label, detail in steps:
                if day and since <= day <= until:
                    events.append(TimelineEvent(day, "suggestions", f"{label}: {s.title}",
                                                url=url, detail=detail, status=f"gov_{status}",
                                                status_label=status.replace("_", " ")
                                                .capitalize(), order=8))
    for key, provided in _TIMELINE_PROVIDED.items():
        if key in kinds:
            events.extend(provided(user, vendor, since, until))
    events.sort(key=lambda e: (e.day, -e.order), reverse=True)
    counts = {k: sum(1 for e in events if e.kind == k) for k in kinds}
    return Timeline(events=events, kinds=kinds, since=since, until=until, counts=counts)


def _record_urls(name: str, slug: str):
    """pk -> the URL of one of the vendor's records, one reverse() for all the rows (a
    year of a vendor's timeline holds a few hundred events)."""
    base = reverse(name, args=[slug, 0])
    if not base.endswith("/0/"):
        return lambda pk: reverse(name, args=[slug, pk])
    base = base[:-2]
    return lambda pk: f"{base}{pk}/"


# -- across the portfolio ----------------------------------------------------------------------

@dataclass
class Portfolio:
    upcoming: list
    awaiting_minutes: list
    overdue_actions: list
    flagged_impediments: list
    more: dict = field(default_factory=dict)  # list name → True past PORTFOLIO_LIMIT rows


#: Rows of each list of the reviews portfolio; past it the list says there are more (at
#: 1,000 vendors two weeks hold 2,000 weekly reviews). Filter by vendor or tier for the rest.
PORTFOLIO_LIMIT = 50


def _capped(rows, name: str, more: dict) -> list:
    rows = list(rows[:PORTFOLIO_LIMIT + 1])
    more[name] = len(rows) > PORTFOLIO_LIMIT
    return rows[:PORTFOLIO_LIMIT]


def portfolio(user, *, vendor_id: int | None = None, tier: str = "",
              days: int = 14) -> Portfolio:
    """Where the user needs to act across the vendors they see: meetings coming up, meetings
    over with no minutes, overdue action items, impediments due for escalation."""
    now, today = timezone.now(), timezone.localdate()
    meetings = (access.restrict(Meeting.objects.visible(), user)
                .filter(vendor__archived_at__isnull=True).select_related("vendor"))
    actions = (access.restrict(ActionItem.objects.open(), user)
               .filter(vendor__archived_at__isnull=True, due_on__lt=today)
               .select_related("vendor", "owner_user", "owner_contact", "meeting"))
    # Each impediment with its vendor's escalation age (the plan's, else the default), and
    # only those past it with a step left to climb: filtered, ordered (oldest first: the
    # longest open) and capped in SQL where the database adds days to a date, so the page
    # reads at most a page of them however many are open across the portfolio.
    plan_limit = (GovernancePlan.objects.filter(vendor_id=OuterRef("vendor_id"))
                  .values("escalate_after_days")[:1])
    open_impediments = (access.restrict(Impediment.objects.open(), user)
                        .filter(vendor__archived_at__isnull=True, escalation_level__lt=4)
                        .select_related("vendor", "owner_user", "owner_contact")
                        .annotate(limit=Coalesce(Subquery(plan_limit),
                                                 Value(DEFAULT_ESCALATE_AFTER_DAYS)))
                        .order_by("raised_on", "id"))
    if vendor_id:
        meetings = meetings.filter(vendor_id=vendor_id)
        actions = actions.filter(vendor_id=vendor_id)
        open_impediments = open_impediments.filter(vendor_id=vendor_id)
    if tier in Tier.values:
        meetings = meetings.filter(tier=tier)
    if connection.features.has_native_duration_field:
        open_impediments = open_impediments.filter(raised_on__lt=ExpressionWrapper(
            Value(today) - F("limit") * Value(timedelta(days=1)),
            output_field=DateField()))[:PORTFOLIO_LIMIT + 1]
    # The rule itself (`Impediment.flagged_for_escalation`) decides; SQL has kept only the
    # rows it flags (SQLite cannot multiply a duration: there this filter does it all).
    flagged = [i for i in open_impediments if i.flagged_for_escalation(i.limit)]
    more: dict = {}
    return Portfolio(
        upcoming=_capped(meetings.filter(status=MeetingStatus.SCHEDULED, ends_at__gte=now,
                                         starts_at__lte=now + timedelta(days=days)),
                         "upcoming", more),
        awaiting_minutes=_capped(meetings.awaiting_minutes().order_by("-starts_at"),
                                 "awaiting_minutes", more),
        overdue_actions=_capped(actions.order_by("due_on", "id"), "overdue_actions", more),
        flagged_impediments=_capped(flagged, "flagged_impediments", more),
        more=more,
    )


@dataclass
class MyWork:
    action_items: list
    meetings: list
    impediments: list
    vendor_side_items: list


def my_work(user, *, days: int = 28) -> MyWork:
    """The signed-in person's own action items, reviews and impediments. A vendor user owns
    nothing personally: they see their side's open action items instead."""
    now = timezone.now()
    meetings = (access.restrict(Meeting.objects.upcoming(), user)
                .filter(starts_at__lte=now + timedelta(days=days)).select_related("vendor"))
    vendor_side = []
    if user.is_vendor_user:
        meetings_list = list(meetings)
        vendor_side = list(access.restrict(ActionItem.objects.open(), user)
                           .filter(side=Side.VENDOR)
                           .select_related("vendor", "owner_contact", "meeting")
                           .order_by("due_on", "id"))
    else:
        meetings_list = list(meetings.filter(attendances__user=user).distinct())
    return MyWork(
        action_items=list(access.restrict(ActionItem.objects.open(), user)
                          .filter(owner_user=user).select_related("vendor", "meeting")
                          .order_by("due_on", "id")),
        meetings=meetings_list,
        impediments=list(access.restrict(Impediment.objects.open(), user)
                         .filter(owner_user=user).select_related("vendor")),
        vendor_side_items=vendor_side,
    )


# -- calendar ------------------------------------------------------------------------------------

FEED_PAST = timedelta(days=92)


def calendar_feed_find(raw: str) -> CalendarFeed | None:
    """The live feed the secret address `raw` opens, or None (one query at most)."""
    return CalendarFeed.find(raw)


def calendar_meetings(user) -> list[Meeting]:
    """The person's governance meetings for their calendar: those they are invited to (a
    vendor user: their vendor's), from three months back to the planning horizon."""
    meetings = (access.restrict(Meeting.objects.visible(), user)
                .filter(starts_at__gte=timezone.now() - FEED_PAST,
                        vendor__archived_at__isnull=True).select_related("vendor"))
    if not user.is_vendor_user:
        meetings = meetings.filter(attendances__user=user).distinct()
    return list(meetings.order_by("starts_at"))


def active_feed(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()





# -- dashboards: set-based reads across the vendors a person sees ------------------------------
# Each is one scoped query (two where a plan's limit is needed), however many vendors there
# are; `vendor_ids` narrows them (ids already in the person's scope).


def _live(queryset, user, vendor_ids=None):
    queryset = access.restrict(queryset, user).filter(vendor__archived_at__isnull=True)
    return queryset if vendor_ids is None else queryset.filter(vendor_id__in=vendor_ids)


def action_items_open(user, *, owner=None, side: str = "", vendor_ids=None,
                      vendor: Vendor | None = None) -> list[ActionItem]:
    """Open action items (of `owner`, or of one side), the longest overdue first. `vendor`:
    one vendor's (a page's, read through `vendors.access` already), not joined again."""
    rows = _live(ActionItem.objects.open(), user, [vendor.pk] if vendor else vendor_ids)
    if owner is not None:
        rows = rows.filter(owner_user=owner)
    if side:
        rows = rows.filter(side=side)
    if vendor is not None:
        return _of_vendor(rows.select_related("owner_user", "owner_contact", "meeting")
                          .order_by("due_on", "id"), vendor, "meeting")
    return list(rows.select_related("vendor", "owner_user", "owner_contact", "meeting__vendor")
                .order_by("due_on", "id"))


def _of_vendor(rows, vendor: Vendor, *related: str) -> list:
    """`rows` of `vendor`, each (and its `related` records) given the vendor object."""
    rows = list(rows)
    for row in rows:
        row.vendor = vendor
        for name in related:
            if getattr(row, f"{name}_id") is not None:
                getattr(row, name).vendor = vendor
    return rows


def impediments_open(user, *, vendor_ids=None, vendor: Vendor | None = None
                     ) -> list[Impediment]:
    """Open impediments, oldest first, each with `limit` (its plan's escalation age) and
    `flagged` (older than that with a rung left to climb). `vendor`: one vendor's (a
    page's, read through `vendors.access` already), not joined again."""
    plan_limit = (GovernancePlan.objects.filter(vendor_id=OuterRef("vendor_id"))
                  .values("escalate_after_days")[:1])
    rows = (_live(Impediment.objects.open(), user, [vendor.pk] if vendor else vendor_ids)
            .select_related(*(() if vendor else ("vendor",)), "owner_user", "owner_contact")
            .annotate(plan_limit=Subquery(plan_limit))
            .order_by("raised_on", "id"))
    rows = _of_vendor(rows, vendor) if vendor is not None else list(rows)
    for i in rows:
        i.limit = DEFAULT_ESCALATE_AFTER_DAYS if i.plan_limit is None else i.plan_limit
        i.flagged = i.flagged_for_escalation(i.limit)
    return rows


def meetings_between(user, start, end, *, attendee=None, tier: str = "",
                     vendor_ids=None, limit: int | None = None) -> list[Meeting]:
    """Scheduled or held meetings starting in [start, end) (those `attendee` is invited to);
    the first `limit` of them only, read with LIMIT (a home page shows a few of a thousand)."""
    rows = _meetings_between(user, start, end, tier=tier, vendor_ids=vendor_ids)
    if attendee is not None:
        rows = rows.filter(attendances__user=attendee).distinct()
    return list(rows if limit is None else rows[:limit])


def meetings_between_counted(user, start, end, *, tier: str = "", limit: int
                             ) -> tuple[list[Meeting], int]:
    """The first `limit` of `meetings_between` and how many there are in all, in one query
    (the count is a window over the rows, computed before the LIMIT)."""
    rows = list(_meetings_between(user, start, end, tier=tier)
                .annotate(total_between=Window(Count("id")))[:limit])
    return rows, rows[0].total_between if rows else 0


def _meetings_between(user, start, end, *, tier: str = "", vendor_ids=None):
    rows = (_live(Meeting.objects.visible(), user, vendor_ids)
            .filter(starts_at__gte=start, starts_at__lt=end)
            .exclude(status=MeetingStatus.CANCELLED).select_related("vendor"))
    if tier:
        rows = rows.filter(tier=tier)
    return rows.order_by("starts_at", "id")


@dataclass
class TierReviews:
    tier: str
    label: str
    last: Meeting | None
    next: Meeting | None


def reviews_by_tier(vendor: Vendor) -> list[TierReviews]:
    """The last held and the next scheduled meeting of each tier of the vendor (one query),
    read once per vendor object: the vendor page's header (its next review, `next_review`)
    and its Overview tab's vendor 360 are separate template tags of one request that share
    only the page's vendor object, so the second reuses what the first read (a vendor object
    lives for one request)."""
    reviews = vendor.__dict__.get("_reviews_by_tier")
    if reviews is None:
        reviews = vendor.__dict__["_reviews_by_tier"] = _reviews_by_tier(vendor)
    return reviews


def reviews_hold_until(vendor: Vendor):
    """Until when `reviews_by_tier(vendor)` holds without a write (no query: the reviews the
    page read): a scheduled meeting is "next" until it has ended, then the one after it is.
    The last held ones change only when a meeting is marked held (a write)."""
    return min((r.next.ends_at for r in reviews_by_tier(vendor) if r.next is not None),
               default=None)


def next_review(vendor: Vendor) -> Meeting | None:
    """The vendor's next scheduled meeting of any tier (the header's next review): the
    earliest of `reviews_by_tier`'s."""
    return min((r.next for r in reviews_by_tier(vendor) if r.next is not None),
               key=lambda m: (m.starts_at, m.pk), default=None)


def _reviews_by_tier(vendor: Vendor) -> list[TierReviews]:
    now = timezone.now()
    # Every held meeting of the vendor is sorted to find each tier's last (hundreds after a
    # few years of weekly reviews): without their minutes and agenda snapshot, which the
    # header and the 360 do not show, the sort moves half the bytes. The vendor is the
    # page's, not joined again.
    meetings = Meeting.objects.visible().filter(vendor=vendor).defer("minutes",
                                                                     "agenda_snapshot")
    held = Q(status=MeetingStatus.HELD)
    upcoming = Q(status=MeetingStatus.SCHEDULED, ends_at__gte=now)
    # One row per (tier, status): a held meeting's newest start sorts first (the CASE is null
    # for scheduled ones, which then sort by their earliest start).
    order = [Case(When(held, then=F("starts_at"))).desc(nulls_last=True), F("starts_at").asc(),
             F("id").asc()]
    rows = meetings.filter(held | upcoming)
    if _distinct_on():
        first = list(rows.order_by("tier", "status", *order).distinct("tier", "status"))
    else:  # no DISTINCT ON (SQLite): the first row of each (tier, status) window
        first = list(rows.annotate(nth=Window(RowNumber(), partition_by=[F("tier"), F("status")],
                                              order_by=order)).filter(nth=1))
    for m in first:
        m.vendor = vendor
    last = {m.tier: m for m in first if m.status == MeetingStatus.HELD}
    nxt = {m.tier: m for m in first if m.status == MeetingStatus.SCHEDULED}
    return [TierReviews(t.value, t.label, last.get(t.value), nxt.get(t.value)) for t in Tier]


def _distinct_on() -> bool:
    return connection.features.can_distinct_on_fields


@dataclass
class PipelineStage:
    status: str
    label: str
    count: int
    estimated: dict  # currency -> amount
    realised: dict  # currency -> amount


def innovation_pipeline(user, *, vendor_ids=None, since: date | None = None,
                        until: date | None = None) -> list[PipelineStage]:
    """Suggestions per stage with their estimated and realised value per currency (one
    aggregate query); `since`/`until` bound the submission date."""
    rows = _live(Suggestion.objects.active(), user, vendor_ids)
    if since is not None:
        rows = rows.filter(submitted_on__gte=since)
    if until is not None:
        rows = rows.filter(submitted_on__lte=until)
    found: dict = {}
    for row in rows.values("status", "currency").annotate(
            n=Count("id"), est=Sum("estimated_value"), real=Sum("realised_value")):
        stage = found.setdefault(row["status"], {"n": 0, "est": {}, "real": {}})
        stage["n"] += row["n"]
        if row["est"]:
            stage["est"][row["currency"]] = row["est"]
        if row["real"]:
            stage["real"][row["currency"]] = row["real"]
    return [PipelineStage(s.value, s.label, found.get(s.value, {}).get("n", 0),
                          found.get(s.value, {}).get("est", {}),
                          found.get(s.value, {}).get("real", {}))
            for s in SuggestionStatus]


def suggestions_decided(vendor: Vendor, first: date, last: date) -> list[Suggestion]:
    """The vendor's suggestions decided, implemented or reviewed between `first` and `last`."""
    return list(Suggestion.objects.active().filter(vendor=vendor).filter(
        Q(decided_on__range=(first, last)) | Q(implemented_on__range=(first, last))
        | Q(outcome_reviewed_on__range=(first, last))).select_related("vendor")
        .order_by("decided_on", "id"))


def decisions_between(vendor: Vendor, start, end) -> list[Decision]:
    return list(Decision.objects.filter(vendor=vendor, archived_at__isnull=True,
                                        meeting__starts_at__gte=start,
                                        meeting__starts_at__lt=end)
                .select_related("meeting__vendor").order_by("recorded_at", "id"))


# -- across vendors, for the warning signs (`signs`): each one query, whatever the number --
# of vendors; system reads (the caller judges which vendors). Windows are
# {key: (first, last)}, first included and last excluded.


def vendor_side_attendance(vendor_ids, *, windows: dict) -> list[dict]:
    """Per vendor contact invited to held reviews, how often they were there in each window
    (datetimes): [{"vendor_id", "contact_id", "name", "role", key: (present, recorded)}],
    counting the reviews where presence was recorded."""
    aggregates = {}
    for key, (first, last) in windows.items():
        inside = Q(meeting__starts_at__gte=first, meeting__starts_at__lt=last)
        aggregates[f"{key}__present"] = Count("pk", filter=inside & Q(present=True))
        aggregates[f"{key}__recorded"] = Count("pk", filter=inside)
    rows = (Attendance.objects
            .filter(vendor_id__in=vendor_ids, contact__isnull=False, present__isnull=False,
                    meeting__status=MeetingStatus.HELD, meeting__archived_at__isnull=True)
            .order_by().values("vendor_id", "contact_id", "contact__name", "contact__role")
            .annotate(**aggregates).order_by("vendor_id", "contact_id"))
    return [{"vendor_id": row["vendor_id"], "contact_id": row["contact_id"],
             "name": row["contact__name"], "role": row["contact__role"],
             **{key: (row[f"{key}__present"], row[f"{key}__recorded"]) for key in windows}}
            for row in rows]


def vendor_suggestion_counts(vendor_ids, *, windows: dict) -> dict[int, dict[str, int]]:
    """{vendor id: {window key: n}}: innovation suggestions the vendor's team submitted in
    each window (dates); archived ones too (they were submitted)."""
    aggregates = {key: Count("pk", filter=Q(submitted_on__gte=first, submitted_on__lt=last))
                  for key, (first, last) in windows.items()}
    rows = (Suggestion.objects.filter(vendor_id__in=vendor_ids, source_side=Side.VENDOR)
            .order_by().values("vendor_id").annotate(**aggregates))
    return {row["vendor_id"]: {key: row[key] for key in windows} for row in rows}


def impediments_since(vendor_ids, *, since: date) -> list[Impediment]:
    """Impediments (not archived) raised or resolved on or after `since`, oldest first."""
    return list(Impediment.objects
                .filter(Q(raised_on__gte=since) | Q(resolved_on__gte=since),
                        vendor_id__in=vendor_ids, archived_at__isnull=True)
                .order_by("vendor_id", "raised_on", "pk"))


def reviews_between(vendor_ids, *, first, last) -> list[Meeting]:
    """Meetings of the recurring tiers (not taken out of their series) that start between
    `first` and `last` (datetimes), whatever became of them."""
    return list(Meeting.objects
                .filter(vendor_id__in=vendor_ids, tier__in=RECURRING_TIERS,
                        archived_at__isnull=True, starts_at__gte=first, starts_at__lt=last)
                .order_by("vendor_id", "starts_at", "pk"))


def action_items_carried_over(vendor_ids, *, more_than: int) -> list[ActionItem]:
    """Open action items that came back, still open, on more than `more_than` held reviews
    after they were raised: every weekly review carries a vendor's open items, and a monthly
    or quarterly review those raised at its own level (`agenda.open_action_items`).
    `carried` holds the count."""
    later = (Meeting.objects
             .filter(Q(tier=Tier.WEEKLY) | Q(tier=OuterRef("meeting__tier")),
                     vendor_id=OuterRef("vendor_id"), status=MeetingStatus.HELD,
                     archived_at__isnull=True, starts_at__gt=OuterRef("created_at"))
             .order_by().values("vendor_id").annotate(n=Count("pk")).values("n"))
    return list(ActionItem.objects
                .filter(vendor_id__in=vendor_ids, status__in=ACTION_OPEN,
                        archived_at__isnull=True)
                .annotate(carried=Coalesce(Subquery(later), 0))
                .filter(carried__gt=more_than)
                .order_by("vendor_id", "-carried", "pk"))
