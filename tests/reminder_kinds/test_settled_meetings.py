"""Settled meetings (governance/reminders.py): a meeting announced to all its participants
is stamped in the transaction that records its reminders, and the next sweeps leave it out
after one flat read of its participants, until something changes that the stamps show: a
participant added, taken off, or no longer able to get mail; a move."""

import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance import services
from governance.models import Attendance, Meeting
from reminders import outbox, registry
from reminders.models import Reminder
from tests.factories import ContactFactory, VendorFactory
from tests.governance import conftest as governance_fixtures
from tests.governance.factories import weekly_cadence
from tests.kinds import find_queries
from tests.kinds import outbox as kinds_outbox
from tests.reminders.kinds import registered
from vendors import services as vendor_services
from vendors.choices import ContactRole

AMS = ZoneInfo("Europe/Amsterdam")
WEEKLY = "governance.meeting_weekly"
# Monday 1 March 2027 10:00 Amsterdam: the lead time (one day) of the weekly review on
# Tuesdays 10:00 has come for the first meeting of the series.
MONDAY_10 = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=AMS).astimezone(UTC)


@pytest.fixture
def clock():
    """Governance's: clock(moment) -> a context in which it is `moment`."""
    return governance_fixtures.clock.__wrapped__()


def _series(clock, vendor, ours=()):
    lead = ContactFactory(vendor=vendor, name="Olive Lead", role=ContactRole.OUTSOURCED_LEAD)
    with clock(MONDAY_10 - timedelta(days=7)):
        cadence = weekly_cadence(vendor, weekday=1, time_zone="Europe/Amsterdam",
                                 ours=list(ours), theirs=[lead])
    first = (Meeting.objects.filter(cadence=cadence, starts_at__gt=MONDAY_10)
             .order_by("starts_at").first())
    return first, lead


def _stamps(meeting):
    return set(Attendance.objects.filter(meeting=meeting).values_list(
        "invited_sequence", "invited_mailable", "invited_peers"))


def _recorded(meeting):
    return sorted(Reminder.objects.filter(kind=WEEKLY, occasion__startswith=f"meeting:"
                                          f"{meeting.pk}:").values_list("occasion",
                                                                        "recipient_key"))


def test_a_meeting_announced_to_everyone_is_left_out_after_one_read_of_its_participants(
        clock, vendor_a, line_manager):
    counts = []
    with registered(registry.get(WEEKLY)):
        for vendor, ours in ((vendor_a, [line_manager]), (VendorFactory(), [])):
            first, _ = _series(clock, vendor, ours)
            outbox.sweep(now=MONDAY_10)
            assert _stamps(first) == {(0, True, len(ours) + 1)}
            # Every meeting inside its lead time is settled: the candidates and their
            # participants' stamps are read, nothing else, and nothing is built.
            queries, dues = find_queries(WEEKLY, MONDAY_10 + timedelta(minutes=5))
            assert dues == []
            counts.append(queries)
    assert counts == [2, 2]  # (plus `SET jit = off` once per connection on PostgreSQL)


def test_a_meetings_stamps_roll_back_with_the_recording_that_failed(
        clock, vendor_a, line_manager):
    first, _ = _series(clock, vendor_a, [line_manager])
    weekly = registry.get(WEEKLY)

    def recording_fails(now, offset):
        found = weekly.find(now, offset)
        settle = registry.settle_of(found)

        def settle_then_fail():
            settle()
            raise ConnectionError("the database went away before the commit")

        return registry.Found(found, settle=settle_then_fail)

    broken = registry.Kind(key=WEEKLY, label=weekly.label, description=weekly.description,
                           timing=weekly.timing, default_offset=weekly.default_offset,
                           find=recording_fails, still_current=weekly.still_current)
    with registered(broken):
        result = outbox.sweep(now=MONDAY_10)
    assert result.failed_kinds == [WEEKLY]
    assert _recorded(first) == [] and _stamps(first) == {(None, None, None)}

    with registered(weekly):
        assert outbox.sweep(now=MONDAY_10).inserted == 2
    assert _stamps(first) == {(0, True, 2)}


def test_a_participant_added_after_everyone_was_invited_is_invited_at_once(
        clock, vendor_a, line_manager):
    first, _ = _series(clock, vendor_a, [line_manager])
    latecomer = ContactFactory(vendor=vendor_a, name="Late Comer")
    with registered(registry.get(WEEKLY)):
        outbox.sweep(now=MONDAY_10)
        with clock(MONDAY_10 + timedelta(minutes=30)):
            services.attendance_add(meeting=first, contact=latecomer)
        added = outbox.sweep(now=MONDAY_10 + timedelta(hours=1))
        again = outbox.sweep(now=MONDAY_10 + timedelta(hours=2))
    assert (added.inserted, again.inserted) == (1, 0)
    assert (f"meeting:{first.pk}:v0", f"contact:{latecomer.pk}") in _recorded(first)
    assert _stamps(first) == {(0, True, 3)}


def test_a_participant_back_on_the_books_after_the_meeting_settled_is_invited(
        clock, vendor_a, line_manager):
    first, lead = _series(clock, vendor_a, [line_manager])
    with clock(MONDAY_10 - timedelta(days=1)):
        vendor_services.record_archive(lead)
    with kinds_outbox() as box:
        invited = box.sweep(MONDAY_10, {WEEKLY})
        assert _stamps(first) == {(0, True, 2), (0, False, 2)}  # nothing for the archived
        with clock(MONDAY_10 + timedelta(minutes=30)):
            vendor_services.record_restore(lead)
        restored = box.sweep(MONDAY_10 + timedelta(hours=1), {WEEKLY})
        again = box.sweep(MONDAY_10 + timedelta(hours=2), {WEEKLY})
    assert [d.recipient.name for d in invited] == [str(line_manager)]
    assert [(d.occasion, d.recipient.name) for d in restored] == [
        (f"meeting:{first.pk}:v0", "Olive Lead")]
    assert again == [] and _stamps(first) == {(0, True, 2)}


def test_someone_taken_off_before_their_invitation_went_out_gets_a_cancel_once_it_has(
        clock, vendor_a, line_manager):
    """Their invitation, recorded and still pending, is sent (the meeting is unchanged):
    the meeting is not settled until they have had the cancellation too."""
    first, lead = _series(clock, vendor_a, [line_manager])
    with registered(registry.get(WEEKLY)):
        outbox.sweep(now=MONDAY_10)
        Attendance.objects.filter(meeting=first, contact=lead).delete()
        assert outbox.sweep(now=MONDAY_10 + timedelta(minutes=1)).inserted == 0
        with clock(MONDAY_10 + timedelta(minutes=2)):
            assert outbox.send_due().sent == 2
        cancelled = outbox.sweep(now=MONDAY_10 + timedelta(minutes=3))
        again = outbox.sweep(now=MONDAY_10 + timedelta(minutes=4))
    assert (cancelled.inserted, again.inserted) == (1, 0)
    assert (f"meeting:{first.pk}:cancel", f"contact:{lead.pk}") in _recorded(first)
    assert _stamps(first) == {(0, True, 1)}
