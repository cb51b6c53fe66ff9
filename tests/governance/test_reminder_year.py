"""A year of calendar time in three time zones (Tokyo: no daylight saving; Amsterdam and New
York: both changes, on different Sundays), with weekly, monthly and quarterly series: every
meeting is announced exactly once to each participant, never early, and the daylight-saving
changes neither skip nor double one.

The series sit where the changes bite: the weekly review is on Mondays at 02:30 with a lead
of one day, so its reminder falls on Sundays at 02:30 — a wall time that does not exist on
the spring-forward Sunday (it falls at 03:30, as RFC 5545 reads it) and happens twice on the
fall-back Sunday in Amsterdam (the first one). The clock steps through the year hour by
hour; what each sweep finds is recorded under the engine's unique key (kind, occasion,
recipient), as the engine does. The expected numbers come from the calendar, not from the
code under test."""

import calendar
import datetime
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from governance import services
from governance.choices import Tier
from governance.models import Cadence, Meeting
from reminders import registry
from tests.factories import AssignmentFactory, ContactFactory, UserFactory, VendorFactory
from tests.kinds import outbox

ZONES = ("Asia/Tokyo", "Europe/Amsterdam", "America/New_York")
YEAR = 2027
AT = datetime.time(2, 30)
KINDS = {Tier.WEEKLY: "governance.meeting_weekly", Tier.MONTHLY: "governance.meeting_monthly",
         Tier.QUARTERLY: "governance.meeting_quarterly"}
# Daylight-saving changes of YEAR (local dates), from the published rules.
SPRING = {"Europe/Amsterdam": datetime.date(YEAR, 3, 28),
          "America/New_York": datetime.date(YEAR, 3, 14)}
AUTUMN = {"Europe/Amsterdam": datetime.date(YEAR, 10, 31),
          "America/New_York": datetime.date(YEAR, 11, 7)}


def mondays(year: int) -> int:
    return sum(1 for month in range(1, 13) for week in calendar.monthcalendar(year, month)
               if week[calendar.MONDAY])


@pytest.fixture
def portfolio(clock, db):
    """One vendor per zone with a weekly, a monthly and a quarterly series, each with one of
    our people and one vendor contact, planned for the whole year."""
    series = {}
    with clock(datetime.datetime(YEAR - 1, 12, 20, 12, tzinfo=UTC)):
        for name in ZONES:
            vendor = VendorFactory(name=f"Vendor in {name}", slug=name.lower().replace("/", "-"))
            ours = UserFactory()
            AssignmentFactory(vendor=vendor, user=ours)
            theirs = ContactFactory(vendor=vendor)
            common = {"vendor": vendor, "start_time": AT, "time_zone": name,
                      "starts_on": datetime.date(YEAR, 1, 1),
                      "ends_on": datetime.date(YEAR, 12, 31),
                      "our_participants": [ours], "vendor_participants": [theirs]}
            for tier, fields in ((Tier.WEEKLY, {"weekday": 0}),
                                 (Tier.MONTHLY, {"day_of_month": 15}),
                                 (Tier.QUARTERLY, {"day_of_month": 15, "quarter_month": 2})):
                cadence = services.cadence_create(tier=tier, **common, **fields)
                services.meetings_generate(cadence, until=datetime.date(YEAR, 12, 31))
                series[(name, tier)] = cadence
    return series


def test_a_year_in_three_time_zones_sends_each_meeting_once_to_each_participant(portfolio):
    start = datetime.datetime(YEAR - 1, 12, 28, tzinfo=UTC)
    end = datetime.datetime(YEAR + 1, 1, 1, tzinfo=UTC)
    step = timedelta(hours=1)
    with outbox() as box:
        now = start
        while now < end:
            box.sweep(now, set(KINDS.values()))
            now += step

    expected = {Tier.WEEKLY: mondays(YEAR), Tier.MONTHLY: 12, Tier.QUARTERLY: 4}
    assert expected[Tier.WEEKLY] == 52
    for (name, tier), cadence in portfolio.items():
        meeting_ids = set(Meeting.objects.filter(cadence=cadence).values_list("pk", flat=True))
        rows = {unique: due for unique, due in box.rows.items()
                if int(unique[1].split(":")[1]) in meeting_ids}
        # Exactly one invitation per meeting and participant: no more, no fewer.
        assert len(rows) == 2 * expected[tier], (name, tier)
        assert {u[0] for u in rows} == {KINDS[tier]}
        assert len({u[1] for u in rows}) == expected[tier], (name, tier)
        assert all(u[1].endswith(":v0") for u in rows)

        tz = ZoneInfo(name)
        for unique, due in rows.items():
            meeting_start = datetime.datetime.fromisoformat(due.context["starts_at"])
            local = due.due_at.astimezone(tz)
            lead = registry.get(KINDS[tier]).default_offset
            day_before = meeting_start.astimezone(tz).date() - lead
            # The reminder falls the lead's calendar days before, at the meeting's wall time;
            # on the spring-forward Sunday that time does not exist and it falls an hour later.
            wall = datetime.time(3, 30) if SPRING.get(name) == day_before else AT
            assert (local.date(), local.time()) == (day_before, wall), (name, tier, local)
            if AUTUMN.get(name) == day_before and name == "Europe/Amsterdam":
                assert local.fold == 0 and local.utcoffset() == timedelta(hours=2)
            seen = box.first_seen[unique]
            assert due.due_at <= seen < due.due_at + step  # never early, found at once


def test_the_series_cross_both_daylight_saving_changes_with_their_reminders(portfolio):
    """The year test means something only if reminders really fall on the change days."""
    weekly = {name: Meeting.objects.filter(cadence=portfolio[(name, Tier.WEEKLY)])
              for name in ZONES}
    for name in ("Europe/Amsterdam", "America/New_York"):
        days = {m.local_start.date() - timedelta(days=1) for m in weekly[name]}
        assert SPRING[name] in days and AUTUMN[name] in days
    assert Cadence.objects.count() == 9
