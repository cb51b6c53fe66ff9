"""When meetings happen: series slots, and local wall times across daylight-saving changes
(RFC 5545's rule for times a change skips or repeats)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from governance import recurrence

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def test_weekly_meetings_keep_their_local_time_across_the_spring_change_in_london():
    sundays = [s.day for s in recurrence.weekly_slots(0, dt.date(2026, 3, 23),
                                                      dt.date(2026, 4, 6))]
    starts = [recurrence.to_instant(day, dt.time(10, 0), LONDON) for day in sundays]
    assert [s.astimezone(LONDON).time() for s in starts] == [dt.time(10, 0)] * 3
    # 10:00 GMT before the change, 10:00 BST (09:00 UTC) after it.
    assert [s.astimezone(UTC).hour for s in starts] == [10, 9, 9]


def test_weekly_meetings_keep_their_local_time_across_the_autumn_change_in_new_york():
    starts = [recurrence.to_instant(slot.day, dt.time(9, 30), NEW_YORK)
              for slot in recurrence.weekly_slots(0, dt.date(2026, 10, 26),
                                                  dt.date(2026, 11, 3))]
    assert [s.astimezone(UTC).time() for s in starts] == [dt.time(13, 30), dt.time(14, 30)]


@pytest.mark.parametrize(("zone", "day", "at", "problem", "instant_utc", "local"), [
    # The spring gap: read with the offset before it, so the meeting is an hour later.
    (LONDON, dt.date(2026, 3, 29), dt.time(1, 30), "skipped", dt.time(1, 30), dt.time(2, 30)),
    (NEW_YORK, dt.date(2026, 3, 8), dt.time(2, 30), "skipped", dt.time(7, 30), dt.time(3, 30)),
    # The autumn repeat: the first of the two (still summer time).
    (LONDON, dt.date(2026, 10, 25), dt.time(1, 30), "repeated", dt.time(0, 30),
     dt.time(1, 30)),
    (NEW_YORK, dt.date(2026, 11, 1), dt.time(1, 30), "repeated", dt.time(5, 30),
     dt.time(1, 30)),
    # Ordinary times either side of the change are what they say.
    (NEW_YORK, dt.date(2026, 3, 8), dt.time(1, 30), None, dt.time(6, 30), dt.time(1, 30)),
    (LONDON, dt.date(2026, 10, 25), dt.time(2, 30), None, dt.time(2, 30), dt.time(2, 30)),
])
def test_wall_times_that_a_change_skips_or_repeats_follow_rfc_5545(zone, day, at, problem,
                                                                   instant_utc, local):
    assert recurrence.wall_time_problem(day, at, zone) == problem
    instant = recurrence.to_instant(day, at, zone)
    assert instant.tzinfo == UTC and instant.time() == instant_utc
    assert instant.astimezone(zone).time() == local


def test_problem_messages_say_what_happened_and_what_to_do():
    gap = recurrence.problem_message(dt.date(2026, 3, 8), dt.time(2, 30), NEW_YORK)
    assert gap == ("02:30 does not exist in America/New_York on Sun 8 Mar 2026: the clocks "
                   "go forward that day. Choose a time outside the change, such as 03:30.")
    repeat = recurrence.problem_message(dt.date(2026, 10, 25), dt.time(1, 15), LONDON)
    assert "happens twice in Europe/London on Sun 25 Oct 2026" in repeat
    assert recurrence.problem_message(dt.date(2026, 10, 25), dt.time(10, 0), LONDON) is None


def test_adjustment_notes_explain_what_the_rule_did():
    note = recurrence.adjustment_note(dt.date(2026, 3, 29), dt.time(1, 30), LONDON)
    assert note == ("01:30 does not exist in Europe/London on Sun 29 Mar 2026 (the clocks go "
                    "forward), so this meeting starts at 02:30 BST.")
    assert "first one, 01:30 EDT" in recurrence.adjustment_note(dt.date(2026, 11, 1),
                                                                dt.time(1, 30), NEW_YORK)
    assert recurrence.adjustment_note(dt.date(2026, 11, 2), dt.time(1, 30), NEW_YORK) == ""


def test_monthly_slots_fall_on_the_last_day_of_shorter_months():
    slots = recurrence.monthly_slots(31, dt.date(2026, 3, 1), dt.date(2026, 6, 30))
    assert [(s.period, s.day) for s in slots] == [
        ("2026-03", dt.date(2026, 3, 31)), ("2026-04", dt.date(2026, 4, 30)),
        # Sunday 31 May: the Monday after is in June, so back to Friday 29 May.
        ("2026-05", dt.date(2026, 5, 29)), ("2026-06", dt.date(2026, 6, 30))]


def test_a_day_that_falls_on_a_weekend_moves_to_the_monday_after():
    saturdays = recurrence.monthly_slots(10, dt.date(2026, 10, 1), dt.date(2027, 1, 31))
    assert [s.day for s in saturdays] == [dt.date(2026, 10, 12), dt.date(2026, 11, 10),
                                          dt.date(2026, 12, 10), dt.date(2027, 1, 11)]
    assert all(s.day.weekday() < 5 for s in saturdays)


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK], ids=["London", "New York"])
def test_every_month_has_exactly_one_monthly_review_on_a_working_day_inside_it(zone):
    """Every day of the month, 2024–2031 (two leap years), at times early and late in the
    day: each month has one review, on a working day of that month, in the cadence's zone."""
    months = [(y, m) for y in range(2024, 2032) for m in range(1, 13)]
    for day_of_month in range(1, 32):
        slots = recurrence.monthly_slots(day_of_month, dt.date(2024, 1, 1),
                                         dt.date(2031, 12, 31))
        assert [s.period for s in slots] == [f"{y}-{m:02d}" for y, m in months], day_of_month
        for slot, (year, month) in zip(slots, months, strict=True):
            assert (slot.day.year, slot.day.month) == (year, month), (day_of_month, slot)
            assert slot.day.weekday() < 5, (day_of_month, slot)
            last = recurrence._last_day(year, month)
            wanted = min(day_of_month, last)
            # It moves only off a weekend, and never further than over one weekend.
            assert abs(slot.day.day - wanted) <= 2, (day_of_month, slot)
            for at in (dt.time(0, 30), dt.time(9, 0), dt.time(23, 30)):
                local = recurrence.to_instant(slot.day, at, zone).astimezone(zone)
                assert (local.year, local.month) == (year, month)


