"""Settled action items and impediments (governance/reminders.py, "Settled items"): the
transaction that records an item's reminder stamps the item with what it recorded, and the
next sweeps leave it out by comparing columns, without a lookup in the reminder table,
until something changes that makes another reminder due: a moved due date, another owner,
a longer lead time or shorter grace period, an impediment's next step or a redated
escalation, an age reached. The reminder table's unique key stays the guard: nothing is
ever recorded twice, and a stamp that is missing or stale costs only a second look."""

import datetime
import threading
from dataclasses import replace
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction

from governance import services
from governance.models import ActionItem, Escalation, Impediment
from reminders import outbox, registry
from reminders import services as reminder_services
from reminders.models import Reminder
from tests.factories import AssignmentFactory, ContactFactory, UserFactory, VendorFactory
from tests.governance import conftest as governance_fixtures
from tests.governance.factories import action_item, impediment
from tests.kinds import (
    IMPEDIMENT_STAMPS,
    ITEM_STAMPS,
    find_queries,
    settling_then_failing,
    unsettle,
)
from tests.reminders.kinds import registered
from vendorgov.roles import Role
from vendors.choices import ContactRole

AMS = ZoneInfo("Europe/Amsterdam")
# Monday 1 March 2027, 11:00 Amsterdam.
NOW = datetime.datetime(2027, 3, 1, 11, 0, tzinfo=AMS).astimezone(UTC)
DUE = "governance.action_item_due"
OVERDUE = "governance.action_item_overdue"
ESCALATION = "governance.action_item_escalation"
IMPEDIMENT = "governance.impediment_escalation"
KEYS = (DUE, OVERDUE, ESCALATION, IMPEDIMENT)


@pytest.fixture
def clock():
    """Governance's: clock(moment) -> a context in which it is `moment`."""
    return governance_fixtures.clock.__wrapped__()


def _kinds():
    return registered(*(registry.get(key) for key in KEYS))


def _portfolio(clock, vendor, line_manager):
    """An item overdue and past its escalation grace (owned by the vendor's lead), one due
    soon (ours), an impediment open beyond its age: one reminder of each kind at NOW."""
    ContactFactory(vendor=vendor, name="Ann Exec", role=ContactRole.ACCOUNT_EXECUTIVE)
    lead = ContactFactory(vendor=vendor, name="Dev Lead", role=ContactRole.OUTSOURCED_LEAD)
    late = action_item(vendor, owner=lead, due_on=datetime.date(2027, 2, 1))
    soon = action_item(vendor, owner=line_manager, due_on=datetime.date(2027, 3, 2))
    with clock(datetime.datetime(2027, 1, 4, 9, tzinfo=UTC)):
        stuck = impediment(vendor)
    return late, soon, stuck, lead


def _stamps(item):
    return ActionItem.objects.filter(pk=item.pk).values_list(*ITEM_STAMPS).get()


def _impediment_stamp(stuck):
    return Impediment.objects.filter(pk=stuck.pk).values_list(*IMPEDIMENT_STAMPS).get()


def _recorded(kind, item):
    prefix = "impediment" if isinstance(item, Impediment) else "action_item"
    return sorted(Reminder.objects.filter(kind=kind, occasion__startswith=f"{prefix}:{item.pk}:")
                  .values_list("occasion", "recipient_key"))


def _find(key, now=NOW):
    kind = registry.get(key)
    return list(kind.find(now, kind.default_offset))


