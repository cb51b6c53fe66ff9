"""Business hours: how long something took inside a calendar's working hours.

A duration metric ("P1 resolved within 4 business hours") is measured in the calendar the
service level names: working days and hours in the calendar's own time zone, minus its
holidays. Without a calendar a duration runs around the clock (24x7).
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_HOLIDAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s+(.*))?$")


@dataclass(frozen=True)
class Hours:
    time_zone: str
    working_days: frozenset[int]  # ISO weekdays, Monday = 1
    starts: time
    ends: time
    holidays: frozenset[date] = frozenset()


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"'{name}' is not a time zone (e.g. Europe/London).") from error


def is_time_zone(name: str) -> bool:
    return name in available_timezones()


def parse_holidays(text: str) -> dict[date, str]:
    """'2026-12-25 Christmas Day' per line; blank lines and lines starting with # are
    skipped. Raises ValueError naming the first bad line."""
    holidays = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _HOLIDAY_LINE.match(line)
        try:
            day = date.fromisoformat(match.group(1)) if match else None
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"Line {number} ('{line[:40]}') does not start with a date "
                             "written YYYY-MM-DD.")
        holidays[day] = (match.group(2) or "").strip()
    return holidays


def parse_working_days(value: str) -> frozenset[int]:
    days = frozenset(int(c) for c in value if c.isdigit())
    if not days or not days <= set(range(1, 8)) or len(days) != len(value):
        raise ValueError("Working days are ISO weekday numbers 1 (Monday) to 7 (Sunday).")
    return days


def describe(hours: Hours) -> str:
    """'Mon–Fri 08:00–18:00 Europe/London, 9 holidays'."""
    days = sorted(hours.working_days)
    if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        span = f"{WEEKDAYS[days[0] - 1]}–{WEEKDAYS[days[-1] - 1]}"
    else:
        span = ", ".join(WEEKDAYS[d - 1] for d in days)
    holidays = len(hours.holidays)
    extra = f", {holidays} holiday{'s' if holidays != 1 else ''}" if holidays else ""
    return f"{span} {hours.starts:%H:%M}–{hours.ends:%H:%M} {hours.time_zone}{extra}"


def business_seconds(start: datetime, end: datetime, hours: Hours | None) -> int:
    """Seconds between two aware datetimes that fall within working hours (all of them when
    `hours` is None). Days are taken in the calendar's time zone, so a change to or from
    summer time moves the working day with the clock, as people experience it."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("Give times with a time zone.")
    if end <= start:
        return 0
    if hours is None:
        return int((end - start).total_seconds())
    tz = zone(hours.time_zone)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    total = 0.0
    while day <= last:
        if day.isoweekday() in hours.working_days and day not in hours.holidays:
            opens = datetime.combine(day, hours.starts, tzinfo=tz).astimezone(UTC)
            closes = datetime.combine(day, hours.ends, tzinfo=tz).astimezone(UTC)
            overlap = (min(closes, end_utc) - max(opens, start_utc)).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return int(total)


def business_hours(start: datetime, end: datetime, hours: Hours | None) -> float:
    return business_seconds(start, end, hours) / 3600
