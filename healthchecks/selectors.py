"""Reads of health checks: plans, cycles with their results, response rates, the portfolio.
Every query of a vendor's records is scoped by `vendors.access` where a user asks."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from healthchecks import scoring
from healthchecks.choices import CYCLE_OPEN, CycleStatus, Dimension, Group, RevisionStatus
from healthchecks.models import (
    MIN_RESPONDENTS,
    Answer,
    Cycle,
    HealthCheckPlan,
    Invitation,
    Transition,
    add_months,
)
from vendorgov.roles import Role
from vendors import access
from vendors.access import Action
from vendors.choices import AssignmentRole, ContactRole, Criticality
from vendors.models import Contact, Vendor


def default_interval(vendor: Vendor) -> int:
    """Six months for critical vendors, twelve for the rest (issue 11)."""
    return 6 if vendor.criticality == Criticality.CRITICAL else 12


def plan_for(vendor: Vendor) -> HealthCheckPlan:
    """The vendor's plan; an unsaved default (due one interval after the vendor was added)
    when none was written."""
    plan = HealthCheckPlan.objects.filter(vendor=vendor).first()
    return plan if plan is not None else _default_plan(vendor)


def _default_plan(vendor: Vendor) -> HealthCheckPlan:
    months = default_interval(vendor)
    start = timezone.localtime(vendor.created_at).date()
    return HealthCheckPlan(vendor=vendor, interval_months=months,
                           next_due=add_months(start, months))


def last_closed(vendor: Vendor) -> Cycle | None:
    return (Cycle.objects.filter(vendor=vendor, status=CycleStatus.CLOSED)
            .order_by("-closed_on", "-pk").first())


def last_transition(cycle: Cycle) -> Transition | None:
    return cycle.transitions.select_related("by").order_by("-at", "-pk").first()


def vendor_manager_of(vendor: Vendor):
    """Who runs the vendor's health checks: a vendor manager assigned to it, else its
    relationship owner, else the first vendor manager."""
    users = get_user_model().objects.filter(is_active=True)
    assigned = users.filter(assignments__vendor=vendor)
    return (assigned.filter(role=Role.VENDOR_MANAGER).order_by("pk").first()
            or assigned.filter(assignments__role=AssignmentRole.RELATIONSHIP_OWNER)
            .order_by("pk").first()
            or users.filter(role=Role.VENDOR_MANAGER).order_by("pk").first())


def review_contacts(vendor: Vendor) -> list[Contact]:
    return list(Contact.objects.active().filter(
        vendor=vendor, role__in=(ContactRole.ACCOUNT_EXECUTIVE, ContactRole.OUTSOURCED_LEAD)))


def cycles(user, vendor: Vendor):
    return (access.restrict(Cycle.objects.filter(vendor=vendor), user)
            .select_related("assignee", "review_meeting").order_by("-due_on", "-pk"))


def cycle_get(user, vendor: Vendor, pk, action: Action = Action.VIEW) -> Cycle:
    return get_object_or_404(access.restrict(Cycle.objects.filter(vendor=vendor), user, action)
                             .select_related("vendor", "assignee", "template_version__template",
                                             "review_meeting"), pk=pk)


def submitted_count(cycle: Cycle) -> int:
    return cycle.invitations.filter(submitted_at__isnull=False).count()


def invitations_unanswered(*, cycle: Cycle | None = None, vendor: Vendor | None = None):
    """Invitations still waiting for answers while their cycle collects input: the nudge
    button's list, and the seam for the reminders app (unanswered surveys)."""
    rows = Invitation.objects.filter(submitted_at__isnull=True, revoked_at__isnull=True,
                                     cycle__status=CycleStatus.COLLECTING,
                                     cycle__collection_ends_on__gte=timezone.localdate())
    if cycle is not None:
        rows = rows.filter(cycle=cycle)
    if vendor is not None:
        rows = rows.filter(vendor=vendor)
    return rows.select_related("cycle__vendor").order_by("cycle", "group", "email")