def test_a_recorded_item_is_stamped_and_left_out_by_one_query(clock, vendor_a, line_manager):
    counts = []
    with _kinds():
        for vendor, manager in ((vendor_a, line_manager), (VendorFactory(), None)):
            if manager is None:  # a second vendor: the same queries for twice the items
                manager = UserFactory(role=Role.LINE_MANAGER)
                AssignmentFactory(user=manager, vendor=vendor)
            late, soon, stuck, lead = _portfolio(clock, vendor, manager)
            assert outbox.sweep(now=NOW).inserted == 4
            assert _stamps(late) == (None, "", datetime.date(2027, 2, 1), f"contact:{lead.pk}",
                                     datetime.date(2027, 2, 1))
            assert _stamps(soon) == (datetime.date(2027, 3, 2), f"user:{manager.pk}", None, "",
                                     None)
            assert _impediment_stamp(stuck) == (1, datetime.date(2027, 1, 4))
            found = {key: find_queries(key, NOW + timedelta(minutes=5)) for key in KEYS}
            assert {key: dues for key, (_, dues) in found.items()} == {key: [] for key in KEYS}
            counts.append({key: queries for key, (queries, _) in found.items()})
            assert outbox.sweep(now=NOW + timedelta(minutes=5)).inserted == 0
    assert counts[0] == counts[1] == dict.fromkeys(KEYS, 1)


@pytest.mark.postgres
def test_the_steady_statement_compares_stamps_and_reads_no_reminder_row(db):
    """In SQL the finds carry no lookup in the reminder table (that was one index probe per
    item already reminded, every minute): the stamps are the item's own columns."""
    for key in KEYS:
        kind = registry.get(key)
        query = kind.find_sql(NOW, kind.default_offset)
        sql = query[0] if isinstance(query, tuple) else str(query.query)
        assert "reminders_reminder" not in sql, key
        assert "reminded_" in sql, key


def test_an_items_stamps_roll_back_with_the_recording_that_failed(clock, vendor_a,
                                                                   line_manager):
    late, *_ = _portfolio(clock, vendor_a, line_manager)
    overdue = registry.get(OVERDUE)
    # (Recorded from `find` in Python, as on SQLite: the kind gives no SQL.)
    broken = settling_then_failing(overdue)
    with registered(broken):
        assert outbox.sweep(now=NOW).failed_kinds == [OVERDUE]
    assert _recorded(OVERDUE, late) == [] and _stamps(late)[2:4] == (None, "")

    with registered(overdue):
        assert outbox.sweep(now=NOW).inserted == 1
    assert _stamps(late)[2] == datetime.date(2027, 2, 1)


@pytest.mark.postgres
def test_a_statement_whose_settle_fails_records_nothing(clock, vendor_a, line_manager):
    """In SQL the stamps are written by the recording statement itself: a settle that fails
    takes the rows with it (and the kind is kept as a failure), and the next sweep records
    and stamps them."""
    late, *_ = _portfolio(clock, vendor_a, line_manager)
    overdue = registry.get(OVERDUE)
    spec = overdue.settle_sql
    failing = registry.SettleSql(model=spec.model, key=f"({spec.key})::integer / 0",
                                 values=spec.values)
    with registered(replace(overdue, settle_sql=failing)):
        outbox._statements.clear()
        assert outbox.sweep(now=NOW).failed_kinds == [OVERDUE]
    assert _recorded(OVERDUE, late) == [] and _stamps(late)[2:4] == (None, "")

    outbox._statements.clear()
    with registered(overdue):
        assert outbox.sweep(now=NOW).inserted == 1
    assert _stamps(late)[2] == datetime.date(2027, 2, 1)


def test_a_moved_due_date_is_reminded_again_once(clock, vendor_a, line_manager):
    late, *_ = _portfolio(clock, vendor_a, line_manager)
    with _kinds():
        outbox.sweep(now=NOW)
        services.action_item_update(late, due_on=datetime.date(2027, 2, 10))
        moved = outbox.sweep(now=NOW + timedelta(minutes=1))
        again = outbox.sweep(now=NOW + timedelta(minutes=2))
    assert (moved.inserted, again.inserted) == (2, 0)  # overdue and escalated, new date
    lead = f"contact:{late.owner_contact_id}"
    assert _recorded(OVERDUE, late) == [(f"action_item:{late.pk}:overdue:2027-02-01", lead),
                                        (f"action_item:{late.pk}:overdue:2027-02-10", lead)]
    assert [o for o, _ in _recorded(ESCALATION, late)] == [
        f"action_item:{late.pk}:escalation:2027-02-01",
        f"action_item:{late.pk}:escalation:2027-02-10"]
    assert _stamps(late)[2:] == (datetime.date(2027, 2, 10), lead, datetime.date(2027, 2, 10))


