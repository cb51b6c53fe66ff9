"""The health-check part of a seeded portfolio (vendors/seed.py): each vendor's plan (the
tier's default interval, from the first day of history) and every health check that came
due since, as the services would have made them day by day: opened on its due day as
`services.cycle_open` opens it (the vendor's manager, the current questionnaire version)
and, a month later, closed in the quarterly review without a survey, as
`services.cycle_move` closes it (a skip, allowed by `workflow.move_problems` with its
reason; the questions frozen; the transition recorded; the plan's next due date moved on to
one interval after the close). The one due now stays open, planned.

`cycle_open` and `cycle_move` write one record at a time (about 0.6 s a vendor); here the
same rows, with their history, go in by COPY for a batch of vendors."""

from datetime import datetime, timedelta
from datetime import time as dtime

from django.utils import timezone

from healthchecks import selectors, services, workflow
from healthchecks.choices import CycleStatus
from healthchecks.models import Cycle, HealthCheckPlan, Question, Transition, add_months
from vendorgov import formats
from vendors.seed import Portfolio, clock, copy_rows, reserve_ids

ORDER = 80  # after the SLA and scorecards, before governance (the last)
BATCH = 50
CLOSE_AFTER = timedelta(days=30)
REASON = "Discussed in the quarterly review; no survey this time."


def prepare(portfolio: Portfolio) -> None:
    """The standard questionnaire, written once before the workers start."""
    with clock(portfolio.start):
        portfolio.shared["questionnaire"] = services.template_default()


def seed(portfolio: Portfolio) -> None:
    vendors = portfolio.vendors
    for offset in range(0, len(vendors), BATCH):
        batch = vendors[offset:offset + BATCH]
        portfolio.made(f"health checks, {offset + len(batch):,}/{len(vendors):,} vendors",
                       _batch(portfolio, batch))


def _at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, dtime(9, 0)))


def _batch(portfolio: Portfolio, vendors: list) -> int:
    version, vera = portfolio.shared["questionnaire"], portfolio.people["vera"]
    # A skip from "planned" to "closed" with no response: allowed, with the reason.
    assert not workflow.move_problems(CycleStatus.PLANNED, CycleStatus.CLOSED, reason=REASON,
                                      responses=0)
    plans, plan_history, cycles, cycle_history, transitions, questions = [], [], [], [], [], []
    for vendor in vendors:
        months = selectors.plan_for(vendor).interval_months
        assignee = selectors.vendor_manager_of(vendor)
        due = add_months(portfolio.start, months)
        plan = {"vendor_id": vendor.pk, "interval_months": months, "next_due": due}
        plan_history.append({**plan, "history_date": _at(portfolio.start), "history_type": "+",
                             "history_user_id": vera.pk, "history_change_reason":
                             f"Every {months} months, next due {formats.day(due)}"})
        while due <= portfolio.today:
            cycle = {"vendor_id": vendor.pk, "due_on": due, "status": CycleStatus.PLANNED.value,
                     "assignee_id": getattr(assignee, "pk", None),
                     "template_version_id": version.pk, "collection_ends_on": None,
                     "shared_with_vendor": False, "review_meeting_id": None,
                     "closed_on": None, "close_reason": "", "closed_without_responses": False,
                     "created_at": _at(due)}
            cycles.append(cycle)
            cycle_history.append(({**cycle}, cycle, _at(due), "+", None, None))
            closing = due + CLOSE_AFTER
            if closing >= portfolio.today:
                break  # the current one: still planned
            cycle.update(status=CycleStatus.CLOSED.value, closed_on=closing,
                         close_reason=REASON, closed_without_responses=True)
            cycle_history.append((cycle, cycle, _at(closing), "~", vera.pk, REASON))
            transitions.append({"vendor_id": vendor.pk, "cycle_id": cycle,
                                "from_status": CycleStatus.PLANNED.value,
                                "to_status": CycleStatus.CLOSED.value, "by_id": vera.pk,
                                "at": _at(closing), "reason": REASON,
                                "skipped": workflow.is_skip(CycleStatus.PLANNED,
                                                            CycleStatus.CLOSED)})
            questions += [{"vendor_id": vendor.pk, "cycle_id": cycle, "position": i,
                           "dimension": q["dimension"], "text": q["text"][:400],
                           "principle_id": None}
                          for i, q in enumerate(version.questions, 1)]
            due = add_months(closing, months)
            plan["next_due"] = due
            plan_history.append({**plan, "history_date": _at(closing), "history_type": "~",
                                 "history_user_id": vera.pk, "history_change_reason":
                                 f"Health check closed on {formats.day(closing)}"})
        plans.append(plan)
    for row, pk in zip(plans, reserve_ids(HealthCheckPlan, len(plans)), strict=True):
        row["id"] = pk
    plan_ids = {p["vendor_id"]: p["id"] for p in plans}
    for row in plan_history:
        row["id"] = plan_ids[row["vendor_id"]]
    for row, pk in zip(cycles, reserve_ids(Cycle, len(cycles)), strict=True):
        row["id"] = pk
    for row in transitions + questions:
        row["cycle_id"] = row["cycle_id"]["id"]
    made = copy_rows(HealthCheckPlan, plans) + copy_rows(HealthCheckPlan.history.model,
                                                         plan_history)
    made += copy_rows(Cycle, cycles)
    made += copy_rows(Cycle.history.model, [
        {**state, "id": cycle["id"], "history_date": at, "history_type": kind,
         "history_user_id": user, "history_change_reason": reason}
        for state, cycle, at, kind, user, reason in cycle_history])
    made += copy_rows(Transition, transitions) + copy_rows(Question, questions)
    return made

