"""Settled corrective actions (sla/reminders.py, "Settled corrective actions"): the
transaction that records a corrective action's reminder stamps the action with what it
recorded, and the next sweeps leave it out in their one query instead of building its
reminder again, until its due date moves or another person owns it. Nothing is recorded
twice (the engine's unique key)."""

import datetime
from datetime import timedelta

from reminders import outbox, registry
from reminders.models import Reminder
from sla.models import CorrectiveAction
from tests.factories import AssignmentFactory, UserFactory, VendorFactory
from tests.kinds import find_queries, settling_then_failing
from tests.reminder_kinds.test_kinds import SLA_NOW, build_sla
from tests.reminders.kinds import registered
from vendorgov.roles import Role
from vendors.choices import AssignmentRole

DUE = "sla.corrective_action_due"
OVERDUE = "sla.corrective_action_overdue"
ESCALATION = "sla.corrective_action_escalation"
KEYS = (DUE, OVERDUE, ESCALATION)
STAMPS = ("reminded_due_on", "reminded_due_to", "reminded_overdue_on", "reminded_overdue_to",
          "reminded_escalation_on")


def _kinds():
    return registered(*(registry.get(key) for key in KEYS))


def _stamps(vendor):
    return sorted(CorrectiveAction.objects.filter(vendor=vendor).values_list("due_on", *STAMPS))


def _occasions(kind):
    return sorted(Reminder.objects.filter(kind=kind).values_list("occasion", "recipient_key"))


def test_recorded_corrective_actions_are_stamped_and_left_out_by_one_query(db):
    """build_sla: one action due on 5 February (due soon on the 3rd), one on 20 January
    (overdue and escalated), owned by the vendor's operations user."""
    counts = []
    with _kinds():
        for _ in range(2):  # a second vendor: the same queries for twice the actions
            vendor = VendorFactory()
            build_sla(vendor)
            owner = vendor.assignments.get(role=AssignmentRole.OPERATIONS).user_id
            assert outbox.sweep(now=SLA_NOW).inserted == 3
            soon, late = datetime.date(2027, 2, 5), datetime.date(2027, 1, 20)
            assert _stamps(vendor) == [
                (late, None, "", late, f"user:{owner}", late),
                (soon, soon, f"user:{owner}", None, "", None)]
            found = {key: find_queries(key, SLA_NOW + timedelta(minutes=5)) for key in KEYS}
            assert {key: dues for key, (_, dues) in found.items()} == {key: [] for key in KEYS}
            counts.append({key: queries for key, (queries, _) in found.items()})
    assert counts[0] == counts[1] == dict.fromkeys(KEYS, 1)


def test_a_moved_due_date_or_another_owner_is_reminded_once(db):
    vendor = VendorFactory()
    build_sla(vendor)
    late = CorrectiveAction.objects.get(vendor=vendor, due_on=datetime.date(2027, 1, 20))
    other = UserFactory(role=Role.OPERATIONS)
    AssignmentFactory(vendor=vendor, user=other, role=AssignmentRole.OPERATIONS)
    with _kinds():
        outbox.sweep(now=SLA_NOW)
        CorrectiveAction.objects.filter(pk=late.pk).update(due_on=datetime.date(2027, 1, 25))
        moved = outbox.sweep(now=SLA_NOW + timedelta(minutes=1))
        CorrectiveAction.objects.filter(pk=late.pk).update(owner=other)
        handed_over = outbox.sweep(now=SLA_NOW + timedelta(minutes=2))
        again = outbox.sweep(now=SLA_NOW + timedelta(minutes=3))
    assert (moved.inserted, handed_over.inserted, again.inserted) == (2, 1, 0)
    assert [o for o, _ in _occasions(OVERDUE)] == [
        f"corrective_action:{late.pk}:overdue:2027-01-20",
        f"corrective_action:{late.pk}:overdue:2027-01-25",
        f"corrective_action:{late.pk}:overdue:2027-01-25"]
    assert _occasions(OVERDUE)[-1][1] == f"user:{other.pk}"
    assert len(_occasions(ESCALATION)) == 2  # one per due date, for anyone


def test_a_corrective_actions_stamps_roll_back_with_the_recording_that_failed(db):
    vendor = VendorFactory()
    build_sla(vendor)
    overdue = registry.get(OVERDUE)
    with registered(settling_then_failing(overdue)):
        assert outbox.sweep(now=SLA_NOW).failed_kinds == [OVERDUE]
    assert _occasions(OVERDUE) == []
    assert {s[3:5] for s in _stamps(vendor)} == {(None, "")}
    with registered(overdue):
        assert outbox.sweep(now=SLA_NOW).inserted == 1
    assert {s[3] for s in _stamps(vendor)} == {None, datetime.date(2027, 1, 20)}
