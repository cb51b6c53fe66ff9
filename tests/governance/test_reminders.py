"""Governance's reminder kinds: meetings (invite, update, cancel), action items, impediments."""

import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance import services
from governance.choices import Tier
from governance.models import Meeting
from reminders import registry
from tests.factories import AssignmentFactory, ContactFactory, UserFactory, VendorFactory
from tests.governance.factories import action_item, impediment, weekly_cadence
from tests.kinds import find_queries, outbox
from vendorgov.roles import Role
from vendors.choices import AssignmentRole, ContactRole

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # before the weekly on Tuesday 2 March
WEEKLY = "governance.meeting_weekly"


@pytest.fixture
def series(clock, vendor_a, line_manager):
    """A weekly review on Tuesdays 10:00 Amsterdam, with Liam and the vendor's lead."""
    lead = ContactFactory(vendor=vendor_a, name="Olive Lead", role=ContactRole.OUTSOURCED_LEAD)
    with clock(MONDAY - timedelta(days=7)):
        cadence = weekly_cadence(vendor_a, weekday=1, time_zone="Europe/Amsterdam",
                                 ours=[line_manager], theirs=[lead])
    meetings = list(Meeting.objects.filter(cadence=cadence, starts_at__gt=MONDAY)
                    .order_by("starts_at"))
    return cadence, meetings, lead


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), AMS).astimezone(UTC)


def test_a_meeting_is_announced_its_lead_time_before_on_its_own_wall_clock(series):
    _, meetings, _ = series
    first = meetings[0]  # Tuesday 2 March 10:00 Amsterdam; the lead is one day
    monday_10 = _at(datetime.date(2027, 3, 1), 10)
    with outbox() as box:
        assert box.sweep(monday_10 - timedelta(minutes=1), {WEEKLY}) == []
        sent = box.sweep(monday_10, {WEEKLY})
    assert {d.occasion for d in sent} == {f"meeting:{first.pk}:v0"}
    assert {d.recipient.name for d in sent} == {"Olive Lead", str(series[0].our_participants
                                                                    .get())}
    assert all(d.due_at == monday_10 for d in sent)
    invite = sent[0].ics
    assert "METHOD:REQUEST" in invite and f"UID:meeting-{first.pk}@" in invite
    assert "SEQUENCE:0" in invite
    assert sent[0].context["agenda"][0]["title"] == "Open impediments"


def test_a_meeting_moved_after_its_invite_sends_an_update_at_once_and_the_old_one_is_stale(
        series, clock):
    _, meetings, lead = series
    first = meetings[0]
    monday_10 = _at(datetime.date(2027, 3, 1), 10)
    with outbox() as box:
        box.sweep(monday_10, {WEEKLY})
        with clock(monday_10 + timedelta(hours=1)):
            services.meeting_move(first, date=datetime.date(2027, 3, 12),
                                  start_time=datetime.time(15, 0))
        assert registry.get(WEEKLY).still_current([f"meeting:{first.pk}:v0"]) == set()
        sent = box.sweep(monday_10 + timedelta(hours=2), {WEEKLY})
    updates = [d for d in sent if d.occasion == f"meeting:{first.pk}:v1"]
    assert len(updates) == 2
    assert {d.context["flavour"] for d in updates} == {"update"}
    assert all("SEQUENCE:1" in d.ics and "METHOD:REQUEST" in d.ics for d in updates)


def test_a_cancelled_meeting_sends_a_cancel_only_to_those_who_had_the_invite(
        series, clock, vendor_a):
    _, meetings, lead = series
    first = meetings[0]
    monday_10 = _at(datetime.date(2027, 3, 1), 10)
    latecomer = ContactFactory(vendor=vendor_a, name="Late Comer")
    with outbox() as box:
        box.sweep(monday_10, {WEEKLY})
        with clock(monday_10 + timedelta(hours=1)):
            services.attendance_add(meeting=first, contact=latecomer)
            services.meeting_cancel(first, reason="Public holiday")
        sent = box.sweep(monday_10 + timedelta(hours=2), {WEEKLY})
        again = box.sweep(monday_10 + timedelta(hours=3), {WEEKLY})
    cancels = [d for d in sent if d.occasion == f"meeting:{first.pk}:cancel"]
    assert {d.recipient.name for d in cancels} == {"Olive Lead", str(
        series[0].our_participants.get())}
    assert all("METHOD:CANCEL" in d.ics and "SEQUENCE:1" in d.ics for d in cancels)
    assert again == []


def test_a_cancelled_meeting_nobody_was_invited_to_yet_sends_nothing(series, clock):
    _, meetings, _ = series
    second = meetings[1]
    with clock(MONDAY):
        services.meeting_cancel(second, reason="Moved to the offsite")
    with outbox() as box:
        sent = box.sweep(MONDAY + timedelta(hours=1), {WEEKLY})
    assert {d.occasion for d in sent} == {f"meeting:{meetings[0].pk}:v0"}


