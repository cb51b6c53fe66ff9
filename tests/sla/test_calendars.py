"""Business hours, for durations measured in a calendar."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sla import calendars

LONDON = ZoneInfo("Europe/London")
UK = calendars.Hours("Europe/London", frozenset({1, 2, 3, 4, 5}), time(8), time(18),
                     frozenset({date(2026, 12, 25)}))


def at(*args, tz=LONDON):
    return datetime(*args, tzinfo=tz)


def test_within_one_working_day():
    assert calendars.business_hours(at(2026, 3, 2, 9), at(2026, 3, 2, 12), UK) == 3


def test_the_night_and_the_weekend_do_not_count():
    # Friday 17:00 to Monday 10:00: one hour on Friday, two on Monday.
    assert calendars.business_hours(at(2026, 3, 6, 17), at(2026, 3, 9, 10), UK) == 3


def test_holidays_do_not_count():
    # Thursday 24 Dec 16:00 to Monday 28 Dec 09:00; Friday is Christmas Day.
    assert calendars.business_hours(at(2026, 12, 24, 16), at(2026, 12, 28, 9), UK) == 3


def test_the_working_day_follows_summer_time():
    # The clocks go forward on Sunday 29 March 2026; Monday 08:00 is 07:00 UTC.
    monday_8_utc = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert calendars.business_hours(monday_8_utc, at(2026, 3, 30, 10), UK) == 2


def test_moments_given_in_another_time_zone_are_read_in_the_calendars():
    new_york = ZoneInfo("America/New_York")
    # 09:00 in New York is 14:00 in London (March 2 2026, both in winter time).
    assert calendars.business_hours(at(2026, 3, 2, 9, tz=new_york), at(2026, 3, 2, 16),
                                    UK) == 2


def test_around_the_clock_without_a_calendar_and_nothing_backwards():
    assert calendars.business_hours(at(2026, 3, 6, 17), at(2026, 3, 9, 10), None) == 65
    assert calendars.business_seconds(at(2026, 3, 2, 12), at(2026, 3, 2, 9), UK) == 0
    with pytest.raises(ValueError):
        calendars.business_seconds(datetime(2026, 3, 2, 9), at(2026, 3, 2, 10), UK)


def test_holiday_lines_and_working_days_are_parsed_with_clear_errors():
    assert calendars.parse_holidays("# comment\n2026-12-25 Christmas\n\n2026-12-26") == {
        date(2026, 12, 25): "Christmas", date(2026, 12, 26): ""}
    with pytest.raises(ValueError, match="Line 2"):
        calendars.parse_holidays("2026-12-25\n25/12/2026 Christmas")
    assert calendars.parse_working_days("12345") == frozenset({1, 2, 3, 4, 5})
    with pytest.raises(ValueError):
        calendars.parse_working_days("089")
    assert calendars.describe(UK) == "Mon–Fri 08:00–18:00 Europe/London, 1 holiday"