@dataclass
class GroupRate:
    group: str
    label: str
    invited: int
    submitted: int
    started: int

    @property
    def rate(self) -> int | None:
        return scoring.response_rate(self.invited, self.submitted)


def _surveys_of(user):
    """The health-check surveys `user` was asked to answer, by account or at their email
    address: the ones their emailed links open (a vendor user: only their own vendor's)."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    mine = Q(user=user) | Q(email__iexact=user.email) if user.email else Q(user=user)
    rows = Invitation.objects.filter(mine).select_related("cycle__vendor")
    return access.restrict(rows, user) if user.is_vendor_user else rows


def surveys_waiting(user):
    """`user`'s surveys still open to them (not withdrawn, not submitted, the cycle
    collecting and its collection not over), soonest end first: so a signed-in person can
    answer without the email at hand."""
    return (_surveys_of(user)
            .filter(revoked_at__isnull=True, submitted_at__isnull=True,
                    cycle__status=CycleStatus.COLLECTING)
            .filter(Q(cycle__collection_ends_on__isnull=True)
                    | Q(cycle__collection_ends_on__gte=timezone.localdate()))
            .order_by(F("cycle__collection_ends_on").asc(nulls_last=True), "pk"))


def survey_of(user, pk) -> Invitation:
    """One of `user`'s surveys, in whatever state (404 for anyone else's)."""
    return get_object_or_404(_surveys_of(user), pk=pk)


def response_rates(cycle: Cycle) -> list[GroupRate]:
    """Per group: invited (not removed), submitted, started; one query."""
    counts = {row["group"]: row for row in cycle.invitations.filter(
        revoked_at__isnull=True).values("group").annotate(
        invited=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        started=Count("pk", filter=Q(started_at__isnull=False, submitted_at__isnull=True)))}
    return [GroupRate(g.value, g.label, counts.get(g, {}).get("invited", 0),
                      counts.get(g, {}).get("submitted", 0), counts.get(g, {}).get("started", 0))
            for g in Group]


def _responses(cycle: Cycle) -> list[scoring.Response]:
    """Submitted answers only: a draft counts once it is handed in."""
    return _responses_of([cycle]).get(cycle.pk, [])


def _responses_of(cycles: list[Cycle]) -> dict[int, list[scoring.Response]]:
    """cycle id → its submitted answers, for many cycles in one query."""
    rows = (Answer.objects.filter(invitation__cycle__in=cycles,
                                  invitation__submitted_at__isnull=False)
            .values_list("invitation__cycle_id", "invitation_id", "invitation__group",
                         "question__dimension", "score", "comment"))
    found: dict[int, list[scoring.Response]] = {}
    for cycle_id, *row in rows:
        found.setdefault(cycle_id, []).append(scoring.Response(*row))
    return found


#: `results(previous=LOOK_UP)`: find the cycle before (None means there is none).
LOOK_UP = object()


def results(cycle: Cycle, *, previous=LOOK_UP, groups: list[str] | None = None,
            responses: dict | None = None) -> scoring.Results:
    """The cycle's results by dimension and group, compared with `previous` (by default the
    vendor's cycle before it that had results). `responses` (from _responses_of) spares the
    queries when the caller read the answers of many cycles at once."""
    dims = [d.value for d in Dimension]
    groups = groups or [g.value for g in Group]
    if previous is LOOK_UP:
        previous = previous_cycle(cycle)
    if responses is None:
        responses = _responses_of([c for c in (cycle, previous) if c is not None])
    before = None
    if previous is not None:
        old = scoring.score(responses.get(previous.pk, []), dimensions=dims,
                            groups=[g.value for g in Group], min_n=MIN_RESPONDENTS)
        before = {d.dimension: d.overall.mean for d in old.dimensions if d.overall.shown}
    return scoring.score(responses.get(cycle.pk, []), dimensions=dims, groups=groups,
                         min_n=MIN_RESPONDENTS, previous=before)


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return (Cycle.objects.filter(vendor_id=cycle.vendor_id, due_on__lt=cycle.due_on,
                                 status=CycleStatus.CLOSED, closed_without_responses=False)
            .order_by("-due_on").first())


def results_of(cycles: list[Cycle]) -> dict[int, scoring.Results]:
    """cycle id → results (as `results(cycle)`) for a page of cycles, in two queries: the
    cycles before them and every answer of both."""
    cycles = list(cycles)
    earlier = list(Cycle.objects.filter(vendor_id__in={c.vendor_id for c in cycles},
                                        status=CycleStatus.CLOSED,
                                        closed_without_responses=False).order_by("-due_on"))
    previous = {c.pk: next((e for e in earlier if e.vendor_id == c.vendor_id
                            and e.due_on < c.due_on), None) for c in cycles}
    responses = _responses_of([*cycles, *filter(None, previous.values())])
    return {c.pk: results(c, previous=previous[c.pk], responses=responses) for c in cycles}


def vendor_may_see_results(user, cycle: Cycle) -> bool:
    """The vendor's people see results and findings only once they are shared."""
    return not getattr(user, "is_vendor_user", False) or cycle.shared_with_vendor


