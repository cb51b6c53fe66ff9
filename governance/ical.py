"""iCalendar (RFC 5545) for review meetings, written by the `icalendar` package.

Each meeting is one VEVENT with a stable UID and a SEQUENCE that grows with every move or
cancellation, so calendar clients update the event they already have. Times are written
in the meeting's own time zone (with its VTIMEZONE), so a client shows 10:00 Warsaw time
wherever its user is.
"""

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress

from governance.choices import MeetingStatus
from governance.models import Meeting

PRODID = "-//vendorgov//Governance reviews//EN"


def uid(meeting: Meeting) -> str:
    """The meeting's stable UID: the calendar feed and emailed invites name the same event."""
    return _uid(meeting)


def _uid(meeting: Meeting) -> str:
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "vendorgov"
    return f"meeting-{meeting.pk}@{host}"


def _event(meeting: Meeting) -> Event:
    url = settings.SITE_URL.rstrip("/") + meeting.get_absolute_url()
    where = ", ".join(p for p in (meeting.location, meeting.video_link) if p)
    description = [f"{meeting.title} with {meeting.vendor}.", f"Agenda and minutes: {url}"]
    if meeting.video_link:
        description.append(f"Video: {meeting.video_link}")
    if meeting.time_note:
        description.append(meeting.time_note)
    if meeting.is_cancelled and meeting.cancel_reason:
        description.append(f"Cancelled: {meeting.cancel_reason}")
    event = Event.new(
        uid=_uid(meeting), summary=f"{meeting.title} · {meeting.vendor}",
        start=meeting.local_start, end=meeting.local_end, stamp=timezone.now(),
        sequence=meeting.sequence, url=url, location=where or None,
        description="\n".join(description),
        status="CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def calendar(meetings, *, name: str) -> bytes:
    """A VCALENDAR with one event per meeting and the time zones they use."""
    cal = Calendar.new(prodid=PRODID, name=name, method="PUBLISH",
                       refresh_interval=timedelta(hours=6))
    for meeting in meetings:
        cal.add_component(_event(meeting))
    cal.add_missing_timezones()
    return cal.to_ical()


def invite(meeting: Meeting, *, method: str, attendee_email: str = "",
           attendee_name: str = "") -> str:
    """An iTIP (RFC 5546) message for one meeting: METHOD:REQUEST (an invitation, or an
    update when SEQUENCE grew) or METHOD:CANCEL, with the feed's UID and SEQUENCE so the
    client updates the event it already has instead of adding a second."""
    cal = Calendar.new(prodid=PRODID, method=method)
    event = _event(meeting)
    if method == "CANCEL":
        event["status"] = "CANCELLED"
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].strip('> ')}")
    organizer.params["cn"] = "vendorgov"
    event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        if attendee_name:
            attendee.params["cn"] = attendee_name
        attendee.params["role"] = "REQ-PARTICIPANT"
        event.add("attendee", attendee)
    cal.add_component(_vtimezone(meeting.time_zone, meeting.local_start.year))
    cal.add_component(event)
    return cal.to_ical().decode()


@lru_cache(maxsize=256)
def _vtimezone(tzid: str, year: int) -> Timezone:
    """The VTIMEZONE of one zone around one year: an invite needs only the rules near its
    meeting, and building the zone's whole history costs tens of milliseconds each time."""
    return Timezone.from_tzid(tzid, first_date=date(year - 1, 1, 1),
                              last_date=date(year + 1, 12, 31))
