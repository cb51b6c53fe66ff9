"""Meetings generated from cadences: the rolling horizon, daylight saving, and what a
cadence change may and may not touch."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance import services
from governance.choices import RECURRING_TIERS, MeetingStatus, Response, Tier, Weekday
from governance.models import Cadence, Meeting
from tests.factories import ContactFactory, UserFactory, VendorFactory
from tests.governance.factories import action_item, monthly_cadence, weekly_cadence

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=9, zone=LONDON):
    return dt.datetime(year, month, day, hour, tzinfo=zone)


def test_a_new_cadence_plans_its_meetings_to_the_horizon(vendor_a, clock):
    with clock(at(2026, 3, 2)):  # a Monday
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY)
    meetings = list(cadence.meetings.all())
    assert len(meetings) == 8  # 3 Mar … 21 Apr: eight weeks ahead
    assert meetings[0].local_start == at(2026, 3, 3, 10)
    assert all(m.local_start.time() == dt.time(10, 0) for m in meetings)
    assert {m.period for m in meetings} == {f"2026-W{w:02d}" for w in range(10, 18)}


def test_meetings_keep_local_time_when_the_clocks_change(vendor_a, clock):
    with clock(at(2026, 3, 16)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY,
                                 time_zone="America/New_York", at=dt.time(9, 0))
    utc_hours = [m.starts_at.astimezone(dt.UTC).hour for m in cadence.meetings.all()]
    assert set(utc_hours) == {13}  # 09:00 EDT all spring
    with clock(at(2026, 10, 20)):
        autumn = weekly_cadence(vendor_a, title="Autumn", weekday=Weekday.TUESDAY,
                                time_zone="America/New_York", at=dt.time(9, 0))
    hours = [m.starts_at.astimezone(dt.UTC).hour for m in autumn.meetings.all()][:3]
    assert hours == [13, 13, 14]  # 20 and 27 Oct EDT, then EST from 3 Nov


def test_generation_is_safe_to_run_twice_and_extends_with_time(vendor_a, clock):
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY)
        assert services.meetings_generate(cadence) == 0
        assert services.meetings_extend_horizon() == 0
    with clock(at(2026, 3, 16)):  # two weeks later, the horizon moves on two meetings
        assert services.meetings_extend_horizon() == 2
        assert services.meetings_extend_horizon() == 0
    assert cadence.meetings.count() == 10


def test_an_occurrence_nobody_typed_follows_the_rule_and_says_so(vendor_a, clock):
    # Bypass the typed-time check to see the rule applied far ahead.
    cadence = Cadence.objects.create(vendor=vendor_a, tier=Tier.WEEKLY, weekday=Weekday.SUNDAY,
                                     start_time=dt.time(1, 30), time_zone="Europe/London",
                                     starts_on=dt.date(2026, 3, 1))
    with clock(at(2026, 3, 20)):
        services.meetings_generate(cadence)
    meeting = cadence.meetings.get(period="2026-W13")
    assert meeting.local_start == dt.datetime(2026, 3, 29, 2, 30, tzinfo=LONDON)
    assert "01:30 does not exist in Europe/London" in meeting.time_note
    assert not cadence.meetings.get(period="2026-W14").time_note


@pytest.mark.parametrize(("zone", "at_time", "starts_on", "words"), [
    ("Europe/London", dt.time(1, 30), dt.date(2027, 3, 1), "does not exist in Europe/London"),
    ("Europe/London", dt.time(1, 30), dt.date(2027, 9, 1), "happens twice in Europe/London"),
    ("America/New_York", dt.time(2, 30), dt.date(2027, 2, 1),
     "does not exist in America/New_York on Sun 14 Mar 2027"),
])
def test_a_typed_cadence_time_in_a_dst_change_is_refused_clearly(vendor_a, zone, at_time,
                                                                  starts_on, words):
    with pytest.raises(ValidationError) as error:
        weekly_cadence(vendor_a, weekday=Weekday.SUNDAY, time_zone=zone, at=at_time,
                       starts_on=starts_on)
    assert words in error.value.message_dict["start_time"][0]
    assert not Cadence.objects.exists()


def test_cadence_rules_are_checked(vendor_a, vendor_b):
    with pytest.raises(ValidationError) as error:
        services.cadence_create(vendor=vendor_a, tier=Tier.WEEKLY, start_time=dt.time(10),
                                time_zone="Mars/Olympus")
    assert set(error.value.message_dict) == {"weekday", "time_zone"}
    with pytest.raises(ValidationError) as error:
        monthly_cadence(vendor_a, vendor_participants=[ContactFactory(vendor=vendor_b)],
                        our_participants=[UserFactory()])
    assert set(error.value.message_dict) == {"our_participants", "vendor_participants"}


def test_changing_a_cadence_moves_only_future_untouched_meetings(vendor_a, line_manager,
                                                                 clock):
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY, ours=[line_manager])
        first, second, third, fourth = list(cadence.meetings.all())[:4]
        services.meeting_move(second, date=dt.date(2026, 3, 11), start_time=dt.time(15, 0))
        services.meeting_cancel(third, reason="Easter")
        services.agenda_item_add(meeting=fourth, title="Renewal options")
    with clock(at(2026, 3, 4, 12)):
        services.meeting_hold(Meeting.objects.get(pk=first.pk))
        services.cadence_update(cadence, weekday=Weekday.THURSDAY, start_time=dt.time(11, 0),
                                location="Room 4")
    first, second, third, fourth = (Meeting.objects.get(pk=m.pk)
                                    for m in (first, second, third, fourth))
    assert first.is_held and first.local_start == at(2026, 3, 3, 10)
    assert second.local_start == at(2026, 3, 11, 15) and second.moved
    assert third.is_cancelled and third.local_start == at(2026, 3, 17, 10)
    # Untouched (its agenda point goes with it) and in the future: follows the cadence.
    assert fourth.local_start == at(2026, 3, 26, 11) and fourth.location == "Room 4"
    assert fourth.agenda_items.count() == 1 and fourth.sequence == 1
    assert Meeting.objects.filter(cadence=cadence).count() == 8


def test_meetings_the_cadence_no_longer_has_are_taken_out_unless_they_hold_something(
        vendor_a, clock):
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY)
        late = list(cadence.meetings.all())[-2:]
        action_item(vendor_a, meeting=late[0])
        services.cadence_update(cadence, ends_on=dt.date(2026, 4, 5))
    assert Meeting.objects.visible().filter(cadence=cadence).count() == 6
    kept = Meeting.objects.get(pk=late[0].pk)
    assert kept.archived_at is None  # it holds an action item
    gone = Meeting.objects.get(pk=late[1].pk)
    assert gone.archived_at is not None
    assert gone.history.first().history_change_reason == "No longer in the cadence"


def test_archiving_a_cadence_stops_it(vendor_a, clock):
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY)
        services.cadence_archive(cadence)
        assert services.meetings_extend_horizon() == 0
    assert not Meeting.objects.visible().filter(cadence=cadence).exists()


def test_participants_are_invited_and_follow_the_cadence(vendor_a, line_manager,
                                                         outsourced_lead, clock):
    extra = ContactFactory(vendor=vendor_a, name="Extra")
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY, ours=[line_manager],
                                 theirs=[outsourced_lead, extra])
        first, second = list(cadence.meetings.all())[:2]
        row = first.attendances.get(contact=extra)
        services.attendance_record(row, response=Response.CONFIRMED)
        services.cadence_update(cadence, vendor_participants=[outsourced_lead])
    # The answered invitation stays; the unanswered one goes with the cadence change.
    assert first.attendances.filter(contact=extra).exists()
    assert not second.attendances.filter(contact=extra).exists()
    assert second.attendances.filter(user=line_manager).exists()


def test_defaults_are_proposed_from_the_people_assigned(vendor_a, line_manager, operations_a,
                                                        outsourced_lead, ladder):
    cadences = services.cadence_propose_defaults(vendor=vendor_a)
    by_tier = {c.tier: c for c in cadences}
    assert set(by_tier) == set(RECURRING_TIERS)
    assert list(by_tier["weekly"].our_participants.all()) == [line_manager]
    assert list(by_tier["weekly"].vendor_participants.all()) == [outsourced_lead]
    assert operations_a in by_tier["monthly"].our_participants.all()
    quarterly = set(by_tier["quarterly"].vendor_participants.all())
    assert quarterly == {ladder[1], ladder[3]}  # account executive and executive sponsor
    assert services.cadence_propose_defaults(vendor=vendor_a) == []


def test_moving_a_meeting(vendor_a, clock):
    with clock(at(2026, 3, 2)):
        meeting = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY).meetings.first()
        with pytest.raises(ValidationError) as past:
            services.meeting_move(meeting, date=dt.date(2026, 3, 1), start_time=dt.time(10))
        assert "has passed" in past.value.message_dict["date"][0]
        with pytest.raises(ValidationError) as gap:
            services.meeting_move(meeting, date=dt.date(2026, 3, 29),
                                  start_time=dt.time(1, 15))
        assert "does not exist" in gap.value.message_dict["start_time"][0]
        with pytest.raises(ValidationError) as far:
            services.meeting_move(meeting, date=dt.date(2099, 1, 1), start_time=dt.time(10))
        assert "five years" in far.value.message_dict["date"][0]
        moved = services.meeting_move(meeting, date=dt.date(2026, 3, 5),
                                      start_time=dt.time(16, 30), time_zone="Europe/Warsaw",
                                      duration_minutes=45)
    assert moved.local_start == dt.datetime(2026, 3, 5, 16, 30,
                                            tzinfo=ZoneInfo("Europe/Warsaw"))
    assert moved.duration_minutes == 45 and moved.moved and moved.sequence == 1
    assert moved.series_starts_at == at(2026, 3, 3, 10)


def test_held_and_cancelled_meetings_are_settled(vendor_a, clock):
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.TUESDAY)
        first, second = list(cadence.meetings.all())[:2]
        with pytest.raises(ValidationError) as early:
            services.meeting_hold(first)
        assert "mark it held from that day" in early.value.message_dict["status"][0]
        services.meeting_cancel(second)
        with pytest.raises(services.Conflict):
            services.meeting_cancel(second)
        with pytest.raises(services.Conflict):
            services.meeting_hold(second)
    with clock(at(2026, 3, 3, 11)):
        services.meeting_hold(first)
        with pytest.raises(services.Conflict):
            services.meeting_hold(first)
        with pytest.raises(services.Conflict):
            services.meeting_move(first, date=dt.date(2026, 3, 20), start_time=dt.time(10))
        with pytest.raises(services.Conflict):
            services.agenda_item_add(meeting=first, title="Too late")
        # Minutes and decisions may still be written up after the meeting.
        services.meeting_write_minutes(first, minutes="Agreed the plan.")
        services.decision_record(meeting=first, text="Go ahead with SD-WAN wave 2.")
    assert first.history.filter(history_change_reason="Held").exists()


def test_a_held_meeting_keeps_its_agenda_as_it_was(vendor_a, clock):
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.MONDAY)
        meeting = cadence.meetings.first()
        item = action_item(vendor_a, title="Share the patch plan")
        services.agenda_item_add(meeting=meeting, title="Introduce the new lead")
        services.meeting_hold(meeting)
        services.action_item_progress(item, status="done")
    frozen = Meeting.objects.get(pk=meeting.pk).agenda_snapshot
    actions = next(s for s in frozen["sections"] if s["key"] == "action_items")
    assert [e["text"] for e in actions["entries"]] == ["Share the patch plan"]
    assert frozen["items"][0]["title"] == "Introduce the new lead"


def test_cadence_edits_never_touch_a_held_meeting(vendor_a, clock):
    with clock(at(2026, 3, 2, 9)):
        cadence = weekly_cadence(vendor_a, weekday=Weekday.MONDAY, at=dt.time(10))
        held = cadence.meetings.first()
    with clock(at(2026, 3, 2, 11)):
        services.meeting_write_minutes(held, minutes="Minutes")
        services.meeting_hold(held)
        services.cadence_update(cadence, start_time=dt.time(8, 0), duration_minutes=30)
        services.cadence_archive(cadence)
    held = Meeting.objects.get(pk=held.pk)
    assert held.is_held and held.minutes == "Minutes" and held.archived_at is None
    assert held.local_start == at(2026, 3, 2, 10) and held.duration_minutes == 60


def test_meetings_of_archived_vendors_stop(clock):
    vendor = VendorFactory()
    with clock(at(2026, 3, 2)):
        cadence = weekly_cadence(vendor, weekday=Weekday.TUESDAY)
        vendor.archived_at = timezone.now()
        vendor.save()
    with clock(at(2026, 3, 30)):
        assert services.meetings_extend_horizon() == 0
    assert cadence.meetings.filter(status=MeetingStatus.SCHEDULED).count() == 8


def test_a_held_meeting_says_when_it_was_held_in_the_organisations_time_zone(vendor_a,
                                                                             clock):
    # 00:30 in London on a summer Wednesday is still Tuesday 23:30 in UTC.
    with clock(at(2026, 6, 9, 12)):  # a Tuesday
        cadence = weekly_cadence(vendor_a, weekday=Weekday.WEDNESDAY, at=dt.time(0, 10))
    meeting = cadence.meetings.get(period="2026-W24")
    held_at = dt.datetime(2026, 6, 10, 0, 30, tzinfo=LONDON)
    with clock(held_at):
        services.meeting_hold(meeting)
        with pytest.raises(services.Conflict) as again:
            services.meeting_hold(meeting)
    assert "held on Wed 10 Jun 2026 at 00:30" in str(again.value)