def test_another_owner_is_reminded_and_the_first_owner_back_is_not_again(
        clock, vendor_a, line_manager):
    late, _, _, lead = _portfolio(clock, vendor_a, line_manager)
    other = ContactFactory(vendor=vendor_a, name="Other Lead")
    with _kinds():
        outbox.sweep(now=NOW)
        services.action_item_update(late, owner_contact=other)
        handed_over = outbox.sweep(now=NOW + timedelta(minutes=1))
        assert _stamps(late)[3] == f"contact:{other.pk}"
        services.action_item_update(late, owner_contact=lead)
        # Found once more (its stamp names the other owner), recorded already: nothing new.
        assert [d.recipient.key for d in _find(OVERDUE, NOW + timedelta(minutes=2))] == [
            f"contact:{lead.pk}"]
        back = outbox.sweep(now=NOW + timedelta(minutes=2))
        assert _find(OVERDUE, NOW + timedelta(minutes=3)) == []
    assert (handed_over.inserted, back.inserted) == (1, 0)  # the escalation went already
    assert _recorded(OVERDUE, late) == [
        (f"action_item:{late.pk}:overdue:2027-02-01", f"contact:{lead.pk}"),
        (f"action_item:{late.pk}:overdue:2027-02-01", f"contact:{other.pk}")]
    assert len(_recorded(ESCALATION, late)) == 1


def test_a_longer_lead_time_or_shorter_grace_finds_what_it_brings_due(
        clock, vendor_a, line_manager, vendor_manager):
    _portfolio(clock, vendor_a, line_manager)
    lead = ContactFactory(vendor=vendor_a, name="Next Week")
    next_week = action_item(vendor_a, owner=lead, due_on=datetime.date(2027, 3, 6))
    last_week = action_item(vendor_a, owner=lead, due_on=datetime.date(2027, 2, 25))
    with _kinds():
        outbox.sweep(now=NOW)
        assert _recorded(DUE, next_week) == [] and _recorded(ESCALATION, last_week) == []
        assert len(_recorded(OVERDUE, last_week)) == 1
        reminder_services.kind_setting_update(kind_key=DUE, offset=timedelta(days=7),
                                              by=vendor_manager)
        reminder_services.kind_setting_update(kind_key=ESCALATION, offset=timedelta(days=2),
                                              by=vendor_manager)
        changed = outbox.sweep(now=NOW + timedelta(minutes=1))
        again = outbox.sweep(now=NOW + timedelta(minutes=2))
    assert (changed.inserted, again.inserted) == (2, 0)
    assert _recorded(DUE, next_week) == [
        (f"action_item:{next_week.pk}:due:2027-03-06", f"contact:{lead.pk}")]
    assert [o for o, _ in _recorded(ESCALATION, last_week)] == [
        f"action_item:{last_week.pk}:escalation:2027-02-25"]