def test_a_participant_taken_off_a_meeting_after_the_invite_gets_a_cancel(series, clock):
    _, meetings, lead = series
    first = meetings[0]
    monday_10 = _at(datetime.date(2027, 3, 1), 10)
    with outbox() as box:
        box.sweep(monday_10, {WEEKLY})
        first.attendances.filter(contact=lead).delete()
        sent = box.sweep(monday_10 + timedelta(hours=1), {WEEKLY})
    assert [(d.occasion, d.recipient.name, d.context["flavour"]) for d in sent] == [
        (f"meeting:{first.pk}:cancel", "Olive Lead", "removed")]


def test_an_archived_vendor_gets_no_more_reminders(series, vendor_a):
    _, meetings, _ = series
    monday_10 = _at(datetime.date(2027, 3, 1), 10)
    action_item(vendor_a, due_on=datetime.date(2027, 2, 20))
    vendor_a.archived_at = MONDAY
    vendor_a.save()
    with outbox() as box:
        assert box.sweep(monday_10 + timedelta(days=3)) == []
    assert registry.get(WEEKLY).still_current([f"meeting:{meetings[0].pk}:v0"]) == set()


def test_a_lead_of_zero_announces_the_meeting_as_it_starts_and_never_after_it_ends(series):
    _, meetings, _ = series
    start = meetings[0].starts_at
    zero = {WEEKLY: timedelta(0)}
    with outbox() as box:
        assert box.sweep(start - timedelta(seconds=1), {WEEKLY}, offsets=zero) == []
        assert len(box.sweep(start, {WEEKLY}, offsets=zero)) == 2
        assert box.sweep(meetings[0].ends_at, {WEEKLY}, offsets=zero) == []


def test_a_lead_longer_than_the_cadence_announces_each_meeting_once(series):
    _, meetings, _ = series
    long = {WEEKLY: timedelta(days=10)}
    with outbox() as box:
        for hour in range(0, 24 * 21):
            box.sweep(MONDAY + timedelta(hours=hour), {WEEKLY}, offsets=long)
    per_meeting = box.count(WEEKLY)[WEEKLY]
    announced = {d.occasion for d in box.of(WEEKLY)}
    ahead = [m for m in meetings if m.starts_at <= MONDAY + timedelta(days=31)]
    assert announced == {f"meeting:{m.pk}:v0" for m in ahead}
    assert per_meeting == 2 * len(ahead)


def _portfolio(n: int, clock):
    for i in range(n):
        vendor = VendorFactory()
        manager = UserFactory(role=Role.LINE_MANAGER)
        AssignmentFactory(vendor=vendor, user=manager, role=AssignmentRole.LINE_MANAGER)
        contact = ContactFactory(vendor=vendor)
        with clock(MONDAY - timedelta(days=7)):
            weekly_cadence(vendor, weekday=1, time_zone="Europe/Amsterdam", ours=[manager],
                           theirs=[contact])
            services.agenda_item_add(meeting=Meeting.objects.filter(vendor=vendor).first(),
                                     title=f"Point {i}")
        action_item(vendor, owner=ContactFactory(vendor=vendor, role=ContactRole.OTHER),
                    due_on=datetime.date(2027, 2, 1))
        action_item(vendor, owner=manager, due_on=datetime.date(2027, 3, 3))
        with clock(MONDAY - timedelta(days=60)):
            impediment(vendor)


@pytest.mark.parametrize("key", ["governance.meeting_weekly", "governance.action_item_due",
                                 "governance.action_item_overdue",
                                 "governance.action_item_escalation",
                                 "governance.impediment_escalation"])
def test_finding_costs_the_same_queries_at_two_portfolio_sizes(key, clock, db):
    now = _at(datetime.date(2027, 3, 1), 11)
    _portfolio(2, clock)
    with outbox():
        small, found_small = find_queries(key, now)
        _portfolio(6, clock)
        large, found_large = find_queries(key, now)
    assert found_small and len(found_large) > len(found_small)
    assert small == large


def test_an_owner_who_left_the_vendor_gets_nothing_and_the_item_escalates(
        clock, vendor_a, line_manager):
    leaver = UserFactory(role=Role.LINE_MANAGER)
    assignment = AssignmentFactory(vendor=vendor_a, user=leaver,
                                   role=AssignmentRole.RELATIONSHIP_OWNER)
    item = action_item(vendor_a, owner=leaver, due_on=datetime.date(2027, 2, 1))
    assignment.delete()
    now = _at(datetime.date(2027, 3, 1), 11)
    with outbox() as box:
        box.sweep(now, {"governance.action_item_overdue", "governance.action_item_escalation"})
    assert box.count() == {"governance.action_item_escalation": 1}
    escalation = box.of("governance.action_item_escalation")[0]
    assert escalation.recipient.user_id == line_manager.pk
    assert escalation.context["owner_left"] is True
    assert registry.get("governance.action_item_overdue").still_current(
        [f"action_item:{item.pk}:overdue:2027-02-01"]) == set()


