"""Reads of health checks: plans, cycles with their results, response rates, the portfolio.
Every query of a vendor's records is scoped by `vendors.access` where a user asks."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
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
    rows = (Answer.objects.filter(invitation__cycle=cycle, invitation__submitted_at__isnull=False)
            .values_list("invitation_id", "invitation__group", "question__dimension", "score",
                         "comment"))
    return [scoring.Response(*row) for row in rows]


def results(cycle: Cycle, *, previous: Cycle | None = None,
            groups: list[str] | None = None) -> scoring.Results:
    """The cycle's results by dimension and group, compared with `previous` (by default the
    vendor's cycle before it that had results)."""
    dims = [d.value for d in Dimension]
    groups = groups or [g.value for g in Group]
    if previous is None:
        previous = previous_cycle(cycle)
    before = None
    if previous is not None:
        old = scoring.score(_responses(previous), dimensions=dims, groups=[g.value for g in Group],
                            min_n=MIN_RESPONDENTS)
        before = {d.dimension: d.overall.mean for d in old.dimensions if d.overall.shown}
    return scoring.score(_responses(cycle), dimensions=dims, groups=groups,
                         min_n=MIN_RESPONDENTS, previous=before)


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return (Cycle.objects.filter(vendor_id=cycle.vendor_id, due_on__lt=cycle.due_on,
                                 status=CycleStatus.CLOSED, closed_without_responses=False)
            .order_by("-due_on").first())


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
              .order_by("-closed_on", "-pk")):
        closed.setdefault(c.vendor_id, []).append(c)
    current = {c.vendor_id: c for c in Cycle.objects.filter(vendor__in=vendors,
                                                            status__in=CYCLE_OPEN)}
    rows = []
    for v in vendors:
        done = [c for c in closed.get(v.pk, []) if not c.closed_without_responses]
        overall = results(done[0], previous=done[1] if len(done) > 1 else None).overall \
            if done else None
        before = results(done[1]).overall if len(done) > 1 else None
        rows.append(PortfolioRow(v, plans.get(v.pk) or plan_for(v),
                                 (closed.get(v.pk) or [None])[0], current.get(v.pk), overall,
                                 before))
    rows.sort(key=lambda r: (-r.overdue_days, r.plan.next_due, r.vendor.name))
    return rows


def next_due(vendor: Vendor) -> tuple[date, bool, Cycle | None]:
    """For the vendor header: when the next health check is due, whether it is overdue, and
    the cycle under way if there is one."""
    current = Cycle.objects.open().filter(vendor=vendor).first()
    plan = plan_for(vendor)
    return plan.next_due, current is None and plan.is_overdue, current


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
