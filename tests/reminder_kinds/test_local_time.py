"""`vendors.reminding`: lead times in calendar days on the local wall clock, the rest as
elapsed time, and the RFC 5545 reading of wall times the clocks skip or repeat."""

import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from vendors import reminding

AMS, NYC = ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/New_York")


def local(moment, tz):
    return moment.astimezone(tz).replace(tzinfo=None)


def test_a_day_of_lead_keeps_the_wall_time_across_a_clock_change():
    # Monday 30 March 2027 10:00 Amsterdam (summer time); the clocks went forward on Sunday.
    meeting = datetime.datetime(2027, 3, 29, 10, tzinfo=AMS)
    moment = reminding.before(meeting, timedelta(days=2), AMS)
    assert local(moment, AMS) == datetime.datetime(2027, 3, 27, 10)
    assert meeting - moment == timedelta(hours=47)  # not 48: a calendar lead, not elapsed


def test_the_part_of_a_lead_below_a_day_is_elapsed_time():
    meeting = datetime.datetime(2027, 3, 29, 1, 30, tzinfo=AMS)
    moment = reminding.before(meeting, timedelta(days=1, hours=1), AMS)
    # Sunday 28 March 01:30 (winter time) minus one real hour: 00:30.
    assert local(moment, AMS) == datetime.datetime(2027, 3, 28, 0, 30)


def test_a_wall_time_the_clocks_skip_falls_an_hour_later_and_a_repeated_one_the_first_time():
    skipped = reminding.wall(datetime.date(2027, 3, 14), datetime.time(2, 30), NYC)
    assert local(skipped, NYC) == datetime.datetime(2027, 3, 14, 3, 30)
    repeated = reminding.wall(datetime.date(2027, 10, 31), datetime.time(2, 30), AMS)
    assert repeated == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_dates_are_reminded_at_nine_in_the_organisations_zone(settings):
    settings.TIME_ZONE = "Europe/London"
    before = reminding.day_before(datetime.date(2027, 3, 29), timedelta(days=2))
    after = reminding.day_after(datetime.date(2027, 3, 27), timedelta(days=1))
    assert before == datetime.datetime(2027, 3, 27, 9, tzinfo=UTC)  # GMT
    assert after == datetime.datetime(2027, 3, 29, 8, tzinfo=UTC)  # 09:00 BST