@dataclass
class CyclePage:
    cycle: Cycle
    rates: list
    results: scoring.Results | None
    transitions: list
    findings: list
    actions: list
    revisions: list
    invitations: list
    previous: Cycle | None
    proposed: list = field(default_factory=list)


def cycle_page(cycle: Cycle) -> CyclePage:
    previous = previous_cycle(cycle)
    shows_results = cycle.status != CycleStatus.PLANNED
    revisions = list(cycle.revisions.select_related("principle", "decided_by"))
    return CyclePage(
        cycle=cycle, rates=response_rates(cycle),
        results=results(cycle, previous=previous) if shows_results else None,
        transitions=list(cycle.transitions.select_related("by")),
        findings=list(cycle.findings.active()),
        actions=list(cycle.actions.select_related("action_item__owner_user",
                                                  "action_item__owner_contact", "finding")),
        revisions=revisions, invitations=list(cycle.invitations.select_related("user",
                                                                               "contact")),
        previous=previous,
        proposed=[r for r in revisions if r.status == RevisionStatus.PROPOSED])


# -- across the portfolio ------------------------------------------------------------------

@dataclass
class PortfolioRow:
    vendor: Vendor
    plan: HealthCheckPlan
    last: Cycle | None
    current: Cycle | None
    overall: float | None
    previous_overall: float | None

    @property
    def overdue_days(self) -> int:
        if self.current is not None:
            return 0
        return max(0, (timezone.localdate() - self.plan.next_due).days)

    @property
    def trend(self) -> float | None:
        if self.overall is None or self.previous_overall is None:
            return None
        return round(self.overall - self.previous_overall, 2)


def portfolio(user) -> list[PortfolioRow]:
    """Last and next health check per vendor the user sees, overall score and trend;
    overdue first, then by the next due date."""
    vendors = list(access.vendors(user).filter(archived_at__isnull=True).order_by("name"))
    plans = {p.vendor_id: p for p in HealthCheckPlan.objects.filter(vendor__in=vendors)}
    closed: dict[int, list[Cycle]] = {}
    for c in (Cycle.objects.filter(vendor__in=vendors, status=CycleStatus.CLOSED)
              .select_related("vendor").order_by("-closed_on", "-pk")):
        closed.setdefault(c.vendor_id, []).append(c)
    current = {c.vendor_id: c for c in Cycle.objects.filter(vendor__in=vendors,
                                                            status__in=CYCLE_OPEN)
               .select_related("vendor")}
    done = {v.pk: [c for c in closed.get(v.pk, []) if not c.closed_without_responses]
            for v in vendors}
    # The last three cycles with answers of each vendor: the last one's score, the one
    # before's (the trend) and the one before that (the one before's own comparison).
    responses = _responses_of([c for cycles in done.values() for c in cycles[:3]])
    rows = []
    for v in vendors:
        last = done[v.pk][:3] + [None, None, None]
        overall = results(last[0], previous=last[1], responses=responses).overall \
            if last[0] else None
        before = results(last[1], previous=last[2], responses=responses).overall \
            if last[1] else None
        rows.append(PortfolioRow(v, plans.get(v.pk) or _default_plan(v),
                                 (closed.get(v.pk) or [None])[0], current.get(v.pk), overall,
                                 before))
    rows.sort(key=lambda r: (-r.overdue_days, r.plan.next_due, r.vendor.name))
    return rows


