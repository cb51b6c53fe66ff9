"""Health checks in the demo portfolio: Meridian has two past health checks (so the
comparison and an accepted principle revision show) and Brightdesk one; Kestrel's is
collecting input now, its survey links mailed (console and var/mail/)."""

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from governance import services as governance_services
from governance.choices import Tier
from healthchecks import selectors, services
from healthchecks.choices import Concerns, CycleStatus, Dimension, Group, RevisionKind
from vendors.models import GuidingPrinciple

OUR_PEOPLE = {Group.IT: ("sam", "olga", "omar"), Group.BUSINESS: ("bea", "erin", "luca")}


@dataclass(frozen=True)
class PastCycle:
    vendor: str
    opened: int  # days from today
    ours: dict  # dimension → typical score of our people
    theirs: dict  # … and of the vendor's
    finding: str
    action: str
    revision: tuple | None = None  # (kind, principle title or "", new title, new text, why)


DIMS = list(Dimension)
COMMENTS = {
    Group.IT: {Dimension.TRANSPARENCY: "Their dashboards and our monitoring rarely agree.",
               Dimension.INNOVATION: "Ideas are mentioned but seldom costed.",
               Dimension.TRUST: "Escalations are handled well once they reach the right "
                                "person."},
    Group.BUSINESS: {Dimension.OUTCOMES: "Month-end went smoothly this time.",
                     Dimension.COMMUNICATION: "We hear about changes late.",
                     Dimension.CUSTOMER_SERVICE: "The service desk is friendly but slow "
                                                 "on complex requests."},
    Group.VENDOR: {Dimension.WIN_WIN: "Scope keeps growing without a change request.",
                   Dimension.TRANSPARENCY: "We share everything we measure.",
                   Dimension.INNOVATION: "Our proposals wait months for a decision."},
}


def _scores(base: dict, rng: random.Random) -> dict:
    out = {}
    for d in DIMS:
        typical = base.get(d, 3.5)
        value = round(typical + rng.choice((-1, 0, 0, 0, 1)))
        out[d] = None if rng.random() < 0.06 else max(1, min(5, value))
    return out


PAST = [
    PastCycle("meridian", -300,
              ours={Dimension.TRUST: 3.0, Dimension.TRANSPARENCY: 2.4, Dimension.OUTCOMES: 3.4,
                    Dimension.INNOVATION: 2.2, Dimension.PRINCIPLES: 3.0},
              theirs={Dimension.TRUST: 4.0, Dimension.TRANSPARENCY: 4.2, Dimension.OUTCOMES: 4.0,
                      Dimension.INNOVATION: 3.8, Dimension.PRINCIPLES: 4.0},
              finding="Monthly reports show green while our measurements show amber: we and "
                      "Meridian read transparency very differently.",
              action="Agree one source of truth for availability figures"),
    PastCycle("meridian", -120,
              ours={Dimension.TRUST: 3.6, Dimension.TRANSPARENCY: 3.4, Dimension.OUTCOMES: 3.8,
                    Dimension.INNOVATION: 2.8, Dimension.PRINCIPLES: 3.6},
              theirs={Dimension.TRUST: 4.0, Dimension.TRANSPARENCY: 3.9, Dimension.OUTCOMES: 4.1,
                      Dimension.INNOVATION: 4.2, Dimension.PRINCIPLES: 3.9},
              finding="Improvement ideas stay on slides: innovation is the largest gap now.",
              action="Bring two costed improvement proposals to each quarterly review",
              revision=(RevisionKind.REWORD, "Measured, not self-reported",
                        "Measured, not self-reported",
                        "Service levels are reported from the shared monitoring, with the raw "
                        "data available to both sides each month.",
                        "The first health check found two versions of the truth.")),
    PastCycle("brightdesk", -150,
              ours={Dimension.CUSTOMER_SERVICE: 3.1, Dimension.COMMUNICATION: 2.9},
              theirs={Dimension.CUSTOMER_SERVICE: 4.3, Dimension.COMMUNICATION: 4.0},
              finding="Users rate the service desk lower than Brightdesk thinks they do.",
              action="Share user satisfaction verbatims in the weekly review",
              revision=(RevisionKind.NEW, "", "Ask the users",
                        "Both sides look at user feedback together every month.",
                        "A perception gap on customer service.")),
]