def test_a_vendor_item_escalates_to_the_account_executive_not_to_the_owner(clock, vendor_a):
    executive = ContactFactory(vendor=vendor_a, name="Ann Exec",
                               role=ContactRole.ACCOUNT_EXECUTIVE)
    owner = ContactFactory(vendor=vendor_a, name="Dev Lead", role=ContactRole.OUTSOURCED_LEAD)
    action_item(vendor_a, owner=owner, due_on=datetime.date(2027, 2, 1))
    with outbox() as box:
        box.sweep(_at(datetime.date(2027, 3, 1), 11),
                  {"governance.action_item_overdue", "governance.action_item_escalation"})
    assert {(k, d.recipient.name) for (k, _, _), d in box.rows.items()} == {
        ("governance.action_item_overdue", "Dev Lead"),
        ("governance.action_item_escalation", "Ann Exec")}
    assert all(d.recipient.vendor_side for d in box.rows.values())
    del executive


def test_an_item_done_before_its_reminder_is_sent_is_stale(clock, vendor_a):
    item = action_item(vendor_a, due_on=datetime.date(2027, 3, 3))
    kind = registry.get("governance.action_item_due")
    occasion = f"action_item:{item.pk}:due:2027-03-03"
    assert kind.still_current([occasion]) == {occasion}
    services.action_item_update(item, status="done")
    assert kind.still_current([occasion]) == set()


def test_an_impediment_past_its_age_goes_to_the_next_rung_and_again_after_a_step(
        clock, vendor_a, line_manager):
    with clock(datetime.datetime(2027, 1, 4, 9, tzinfo=UTC)):
        imp = impediment(vendor_a)
    key = "governance.impediment_escalation"
    with outbox() as box:
        # 14 days by default: flagged when open for more than that, on 19 January.
        assert box.sweep(_at(datetime.date(2027, 1, 19), 8), {key}) == []
        sent = box.sweep(_at(datetime.date(2027, 1, 19), 10), {key})
        assert [(d.recipient.user_id, d.context["next_step"][:1]) for d in sent] == [
            (line_manager.pk, "1")]
        with clock(datetime.datetime(2027, 1, 20, 9, tzinfo=UTC)):
            services.impediment_escalate(imp, note="Talked to the line manager",
                                         to_user=line_manager)
        assert box.sweep(_at(datetime.date(2027, 1, 21), 10), {key}) == []
        later = box.sweep(_at(datetime.date(2027, 2, 4), 10), {key})
    assert [d.occasion for d in later] == [f"impediment:{imp.pk}:step:2:2027-01-20"]


def test_vendor_side_reminders_name_no_other_vendor(clock, vendor_a, vendor_b, line_manager):
    for vendor in (vendor_a, vendor_b):
        contact = ContactFactory(vendor=vendor)
        with clock(MONDAY - timedelta(days=7)):
            weekly_cadence(vendor, weekday=1, time_zone="Europe/Amsterdam", theirs=[contact])
        action_item(vendor, owner=contact, due_on=datetime.date(2027, 2, 1),
                    title=f"Item of {vendor.name}")
    with outbox() as box:
        box.sweep(_at(datetime.date(2027, 3, 1), 11))
    vendor_side = [d for d in box.rows.values() if d.recipient.vendor_side]
    assert {d.vendor_id for d in vendor_side} == {vendor_a.pk, vendor_b.pk}
    for due in vendor_side:
        other = vendor_b if due.vendor_id == vendor_a.pk else vendor_a
        assert other.name not in str(due.context) + due.ics


def test_every_tier_has_its_own_kind_and_lead_time():
    leads = {k.key: k.default_offset for k in registry.kinds()
             if k.key.startswith("governance.meeting_")}
    assert leads == {f"governance.meeting_{t}": lead for t, lead in (
        (Tier.WEEKLY, timedelta(days=1)), (Tier.MONTHLY, timedelta(days=3)),
        (Tier.QUARTERLY, timedelta(days=7)), (Tier.HEALTH_CHECK, timedelta(days=7)))}


def test_a_meeting_moved_before_its_reminder_was_due_is_announced_once_at_its_new_time(
        series, clock):
    _, meetings, _ = series
    first = meetings[0]
    with clock(MONDAY):
        services.meeting_move(first, date=datetime.date(2027, 3, 5),
                              start_time=datetime.time(11, 0))
    with outbox() as box:
        assert box.sweep(_at(datetime.date(2027, 3, 1), 10), {WEEKLY}) == []  # old moment
        assert box.sweep(_at(datetime.date(2027, 3, 4), 10, 59), {WEEKLY}) == []
        sent = box.sweep(_at(datetime.date(2027, 3, 4), 11), {WEEKLY})
    assert {(d.occasion, d.context["flavour"]) for d in sent} == {
        (f"meeting:{first.pk}:v1", "invite")}
    assert len(sent) == 2