def next_due(vendor: Vendor, plan: HealthCheckPlan | None = None
             ) -> tuple[date, bool, Cycle | None]:
    """For the vendor header: when the next health check is due, whether it is overdue, and
    the cycle under way if there is one. `plan`: the vendor's plan, when the page has it."""
    cycles = _vendor_cycles(vendor)
    current = next((c for c in cycles if c.status in CYCLE_OPEN), None)
    if plan is None or plan.vendor_id != vendor.pk:
        plan = _vendor_plan(vendor) or _default_plan(vendor)
    return plan.next_due, current is None and plan.is_overdue, current


# The vendor page's header (`next_due`) and its Overview tab's vendor 360
# (`health_by_vendor(vendor=...)`) are separate template tags of one request that share only
# the page's vendor object, so each read below is made once per vendor object and the second
# tag reuses the first's (a vendor object lives for one request).


def _vendor_cycles(vendor: Vendor) -> list[Cycle]:
    """The vendor's cycles under way or closed with responses, newest closed first (one
    query, once per vendor object)."""
    cycles = vendor.__dict__.get("_health_cycles")
    if cycles is None:
        cycles = vendor.__dict__["_health_cycles"] = list(
            Cycle.objects.filter(vendor=vendor).filter(
                Q(status__in=CYCLE_OPEN)
                | Q(status=CycleStatus.CLOSED, closed_without_responses=False))
            .order_by(F("closed_on").desc(nulls_last=True), "-pk"))
        for c in cycles:
            c.vendor = vendor  # their links name the vendor: no query per cycle
    return cycles


def _vendor_plan(vendor: Vendor) -> HealthCheckPlan | None:
    """The vendor's written plan, None without one (one query, once per vendor object)."""
    if "_health_plan" not in vendor.__dict__:
        vendor.__dict__["_health_plan"] = HealthCheckPlan.objects.filter(vendor=vendor).first()
    return vendor.__dict__["_health_plan"]


# -- dashboards: set-based reads across the vendors a person sees ----------------------------


@dataclass
class VendorHealth:
    vendor_id: int
    next_due: date | None
    current: Cycle | None  # the cycle under way
    scores: list[tuple[Cycle, float | None]]  # closed cycles with results, newest first

    @property
    def last(self) -> float | None:
        return self.scores[0][1] if self.scores else None

    @property
    def last_cycle(self) -> Cycle | None:
        return self.scores[0][0] if self.scores else None

    @property
    def change(self) -> float | None:
        if len(self.scores) < 2 or self.last is None or self.scores[1][1] is None:
            return None
        return round(self.last - self.scores[1][1], 2)

    @property
    def is_overdue(self) -> bool:
        return (self.current is None and self.next_due is not None
                and self.next_due < timezone.localdate())