def _invite_and_answer(demo, cycle, spec_ours, spec_theirs, rng, *, submit_share=1.0):
    vendor = cycle.vendor
    vera = demo.user("vera")
    domain = vendor.contacts.first().email.split("@")[-1] if vendor.contacts.exists() else \
        "vendor.example"
    invitations = []
    for group, people in OUR_PEOPLE.items():
        for username in people:
            invitations.append((services.invitation_add(
                cycle=cycle, group=group, user=demo.user(username), by=vera, notify=False),
                spec_ours))
        invitations.append((services.invitation_add(
            cycle=cycle, group=group, email=f"{group}.stakeholder{cycle.pk}@ourcompany.example",
            name=f"{group.label} stakeholder", by=vera, notify=False), spec_ours))
    for contact in vendor.contacts.exclude(email="")[:4]:
        invitations.append((services.invitation_add(cycle=cycle, group=Group.VENDOR,
                                                    contact=contact, by=vera, notify=False),
                            spec_theirs))
    for extra in range(max(0, 3 - vendor.contacts.exclude(email="").count())):
        invitations.append((services.invitation_add(
            cycle=cycle, group=Group.VENDOR, email=f"team{extra}.{cycle.pk}@{domain}",
            by=vera, notify=False), spec_theirs))
    for invitation, base in invitations:
        if rng.random() > submit_share:
            continue
        scores = _scores(base, rng)
        said = COMMENTS[invitation.group]
        answers = {q.pk: (scores[q.dimension],
                          said[q.dimension] if q.dimension in said and rng.random() < 0.5
                          and q.position % 2 else "")
                   for q in cycle.questions.all()}
        services.survey_save(invitation, answers=answers, submit=True)
    return invitations


def _schedule_past(demo, spec: PastCycle, index: int) -> None:
    d = demo.dates
    rng = random.Random(f"{spec.vendor}{index}")
    opened, collect_until = d.days(spec.opened), d.days(spec.opened + 21)
    review_day = collect_until + timedelta(days=14)
    key = ("hc", spec.vendor, index)

    def open_and_collect():
        vendor, vera = demo.vendor(spec.vendor), demo.user("vera")
        cycle = services.cycle_open(vendor=vendor, due_on=opened, by=vera)
        cycle = services.cycle_move(cycle, to=CycleStatus.COLLECTING, by=vera,
                                    collection_ends_on=collect_until, notify=False)
        demo.refs[key] = cycle
        _invite_and_answer(demo, cycle, spec.ours, spec.theirs, rng, submit_share=0.9)

    def assess():
        cycle, vera = demo.refs[key], demo.user("vera")
        cycle = services.cycle_move(cycle, to=CycleStatus.ASSESSMENT, by=vera)
        finding = services.finding_add(cycle=cycle, by=vera, text=spec.finding,
                                       severity="high", concerns=Concerns.SHARED)
        demo.refs[key + ("finding",)] = finding
        if spec.revision:
            kind, old_title, title, text, why = spec.revision
            principle = (GuidingPrinciple.objects.filter(vendor=cycle.vendor, title=old_title)
                         .first() if old_title else None)
            services.revision_propose(cycle=cycle, by=vera, kind=kind, principle=principle,
                                      title=title, text=text, rationale=why)
        demo.refs[key] = services.cycle_move(cycle, to=CycleStatus.REVIEW, by=vera,
                                             review_on=review_day)

    def review():
        cycle, vera = demo.refs[key], demo.user("vera")
        owner = next(iter(selectors.review_contacts(cycle.vendor)), None)
        services.action_agree(cycle=cycle, by=vera, title=spec.action,
                              due_on=review_day + timedelta(days=45), owner_contact=owner,
                              finding=demo.refs[key + ("finding",)])
        for revision in cycle.revisions.all():
            services.revision_decide(revision, accept=True, by=vera)
        if cycle.review_meeting is not None:
            governance_services.meeting_write_minutes(
                cycle.review_meeting, by=vera,
                minutes=f"Results and perception gaps reviewed with {cycle.vendor}. "
                        f"{spec.finding} Agreed: {spec.action.lower()}.")
            governance_services.meeting_hold(cycle.review_meeting, by=vera)
        services.cycle_share(cycle, shared=True, by=vera)

    def close():
        cycle, vera = demo.refs[key], demo.user("vera")
        services.cycle_move(cycle, to=CycleStatus.CLOSED, by=vera)

    demo.at(opened, open_and_collect)
    demo.at(collect_until + timedelta(days=1), assess)
    demo.at(review_day, review)
    demo.at(review_day + timedelta(days=1), close)