def test_an_impediments_next_step_and_a_redated_escalation_are_found_again(
        clock, vendor_a, line_manager):
    *_, stuck, _ = _portfolio(clock, vendor_a, line_manager)
    with clock(datetime.datetime(2027, 2, 20, 12, tzinfo=UTC)):
        young = impediment(vendor_a, title="Young")  # 9 days old at NOW: not yet
    with registered(registry.get(IMPEDIMENT)):
        outbox.sweep(now=NOW)
        assert _recorded(IMPEDIMENT, young) == [] and _impediment_stamp(young) == (None, None)
        with clock(datetime.datetime(2027, 2, 1, 9, tzinfo=UTC)):
            services.impediment_escalate(stuck, note="Stuck", to_user=line_manager)
        stepped = outbox.sweep(now=NOW + timedelta(minutes=1))
        assert _impediment_stamp(stuck) == (2, datetime.date(2027, 2, 1))
        # The escalation's day corrected (as the admin's inline may): a new `since`.
        Escalation.objects.filter(impediment=stuck).update(
            escalated_on=datetime.date(2027, 2, 10))
        redated = outbox.sweep(now=NOW + timedelta(minutes=2))
        aged = outbox.sweep(now=NOW + timedelta(days=6))  # the young one is 15 days old
        again = outbox.sweep(now=NOW + timedelta(days=6, minutes=1))
    assert (stepped.inserted, redated.inserted, aged.inserted, again.inserted) == (1, 1, 1, 0)
    assert [o for o, _ in _recorded(IMPEDIMENT, stuck)] == [
        f"impediment:{stuck.pk}:step:1:2027-01-04", f"impediment:{stuck.pk}:step:2:2027-02-01",
        f"impediment:{stuck.pk}:step:2:2027-02-10"]
    assert _impediment_stamp(young) == (1, datetime.date(2027, 2, 20))


def test_items_recorded_before_they_were_stamped_are_found_once_and_not_recorded_twice(
        clock, vendor_a, line_manager):
    """The state a database is in right after the migration that added the stamps: rows
    recorded, nothing stamped."""
    late, soon, stuck, _ = _portfolio(clock, vendor_a, line_manager)
    with _kinds():
        outbox.sweep(now=NOW)
        recorded = Reminder.objects.count()
        unsettle()
        assert all(_find(key) for key in KEYS)
        assert outbox.sweep(now=NOW + timedelta(minutes=1)).inserted == 0
        assert {key: _find(key) for key in KEYS} == {key: [] for key in KEYS}
    assert Reminder.objects.count() == recorded == 4
    assert _stamps(late)[2] and _stamps(soon)[0] and _impediment_stamp(stuck)[0] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_due_date_moved_while_the_sweep_records_is_found_at_the_next_sweep(
        clock, vendor_a, line_manager):
    """The recording statement reads the items in its snapshot; a due date moved and
    committed while it waits for that item's row lock is not stamped as recorded: the
    stamp says what the statement recorded (the old date), so the next sweep finds the new
    date. Stamping the item's current columns instead would settle a date never reminded."""
    late, *_ = _portfolio(clock, vendor_a, line_manager)
    moved = threading.Event()
    failures = []

    def move_and_commit_once_the_sweep_waits():
        try:
            with transaction.atomic():
                ActionItem.objects.filter(pk=late.pk).update(due_on=datetime.date(2027, 2, 10))
                moved.set()
                with connection.cursor() as cursor:
                    for _ in range(600):  # until the sweep's statement waits for this row
                        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE "
                                       "wait_event_type = 'Lock' AND datname = "
                                       "current_database()")
                        if cursor.fetchone()[0]:
                            break
                        threading.Event().wait(0.05)
                    else:
                        raise AssertionError("the sweep never waited for the moved item")
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)
            moved.set()
        finally:
            connections.close_all()

    with _kinds():
        mover = threading.Thread(target=move_and_commit_once_the_sweep_waits)
        mover.start()
        assert moved.wait(30)
        first = outbox.sweep(now=NOW)
        mover.join(30)
        assert not failures, failures
        assert _stamps(late)[2] == datetime.date(2027, 2, 1)  # what it recorded
        second = outbox.sweep(now=NOW + timedelta(minutes=1))
        third = outbox.sweep(now=NOW + timedelta(minutes=2))
    assert (first.inserted, second.inserted, third.inserted) == (4, 2, 0)
    assert [o for o, _ in _recorded(OVERDUE, late)] == [
        f"action_item:{late.pk}:overdue:2027-02-01", f"action_item:{late.pk}:overdue:2027-02-10"]
    assert _stamps(late)[2] == datetime.date(2027, 2, 10)