def health_by_vendor(user, *, vendor_ids=None, vendor: Vendor | None = None,
                     vendors: list[Vendor] | None = None,
                     cycles: int = 4) -> dict[int, VendorHealth]:
    """Per vendor the person sees: next due date, the cycle under way and the overall score of
    its last `cycles` closed cycles (four queries, however many vendors). `vendor`: one vendor
    the caller has read through `vendors.access` already (the vendor page's), so it is not
    scoped again, and the plan and cycles the page's header read are reused (one query).
    `vendors`: live vendors the caller has read through `vendors.access` already (a home
    page's), not scoped again either (three queries)."""
    shared_only = getattr(user, "is_vendor_user", False)
    if vendor is not None:
        if vendor.archived_at is not None:
            return {}  # as for the portfolio: archived vendors have no health figures
        ids = [vendor.pk]
        plan = _vendor_plan(vendor)
        due = {vendor.pk: plan.next_due} if plan is not None else {}
        rows = [c for c in _vendor_cycles(vendor) if c.status in CYCLE_OPEN
                or not shared_only or c.shared_with_vendor]
    else:
        if vendors is not None:
            ids = [v.pk for v in vendors if v.archived_at is None]
        else:
            visible = access.vendors(user).filter(archived_at__isnull=True)
            if vendor_ids is not None:
                visible = visible.filter(pk__in=vendor_ids)
            ids = list(visible.values_list("pk", flat=True))
        due = dict(HealthCheckPlan.objects.filter(vendor_id__in=ids)
                   .values_list("vendor_id", "next_due"))
        scored = Q(status=CycleStatus.CLOSED, closed_without_responses=False)
        if shared_only:
            # The vendor's people see results only once they are shared
            # (vendor_may_see_results).
            scored &= Q(shared_with_vendor=True)
        # The cycles under way and the closed ones scored, in one read.
        rows = (Cycle.objects.filter(vendor_id__in=ids).filter(Q(status__in=CYCLE_OPEN) | scored)
                .order_by(F("closed_on").desc(nulls_last=True), "-pk"))
    current: dict[int, Cycle] = {}
    closed: dict[int, list[Cycle]] = {}
    for c in rows:
        if c.status in CYCLE_OPEN:
            current[c.vendor_id] = c
        elif len(closed.setdefault(c.vendor_id, [])) < cycles:
            closed[c.vendor_id].append(c)
    overall = _overall_scores([c.pk for kept in closed.values() for c in kept])
    return {vid: VendorHealth(vid, due.get(vid), current.get(vid), [
        (c, overall[c.pk]) for c in closed.get(vid, [])]) for vid in ids}


def _overall_scores(cycle_ids) -> dict[int, float | None]:
    """cycle id → its overall score (None: too few answers), from the submitted answers in
    one query (none when there is no cycle)."""
    responses: dict[int, list[scoring.Response]] = {pk: [] for pk in cycle_ids}
    if not responses:
        return {}
    for cycle_id, *row in (Answer.objects.filter(invitation__cycle_id__in=list(responses),
                                                 invitation__submitted_at__isnull=False)
                           .values_list("invitation__cycle_id", "invitation_id",
                                        "invitation__group", "question__dimension", "score",
                                        "comment")):
        responses[cycle_id].append(scoring.Response(*row))
    dims, groups = [d.value for d in Dimension], [g.value for g in Group]
    return {pk: scoring.score(rows, dimensions=dims, groups=groups,
                              min_n=MIN_RESPONDENTS).overall for pk, rows in responses.items()}


def scores_closed_since(user, since: date) -> list[tuple[date, float | None]]:
    """(day closed, overall score) of every health check with results closed on or after
    `since` for the live vendors the person sees: a portfolio trend's input, read for those
    cycles only (two queries; the answers of older cycles are not read)."""
    scored = Q(status=CycleStatus.CLOSED, closed_without_responses=False, closed_on__gte=since)
    if getattr(user, "is_vendor_user", False):
        scored &= Q(shared_with_vendor=True)
    cycles = list(Cycle.objects.filter(scored, vendor__in=access.vendors(user).filter(
        archived_at__isnull=True)).values_list("pk", "closed_on").order_by("closed_on", "pk"))
    overall = _overall_scores([pk for pk, _ in cycles])
    return [(closed_on, overall[pk]) for pk, closed_on in cycles]


def overdue_by_vendor(vendors, *, today: date) -> dict[int, date]:
    """{vendor id: the day its health check was due} for those of `vendors` whose health
    check is overdue: past the due day of its plan (or of the default plan) with no cycle
    under way. For the warning signs (`signs`): two queries, whatever the number of vendors."""
    vendors = list(vendors)
    plans = {p.vendor_id: p for p in HealthCheckPlan.objects.filter(vendor__in=vendors)}
    running = set(Cycle.objects.open().filter(vendor__in=vendors)
                  .values_list("vendor_id", flat=True))
    overdue = {}
    for v in vendors:
        plan = plans.get(v.pk) or _default_plan(v)
        if v.pk not in running and plan.next_due < today:
            overdue[v.pk] = plan.next_due
    return overdue