def test_in_2026_february_and_march_each_get_one_review_on_day_31():
    slots = recurrence.monthly_slots(31, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert [(s.period, s.day) for s in slots] == [
        ("2026-01", dt.date(2026, 1, 30)),  # Saturday 31 Jan: back to Friday
        ("2026-02", dt.date(2026, 2, 27)),  # Saturday 28 Feb: back to Friday
        ("2026-03", dt.date(2026, 3, 31))]


def test_quarterly_slots_fall_in_the_chosen_month_of_each_quarter():
    slots = recurrence.quarterly_slots(2, 15, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [(s.period, s.day) for s in slots] == [
        ("2026-Q1", dt.date(2026, 2, 16)), ("2026-Q2", dt.date(2026, 5, 15)),
        ("2026-Q3", dt.date(2026, 8, 17)), ("2026-Q4", dt.date(2026, 11, 16))]


def test_slots_stay_within_their_window():
    assert recurrence.monthly_slots(10, dt.date(2026, 5, 12), dt.date(2026, 6, 9)) == []
    assert recurrence.slots("weekly", weekday=0, day_of_month=None, quarter_month=None,
                            first=dt.date(2026, 5, 1), last=dt.date(2026, 4, 1)) == []


def test_each_period_has_one_key_iso_weeks_included():
    assert recurrence.period_of("weekly", dt.date(2026, 12, 31)) == "2026-W53"
    assert recurrence.period_of("weekly", dt.date(2027, 1, 1)) == "2026-W53"
    assert recurrence.period_of("monthly", dt.date(2026, 2, 3)) == "2026-02"
    assert recurrence.period_of("quarterly", dt.date(2026, 11, 26)) == "2026-Q4"
    slot = recurrence.weekly_slots(3, dt.date(2026, 12, 28), dt.date(2027, 1, 3))[0]
    assert slot.period == "2026-W53" and slot.day == dt.date(2026, 12, 31)


def test_only_iana_zone_names_are_zones():
    assert recurrence.zone("Europe/Warsaw").key == "Europe/Warsaw"
    assert "Europe/London" in recurrence.zone_names() and "UTC" in recurrence.zone_names()
    for bad in ("Mars/Olympus", "", "../../etc/passwd", "US/Eastern", "Europe/London\x00"):
        with pytest.raises(ValueError):
            recurrence.zone(bad)
