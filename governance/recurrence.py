"""When a cadence's meetings happen: pure date and time-zone logic, no database.

Meetings are planned in local wall time ("Tuesdays 10:00 Europe/Warsaw") and stored as
instants (aware datetimes, UTC in the database), so a meeting stays at 10:00 local time on
both sides of a daylight-saving change.

A wall time that does not name exactly one instant follows RFC 5545 (iCalendar), so our
times and every calendar client's agree:

* a time that does not exist (the clocks go forward past it, e.g. 02:30 in New York on
  the second Sunday of March) is read with the UTC offset from before the gap: the meeting
  starts that much later on the wall clock (03:30);
* a time that happens twice (the clocks go back, e.g. 01:30 in London on the last Sunday
  of October) means the first of the two (01:30 summer time).

Where a person types such a time (a cadence, moving a meeting) they get an error saying
so instead; the rule only applies to occurrences nobody typed, far ahead.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from vendorgov import formats

SKIPPED = "skipped"
REPEATED = "repeated"


@cache
def zone_names() -> tuple[str, ...]:
    """IANA zone names offered to people (the legacy aliases such as 'US/Eastern' left out)."""
    return tuple(sorted(n for n in available_timezones()
                        if "/" in n and not n.startswith(("Etc/", "SystemV/", "US/"))
                        or n == "UTC"))


def zone(name: str) -> ZoneInfo:
    """The zone called `name`; ValueError for anything that is not an IANA zone name."""
    if name not in zone_names():
        raise ValueError(f"'{name}' is not a time zone name such as Europe/London.")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:  # pragma: no cover - listed above
        raise ValueError(f"'{name}' is not a known time zone.") from error


def wall_time_problem(day: date, at: time, tz: ZoneInfo) -> str | None:
    """None when `day at` names exactly one instant in `tz`; else SKIPPED or REPEATED."""
    naive = datetime.combine(day, at)
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return SKIPPED if round_trip != naive else REPEATED


def to_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) a local wall time names, by the RFC 5545 rule above."""
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def problem_message(day: date, at: time, tz: ZoneInfo) -> str | None:
    """Why `day at` cannot be typed as a meeting time in `tz`, in words that say what to do."""
    problem = wall_time_problem(day, at, tz)
    if problem is None:
        return None
    if problem == SKIPPED:
        suggestion = to_instant(day, at, tz).astimezone(tz)
        return (f"{at:%H:%M} does not exist in {tz.key} on {formats.day(day)}: the clocks go "
                f"forward that day. Choose a time outside the change, such as "
                f"{suggestion:%H:%M}.")
    return (f"{at:%H:%M} happens twice in {tz.key} on {formats.day(day)}: the clocks go back "
            f"that day. Choose a time outside the repeated hour.")


def adjustment_note(day: date, at: time, tz: ZoneInfo) -> str:
    """What the RFC 5545 rule did to an occurrence nobody typed ('' when nothing)."""
    problem = wall_time_problem(day, at, tz)
    if problem is None:
        return ""
    local = to_instant(day, at, tz).astimezone(tz)
    if problem == SKIPPED:
        return (f"{at:%H:%M} does not exist in {tz.key} on {formats.day(day)} (the clocks go "
                f"forward), so this meeting starts at {local:%H:%M %Z}.")
    return (f"{at:%H:%M} happens twice in {tz.key} on {formats.day(day)} (the clocks go back); "
            f"this meeting is at the first one, {local:%H:%M %Z}.")


@dataclass(frozen=True)
class Slot:
    """One place in a series: its period key (at most one meeting per period) and day."""

    period: str
    day: date


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_day(year: int, month: int, day_of_month: int) -> date:
    """The day of the month (29–31 fall on the last day of shorter months); one that falls
    on a Saturday or Sunday moves to the Monday after: reviews are held on working days."""
    day = date(year, month, min(day_of_month, _last_day(year, month)))
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def weekly_slots(weekday: int, first: date, last: date) -> list[Slot]:
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    slots = []
    while day <= last:
        year, week, _ = day.isocalendar()
        slots.append(Slot(f"{year}-W{week:02d}", day))
        day += timedelta(days=7)
    return slots


def monthly_slots(day_of_month: int, first: date, last: date) -> list[Slot]:
    slots, year, month = [], first.year, first.month
    while date(year, month, 1) <= last:
        day = _month_day(year, month, day_of_month)
        if first <= day <= last:
            slots.append(Slot(f"{year}-{month:02d}", day))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return slots


def quarterly_slots(quarter_month: int, day_of_month: int, first: date,
                    last: date) -> list[Slot]:
    slots, year, quarter = [], first.year, (first.month - 1) // 3 + 1
    while date(year, 3 * quarter - 2, 1) <= last:
        day = _month_day(year, 3 * quarter - 3 + quarter_month, day_of_month)
        if first <= day <= last:
            slots.append(Slot(f"{year}-Q{quarter}", day))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return slots


def slots(tier: str, *, weekday: int | None, day_of_month: int | None,
          quarter_month: int | None, first: date, last: date) -> list[Slot]:
    """The series' slots whose day falls within [first, last]."""
    if last < first:
        return []
    if tier == "weekly":
        return weekly_slots(weekday, first, last)
    if tier == "monthly":
        return monthly_slots(day_of_month, first, last)
    return quarterly_slots(quarter_month or 1, day_of_month, first, last)


def period_of(tier: str, day: date) -> str:
    """The period key a day belongs to for a tier (the week, month or quarter)."""
    if tier == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if tier == "monthly":
        return f"{day.year}-{day.month:02d}"
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