def _schedule_current(demo) -> None:
    """Kestrel's health check has been collecting input for ten days; some have answered."""
    d = demo.dates
    rng = random.Random("kestrel-now")

    def open_and_collect():
        vendor, vera = demo.vendor("kestrel"), demo.user("vera")
        cycle = services.cycle_open(vendor=vendor, due_on=d.days(-10), by=vera)
        cycle = services.cycle_move(cycle, to=CycleStatus.COLLECTING, by=vera,
                                    collection_ends_on=d.days(11), notify=False)
        demo.refs[("hc", "kestrel", "now")] = cycle
        _invite_and_answer(demo, cycle,
                           {Dimension.OUTCOMES: 3.2, Dimension.WIN_WIN: 2.8},
                           {Dimension.OUTCOMES: 4.1, Dimension.WIN_WIN: 4.4}, rng,
                           submit_share=0.6)
        # The links of those who have not answered go out now (the submitted ones had
        # theirs); the reminders nudge the rest while collection runs.
        services.invitations_send(cycle_id=cycle.pk)

    def book_review():
        # The review with Kestrel is booked ahead, on a weekday just after collection ends
        # (within two weeks, so its invitation goes out in the demo's first week).
        cycle = demo.refs[("hc", "kestrel", "now")]
        day = next(d.days(n) for n in (13, 12, 11) if d.days(n).weekday() < 5)
        governance_services.meeting_arrange(
            vendor=cycle.vendor, tier=Tier.HEALTH_CHECK, key=f"hc-{cycle.pk}",
            title=f"Health-check review ({cycle.due_on:%b %Y})",
            starts_at=datetime.combine(day, time(14, 0), tzinfo=ZoneInfo(
                settings.TIME_ZONE)), duration_minutes=120,
            our_participants=[demo.user("vera")],
            vendor_participants=selectors.review_contacts(cycle.vendor), by=demo.user("vera"))

    demo.at(d.days(-10), open_and_collect)
    demo.at(d.today, book_review)


def _schedule_plans(demo) -> None:
    """The programme's first health checks are spread over the coming months; Lumen's is
    overdue. Vendors with a past health check follow their interval from its close."""
    d = demo.dates
    have_run = {spec.vendor for spec in PAST} | {"kestrel"}
    planned = [s for s in demo.specs if s.key not in have_run and s.archived_on is None]

    def plans():
        vera = demo.user("vera")
        for offset, spec in enumerate(planned):
            vendor = demo.vendor(spec.key)
            due = d.days(-20) if spec.key == "lumen" else d.days(40 + 35 * offset)
            services.plan_update(vendor=vendor, by=vera, next_due=due,
                                 interval_months=selectors.default_interval(vendor))

    demo.at(d.today, plans)


def schedule(demo) -> None:
    for index, spec in enumerate(PAST):
        _schedule_past(demo, spec, index)
    _schedule_current(demo)
    _schedule_plans(demo)

