"""Writes of governance records. Keyword-only, validated, atomic.

Callers (pages, API, tasks, the demo) check rights with `vendors.access` first; services
enforce the rules of the data itself and raise `ValidationError({field: message})` for
input that cannot be accepted, or `Conflict` when the record's state rules the change out
(a held meeting cannot move): pages show either as a message, the API answers 400 or 409.
History (who and when) is kept by django-simple-history from `_history_user`.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from governance import agenda, recurrence
from governance.choices import (
    RECURRING_TIERS,
    SUGGESTION_NEXT,
    ActionStatus,
    EscalationStep,
    ImpedimentKind,
    ImpedimentStatus,
    MeetingStatus,
    QuarterMonth,
    Response,
    ResponsibleSide,
    Severity,
    SuggestionStatus,
    Tier,
    Weekday,
)
from governance.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Cadence,
    CalendarFeed,
    Decision,
    Escalation,
    GovernancePlan,
    Impediment,
    ImpedimentUpdate,
    Meeting,
    Suggestion,
)
from governance.selectors import ladder_recipients, plan_for, relationship_users
from vendorgov import formats, history, jobs
from vendorgov.errors import Conflict
from vendors.choices import AssignmentRole, ContactRole, Side
from vendors.models import Contact, Vendor

# How far ahead meetings are planned: eight weeks, and at least the next two meetings of a
# monthly or quarterly review, so every calendar shows what is coming.
HORIZON = timedelta(weeks=getattr(settings, "GOVERNANCE_HORIZON_WEEKS", 8))
HORIZONS = {Tier.WEEKLY: HORIZON, Tier.MONTHLY: max(HORIZON, timedelta(weeks=13)),
            Tier.QUARTERLY: max(HORIZON, timedelta(weeks=27))}
# How far ahead a typed cadence time is checked against daylight-saving changes.
DST_CHECK_AHEAD = timedelta(days=2 * 366)
# Meetings are planned at most this far ahead (a typo such as 2206 is not a plan).
MAX_AHEAD = timedelta(days=5 * 366)


# Governance validates leanly: its writes touch a few fields of records just loaded.
_save = partial(history.save, lean=True)


def _lock(instance: Model) -> Model:
    """Lock the record's row for the rest of the transaction and read it afresh, so that of
    two requests changing it at once (two tabs, a double click) the second waits and then
    sees what the first did, instead of both acting on the state they loaded."""
    type(instance).objects.select_for_update().filter(pk=instance.pk).values_list("pk").get()
    instance.refresh_from_db()
    return instance


# -- people of the relationship ------------------------------------------------------------

def _outsider(vendor: Vendor, *, user=None, contact=None) -> str:
    """Why `user` or `contact` is outside the relationship with `vendor` ('' if inside)."""
    if user is not None and not relationship_users(vendor).filter(pk=user.pk).exists():
        return (f"{user} is not part of the relationship with {vendor}: choose one of our "
                f"people assigned to it (or a vendor manager or executive), or assign them "
                f"first.")
    if contact is not None and (contact.vendor_id != vendor.pk or contact.is_archived):
        return f"{contact.name} is not a current contact at {vendor}: choose one of its contacts."
    return ""


def _check_people(vendor: Vendor, **people) -> None:
    """ValidationError keyed by field for each person (field=user or contact) outside."""
    errors = {}
    for field, person in people.items():
        if person is not None:
            kind = "contact" if isinstance(person, Contact) else "user"
            if message := _outsider(vendor, **{kind: person}):
                errors[field] = message
    if errors:
        raise ValidationError(errors)


def _check_owner(vendor: Vendor, owner_user, owner_contact, *, required: bool) -> None:
    if owner_user is not None and owner_contact is not None:
        raise ValidationError({"owner_user": "Choose one owner: one of our people or a vendor "
                                             "contact, not both."})
    if required and owner_user is None and owner_contact is None:
        raise ValidationError({"owner_user": "Choose who owns this: one of our people or a "
                                             "vendor contact."})
    _check_people(vendor, owner_user=owner_user, owner_contact=owner_contact)


def _side_of(user) -> str:
    return Side.VENDOR if getattr(user, "is_vendor_user", False) else Side.OURS


# -- plan ------------------------------------------------------------------------------------

@transaction.atomic
def plan_update(*, vendor: Vendor, by=None, **fields) -> GovernancePlan:
    plan = plan_for(vendor)
    for name, value in fields.items():
        setattr(plan, name, value)
    return _save(plan, by=by)


# -- cadences ----------------------------------------------------------------------------------

CADENCE_DEFAULTS = {
    Tier.WEEKLY: {"weekday": Weekday.TUESDAY, "start_time": time(10, 0),
                  "duration_minutes": 60,
                  "ours": (AssignmentRole.RELATIONSHIP_OWNER, AssignmentRole.LINE_MANAGER),
                  "theirs": (ContactRole.OUTSOURCED_LEAD,)},
    Tier.MONTHLY: {"day_of_month": 10, "start_time": time(14, 0), "duration_minutes": 90,
                   "ours": (AssignmentRole.RELATIONSHIP_OWNER, AssignmentRole.OPERATIONS),
                   "theirs": (ContactRole.OUTSOURCED_LEAD, ContactRole.DELIVERY_MANAGER)},
    Tier.QUARTERLY: {"day_of_month": 20, "quarter_month": QuarterMonth.FIRST,
                     "start_time": time(14, 0), "duration_minutes": 120,
                     "ours": (AssignmentRole.RELATIONSHIP_OWNER,
                              AssignmentRole.EXECUTIVE_SPONSOR),
                     "theirs": (ContactRole.ACCOUNT_EXECUTIVE, ContactRole.EXECUTIVE_SPONSOR)},
}


def cadence_defaults(vendor: Vendor, tier: str) -> dict:
    """A sensible cadence of `tier` for `vendor`, with participants taken from the people
    assigned to it (DESIGN.md's cadence table: who meets at each level)."""
    if tier not in CADENCE_DEFAULTS:
        tier = Tier.WEEKLY  # health-check reviews are arranged, not set up by hand
    spec = CADENCE_DEFAULTS[Tier(tier)]
    ours = [a.user for a in vendor.assignments.select_related("user")
            if a.role in spec["ours"] and a.user.is_active]
    theirs = list(Contact.objects.active().filter(vendor=vendor, role__in=spec["theirs"]))
    fields = {k: v for k, v in spec.items() if k not in ("ours", "theirs")}
    return {"tier": tier, "time_zone": settings.TIME_ZONE, **fields,
            "our_participants": ours, "vendor_participants": theirs}


def _check_cadence(cadence: Cadence, ours, theirs) -> None:
    cadence.full_clean()
    errors = {}
    outsiders = [u for u in ours if _outsider(cadence.vendor, user=u)]
    if outsiders:
        errors["our_participants"] = (
            f"{', '.join(map(str, outsiders))} not part of the relationship with "
            f"{cadence.vendor}; choose people assigned to it.")
    strangers = [c for c in theirs if _outsider(cadence.vendor, contact=c)]
    if strangers:
        errors["vendor_participants"] = (
            f"{', '.join(c.name for c in strangers)} not a current contact at {cadence.vendor}.")
    today = timezone.localdate()
    if cadence.starts_on > today + MAX_AHEAD:
        errors["starts_on"] = "Choose a start within the next five years."
    if errors:
        raise ValidationError(errors)
    # A typed time must name one instant on every day the cadence meets (see recurrence).
    first = max(cadence.starts_on, today)
    for slot in cadence.slots(first, first + DST_CHECK_AHEAD):
        if message := recurrence.problem_message(slot.day, cadence.start_time, cadence.tz):
            raise ValidationError({"start_time": f"The {cadence.rhythm.lower()} meeting at "
                                                 f"{cadence.start_time:%H:%M} would fall in a "
                                                 f"daylight-saving change. {message}"})


@transaction.atomic
def cadence_create(*, vendor: Vendor, by=None, our_participants=(), vendor_participants=(),
                   **fields) -> Cadence:
    return _save_cadence(Cadence(vendor=vendor, **fields), list(our_participants),
                         list(vendor_participants), by=by)


@transaction.atomic
def cadence_update(cadence: Cadence, *, by=None, our_participants=None,
                   vendor_participants=None, **fields) -> Cadence:
    """Change a cadence; its future meetings that nobody moved or cancelled follow it.
    Held, moved and cancelled meetings keep what they have."""
    if "tier" in fields and fields["tier"] != cadence.tier:
        raise ValidationError({"tier": "A cadence keeps its tier; archive it and add another."})
    for name, value in fields.items():
        setattr(cadence, name, value)
    ours = list(cadence.our_participants.all() if our_participants is None
                else our_participants)
    theirs = list(cadence.vendor_participants.all() if vendor_participants is None
                  else vendor_participants)
    return _save_cadence(cadence, ours, theirs, by=by)


def _save_cadence(cadence: Cadence, ours: list, theirs: list, *, by) -> Cadence:
    """Check and save a cadence with its participants; its meetings follow."""
    _check_cadence(cadence, ours, theirs)
    _save(cadence, by=by)
    cadence.our_participants.set(ours)
    cadence.vendor_participants.set(theirs)
    meetings_generate(cadence, by=by, sync_participants=True)
    return cadence


@transaction.atomic
def cadence_archive(cadence: Cadence, *, by=None) -> Cadence:
    """Stop a cadence: no new meetings; its future untouched, empty meetings go too."""
    if cadence.archived_at is None:
        cadence.archived_at = timezone.now()
        _save(cadence, by=by, change_reason="Archived")
        meetings_generate(cadence, by=by)
    return cadence


@transaction.atomic
def cadence_propose_defaults(*, vendor: Vendor, by=None) -> list[Cadence]:
    """Add the default weekly, monthly and quarterly reviews the vendor does not have yet."""
    have = set(Cadence.objects.active().filter(vendor=vendor).values_list("tier", flat=True))
    return [cadence_create(vendor=vendor, by=by, **cadence_defaults(vendor, tier))
            for tier in RECURRING_TIERS if tier not in have]


# -- meeting generation ----------------------------------------------------------------------

def _has_content(meeting: Meeting) -> bool:
    return (meeting.agenda_items.exists() or meeting.decisions.exists()
            or meeting.action_items.exists() or bool(meeting.minutes)
            or meeting.attendances.exclude(response=Response.PENDING, present=None).exists())


def _series_fields(cadence: Cadence, day: date) -> dict:
    tz = cadence.tz
    start = recurrence.to_instant(day, cadence.start_time, tz)
    return {"title": str(cadence), "starts_at": start,
            "ends_at": start + timedelta(minutes=cadence.duration_minutes),
            "series_starts_at": start, "time_zone": cadence.time_zone,
            "time_note": recurrence.adjustment_note(day, cadence.start_time, tz),
            "location": cadence.location, "video_link": cadence.video_link}


def _sync_attendance(meeting: Meeting, cadence: Cadence) -> None:
    """Invite the cadence's participants; drop invitations nobody has answered of people
    who left the cadence (answered ones and those added by hand stay)."""
    users = {u.pk for u in cadence.our_participants.all()}
    contacts = {c.pk for c in cadence.vendor_participants.all()}
    for row in meeting.attendances.all():
        wanted = users if row.user_id else contacts
        key = row.user_id or row.contact_id
        if key in wanted:
            wanted.discard(key)
        elif not row.added_by_hand and row.response == Response.PENDING and row.present is None:
            row.delete()
    for pk in users:
        Attendance.objects.create(vendor_id=meeting.vendor_id, meeting=meeting, user_id=pk)
    for pk in contacts:
        Attendance.objects.create(vendor_id=meeting.vendor_id, meeting=meeting, contact_id=pk)


def meetings_generate(cadence: Cadence, *, by=None, until: date | None = None,
                      sync_participants: bool = False) -> int:
    """Bring the cadence's meetings up to the horizon: create the missing ones, move future
    untouched ones to where the cadence now puts them, and take out (archive) future
    untouched, empty ones it no longer has. Safe to run twice, and concurrently: a period
    has at most one meeting (a unique constraint), so a second run creates nothing.
    Returns how many meetings were created."""
    if cadence.tier not in RECURRING_TIERS:
        return 0  # arranged one meeting at a time (meeting_arrange), never generated
    now, today = timezone.now(), timezone.localdate()
    last = until or today + HORIZONS[Tier(cadence.tier)]
    vendor = cadence.vendor
    live = cadence.archived_at is None and vendor.archived_at is None
    wanted = {slot.period: slot for slot in cadence.slots(today, last)} if live else {}
    meetings = {m.period: m for m in cadence.meetings.filter(archived_at__isnull=True)}
    created = 0
    for period, slot in wanted.items():
        fields = _series_fields(cadence, slot.day)
        meeting = meetings.get(period)
        if meeting is None:
            if fields["starts_at"] < now:
                continue  # its time has passed already: nothing to plan
            try:
                with transaction.atomic():
                    meeting = _save(Meeting(vendor=vendor, cadence=cadence, tier=cadence.tier,
                                            period=period, **fields), by=by)
            except (IntegrityError, ValidationError):
                continue  # another run created it meanwhile
            _sync_attendance(meeting, cadence)
            created += 1
        elif meeting.follows_cadence and meeting.starts_at >= now:
            changed = {k: v for k, v in fields.items() if getattr(meeting, k) != v}
            if changed:
                if {"starts_at", "ends_at", "location", "video_link"} & set(changed):
                    meeting.sequence += 1
                for name, value in changed.items():
                    setattr(meeting, name, value)
                _save(meeting, by=by, change_reason="The cadence changed")
            if sync_participants:
                _sync_attendance(meeting, cadence)
    for period, meeting in meetings.items():
        if (period not in wanted and meeting.follows_cadence and meeting.starts_at >= now
                and not _has_content(meeting)):
            meeting.archived_at = now
            _save(meeting, by=by, change_reason="No longer in the cadence")
    return created


def meetings_extend_horizon() -> int:
    """Generate every live cadence's meetings up to the horizon (the periodic task). Each
    cadence on its own: one that cannot be planned (say, its time zone no longer exists)
    is logged and shown to vendor managers (`vendorgov.jobs`), and the others are planned.
    Health-check cadences have no series (their meetings are arranged one at a time).
    Returns how many meetings were created."""
    ids = (Cadence.objects.active().filter(vendor__archived_at__isnull=True,
                                           tier__in=RECURRING_TIERS)
           .values_list("pk", flat=True))
    run = jobs.for_each("Plan review meetings ahead", Cadence, ids, meetings_generate,
                        load=lambda pk: Cadence.objects.select_related("vendor").get(pk=pk))
    return sum(run.results)


# -- meetings arranged one at a time ----------------------------------------------------------

@transaction.atomic
def meeting_arrange(*, vendor: Vendor, tier: str, key: str, title: str, starts_at: datetime,
                    duration_minutes: int = 90, time_zone: str = "", location: str = "",
                    our_participants=(), vendor_participants=(), by=None) -> Meeting:
    """A one-off review meeting of a non-recurring tier (the health-check review), in the
    vendor's calendar with its .ics like any other: on the vendor's cadence of that tier
    (made on first use; it generates nothing), for the period `key` (e.g. "hc-12"). Asked
    again for the same key, it returns the meeting already arranged (unless cancelled)."""
    if tier in RECURRING_TIERS:
        raise ValidationError({"tier": "Weekly, monthly and quarterly reviews come from "
                                       "their cadence."})
    time_zone = time_zone or settings.TIME_ZONE
    cadence = (Cadence.objects.active().filter(vendor=vendor, tier=tier).order_by("pk")
               .first())
    if cadence is None:
        local = starts_at.astimezone(recurrence.zone(time_zone))
        cadence = _save(Cadence(vendor=vendor, tier=tier, start_time=local.time(),
                                time_zone=time_zone, duration_minutes=duration_minutes,
                                starts_on=local.date(), location=location), by=by)
    existing = cadence.meetings.visible().filter(period=key).first()
    if existing is not None and not existing.is_cancelled:
        return existing
    if existing is not None:
        # A cancelled arrangement leaves the period to a new one (archived, kept in history).
        existing.archived_at = timezone.now()
        _save(existing, by=by, change_reason="Arranged again")
    meeting = _save(Meeting(vendor=vendor, cadence=cadence, tier=tier, period=key,
                            title=title, starts_at=starts_at,
                            ends_at=starts_at + timedelta(minutes=duration_minutes),
                            series_starts_at=starts_at, time_zone=time_zone,
                            location=location), by=by)
    for user in our_participants:
        Attendance.objects.create(vendor_id=vendor.pk, meeting=meeting, user=user)
    for contact in vendor_participants:
        Attendance.objects.create(vendor_id=vendor.pk, meeting=meeting, contact=contact)
    return meeting


# -- one meeting -------------------------------------------------------------------------------

def _check_open(meeting: Meeting, doing: str) -> None:
    if meeting.is_held:
        # The day people lived it (the organisation's zone), not the day in UTC.
        held = timezone.localtime(meeting.held_at)
        raise Conflict(f"This meeting was held on {formats.day(held.date())} at "
                       f"{held:%H:%M}; it cannot {doing} any more.")
    if meeting.is_cancelled:
        raise Conflict(f"This meeting was cancelled; it cannot {doing}.")


@transaction.atomic
def meeting_move(meeting: Meeting, *, by=None, date: date, start_time: time,
                 time_zone: str | None = None, duration_minutes: int | None = None,
                 location: str | None = None, video_link: str | None = None) -> Meeting:
    """Move one meeting. It leaves the cadence's control: cadence changes no longer move
    it, and the rest of the series stays where it is."""
    _check_open(meeting, "move")
    name = time_zone or meeting.time_zone
    try:
        tz = recurrence.zone(name)
    except ValueError as error:
        raise ValidationError({"time_zone": str(error)}) from error
    today = timezone.localdate()
    if date > today + MAX_AHEAD:
        raise ValidationError({"date": "Choose a date within the next five years."})
    if date < today - timedelta(days=1):
        raise ValidationError({"date": f"{formats.day(date)} has passed: a meeting can only move "
                                       f"to a time still to come."})
    if message := recurrence.problem_message(date, start_time, tz):
        raise ValidationError({"start_time": message})
    starts_at = recurrence.to_instant(date, start_time, tz)
    if starts_at < timezone.now():
        raise ValidationError({"date": f"{formats.day(date)} {start_time:%H:%M} has passed: "
                                       f"a meeting can only move to a time still to come."})
    minutes = duration_minutes or meeting.duration_minutes
    meeting.starts_at, meeting.ends_at = starts_at, starts_at + timedelta(minutes=minutes)
    meeting.time_zone, meeting.time_note, meeting.moved = name, "", True
    if location is not None:
        meeting.location = location
    if video_link is not None:
        meeting.video_link = video_link
    meeting.sequence += 1
    local = starts_at.astimezone(tz)
    return _save(meeting, by=by, change_reason=f"Moved to {formats.day(date)} {local:%H:%M %Z}")


@transaction.atomic
def meeting_cancel(meeting: Meeting, *, by=None, reason: str = "") -> Meeting:
    """Cancel one meeting; the series goes on."""
    _check_open(meeting, "be cancelled")
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
    meeting.sequence += 1
    return _save(meeting, by=by, change_reason=reason or "Cancelled")


@transaction.atomic
def meeting_hold(meeting: Meeting, *, by=None) -> Meeting:
    """Mark the meeting held: its agenda is frozen as it stands, its minutes and decisions
    are published to the vendor, and it joins the vendor's timeline. Marking it held twice
    at once holds it once: the second hears that it was held."""
    _lock(meeting)
    _check_open(meeting, "be marked held again" if meeting.is_held else "be marked held")
    if meeting.local_start.date() > timezone.localdate():
        raise ValidationError({"status": f"This meeting takes place on "
                                         f"{formats.day(meeting.local_start.date())}; mark it "
                                         f"held from that day."})
    meeting.agenda_snapshot = agenda.snapshot(meeting)
    meeting.status, meeting.held_at, meeting.held_by = MeetingStatus.HELD, timezone.now(), by
    return _save(meeting, by=by, change_reason="Held", constraints=False,
                 only={"status", "held_at"})


@transaction.atomic
def meeting_write_minutes(meeting: Meeting, *, by=None, minutes: str) -> Meeting:
    """Minutes can be written before, during and after the meeting (corrections keep their
    history); a cancelled meeting has none."""
    if meeting.is_cancelled:
        raise Conflict("This meeting was cancelled; it has no minutes.")
    meeting.minutes = minutes
    return _save(meeting, by=by, change_reason="Minutes" if not meeting.is_held else
                 "Minutes corrected after the meeting", constraints=False, only={"minutes"})


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, by=None, title: str, notes: str = "") -> AgendaItem:
    _check_open(meeting, "take new agenda points")
    return _save(AgendaItem(vendor_id=meeting.vendor_id, meeting=meeting, title=title,
                            notes=notes, added_by=by), by=by)


@transaction.atomic
def agenda_item_archive(item: AgendaItem, *, by=None) -> AgendaItem:
    _check_open(item.meeting, "change its agenda")
    if item.archived_at is None:
        item.archived_at = timezone.now()
        _save(item, by=by, change_reason="Removed from the agenda")
    return item


@transaction.atomic
def decision_record(*, meeting: Meeting, by=None, text: str) -> Decision:
    if meeting.is_cancelled:
        raise Conflict("This meeting was cancelled; it took no decisions.")
    return _save(Decision(vendor_id=meeting.vendor_id, meeting=meeting, text=text,
                          recorded_by=by), by=by)


@transaction.atomic
def attendance_add(*, meeting: Meeting, by=None, user=None, contact=None) -> Attendance:
    """Invite one more person to this meeting only."""
    _check_open(meeting, "take new participants")
    if (user is None) == (contact is None):
        raise ValidationError({"user": "Choose one of our people or one vendor contact."})
    _check_people(meeting.vendor, user=user, contact=contact)
    if meeting.attendances.filter(user=user, contact=contact).exists():
        raise Conflict(f"{user or contact.name} is already on this meeting's list.")
    return _save(Attendance(vendor_id=meeting.vendor_id, meeting=meeting, user=user,
                            contact=contact, added_by_hand=True), by=by)


@transaction.atomic
def attendance_record(attendance: Attendance, *, by=None, response: str | None = None,
                      present: bool | None | str = "unchanged") -> Attendance:
    """A participant's answer (they will come, or not), and whether they were there."""
    meeting = attendance.meeting
    if meeting.is_cancelled:
        raise Conflict("This meeting was cancelled.")
    if response is not None:
        if meeting.is_held:
            raise Conflict("This meeting has been held; record who was there instead.")
        attendance.response = response
    if present != "unchanged":
        attendance.present = present
    return _save(attendance, by=by, constraints=False, only={"response", "present"})


# -- action items --------------------------------------------------------------------------

@transaction.atomic
def action_item_create(*, vendor: Vendor, by=None, title: str, due_on: date,
                       owner_user=None, owner_contact=None, meeting: Meeting | None = None,
                       description: str = "", status: str = ActionStatus.OPEN,
                       notes: str = "") -> ActionItem:
    if meeting is not None:
        if meeting.vendor_id != vendor.pk:
            raise ValidationError({"meeting": "This meeting is with another vendor."})
        if meeting.is_cancelled:
            raise Conflict("This meeting was cancelled; raise the item elsewhere.")
    _check_owner(vendor, owner_user, owner_contact, required=True)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": "The due date has passed; choose today or later."})
    item = ActionItem(vendor=vendor, meeting=meeting, title=title, description=description,
                      owner_user=owner_user, owner_contact=owner_contact,
                      side=Side.VENDOR if owner_contact else Side.OURS, due_on=due_on,
                      status=status, notes=notes, created_by=by)
    _apply_action_status(item, status)
    return _save(item, by=by)


def _apply_action_status(item: ActionItem, status: str) -> None:
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose open, in progress, done or dropped."})
    was_open = item.is_open
    item.status = status
    if item.is_open:
        item.completed_on = None
    elif was_open or item.completed_on is None:
        item.completed_on = timezone.localdate()


@transaction.atomic
def action_item_update(item: ActionItem, *, by=None, **fields) -> ActionItem:
    """Change an action item (our side runs them). Changing the owner changes its side."""
    owner_fields = {"owner_user", "owner_contact"} & set(fields)
    if owner_fields:
        user = fields.pop("owner_user", None if "owner_contact" in fields else item.owner_user)
        contact = fields.pop("owner_contact", None if "owner_user" in owner_fields
                             and "owner_contact" not in owner_fields else item.owner_contact)
        _check_owner(item.vendor, user, contact, required=True)
        item.owner_user, item.owner_contact = user, contact
        item.side = Side.VENDOR if contact else Side.OURS
    if "due_on" in fields and fields["due_on"] != item.due_on and (
            fields["due_on"] < timezone.localdate()):
        raise ValidationError({"due_on": "The due date has passed; choose today or later."})
    status = fields.pop("status", None)
    for name, value in fields.items():
        setattr(item, name, value)
    if status is not None and status != item.status:
        _apply_action_status(item, status)
    return _save(item, by=by)


@transaction.atomic
def action_item_progress(item: ActionItem, *, by=None, status: str | None = None,
                         notes: str | None = None) -> ActionItem:
    """Progress on an action item: its status and notes (all the vendor side may change)."""
    if status is not None and status != item.status:
        _apply_action_status(item, status)
    if notes is not None:
        item.notes = notes
    return _save(item, by=by, constraints=False, only={"status", "notes"})


# -- impediments -----------------------------------------------------------------------------

@transaction.atomic
def impediment_raise(*, vendor: Vendor, by=None, title: str, description: str = "",
                     kind: str = ImpedimentKind.DELIVERY, severity: str = Severity.MEDIUM,
                     responsible_side: str = ResponsibleSide.VENDOR, owner_user=None,
                     owner_contact=None, side: str | None = None) -> Impediment:
    _check_owner(vendor, owner_user, owner_contact, required=False)
    impediment = Impediment(vendor=vendor, title=title, description=description, kind=kind,
                            severity=severity, responsible_side=responsible_side,
                            owner_user=owner_user, owner_contact=owner_contact,
                            raised_by=by, raised_by_side=side or _side_of(by))
    return _save(impediment, by=by)


@transaction.atomic
def impediment_update(impediment: Impediment, *, by=None, **fields) -> Impediment:
    if "owner_user" in fields or "owner_contact" in fields:
        user = fields.pop("owner_user", impediment.owner_user)
        contact = fields.pop("owner_contact", impediment.owner_contact)
        _check_owner(impediment.vendor, user, contact, required=False)
        impediment.owner_user, impediment.owner_contact = user, contact
    status = fields.pop("status", None)
    resolution = fields.pop("resolution", None)
    for name, value in fields.items():
        setattr(impediment, name, value)
    if status is not None and status != impediment.status:
        return impediment_set_status(impediment, by=by, status=status,
                                     resolution=resolution or "")
    if resolution is not None:
        impediment.resolution = resolution
    return _save(impediment, by=by)


@transaction.atomic
def impediment_set_status(impediment: Impediment, *, by=None, status: str,
                          resolution: str = "") -> Impediment:
    if status not in ImpedimentStatus.values:
        raise ValidationError({"status": "Choose open, in progress, resolved or withdrawn."})
    closing = status in (ImpedimentStatus.RESOLVED, ImpedimentStatus.WITHDRAWN)
    if closing and not (resolution or impediment.resolution).strip():
        raise ValidationError({"resolution": "Say how it was resolved (or why it is "
                                             "withdrawn), so the next review knows."})
    impediment.status = status
    if resolution:
        impediment.resolution = resolution
    impediment.resolved_on = timezone.localdate() if closing else None
    return _save(impediment, by=by, change_reason=f"Status: {impediment.get_status_display()}")


@transaction.atomic
def impediment_add_update(impediment: Impediment, *, by=None, text: str) -> ImpedimentUpdate:
    if not impediment.is_open:
        raise ValidationError({"text": f"This impediment is "
                                       f"{impediment.get_status_display().lower()}; reopen it "
                                       f"to add updates."})
    return _save(ImpedimentUpdate(vendor_id=impediment.vendor_id, impediment=impediment,
                                  text=text, author=by, side=_side_of(by)), by=by)


@transaction.atomic
def impediment_escalate(impediment: Impediment, *, by=None, note: str,
                        level: int | None = None, to_user=None,
                        to_contact=None) -> Escalation:
    """Take the impediment one step (or more) up the ladder, to the people on that step.
    The same step asked for twice at once is taken once: the second hears that the
    impediment is already there."""
    _lock(impediment)
    if not impediment.is_open:
        since = (f" since {formats.day(impediment.resolved_on)}" if impediment.resolved_on
                 else "")
        raise ValidationError({"status": f"This impediment is "
                                         f"{impediment.get_status_display().lower()}{since}"
                                         f": there is nothing to escalate. Reopen it first if "
                                         f"the problem is back."})
    level = level or impediment.next_step
    if level is None or level <= impediment.escalation_level:
        raise Conflict(f"This impediment is already at step {impediment.escalation_level} "
                       f"({impediment.escalation_label}); escalate to a higher step.")
    if level not in EscalationStep.values:
        raise ValidationError({"level": "Choose a step from 1 to 4."})
    if to_user is None and to_contact is None:
        to_user, to_contact = ladder_recipients(impediment.vendor, level)
        if to_user is None and to_contact is None:
            raise ValidationError({"to_contact": f"Nobody is on step {level} of "
                                                 f"{impediment.vendor}'s ladder; choose who "
                                                 f"it goes to."})
    _check_people(impediment.vendor, to_user=to_user, to_contact=to_contact)
    escalation = _save(Escalation(vendor_id=impediment.vendor_id, impediment=impediment,
                                  level=level, escalated_by=by, to_user=to_user,
                                  to_contact=to_contact, note=note), by=by)
    impediment.escalation_level = level
    _save(impediment, by=by, change_reason=f"Escalated: {EscalationStep(level).label}")
    return escalation


@transaction.atomic
def escalation_record_outcome(escalation: Escalation, *, by=None, outcome: str) -> Escalation:
    if not outcome.strip():
        raise ValidationError({"outcome": "Say what came of it."})
    escalation.outcome, escalation.outcome_on = outcome, timezone.localdate()
    return _save(escalation, by=by)


# -- innovation suggestions -----------------------------------------------------------------

@transaction.atomic
def suggestion_submit(*, vendor: Vendor, by=None, title: str, description: str,
                      category: str, side: str | None = None, **fields) -> Suggestion:
    return _save(Suggestion(vendor=vendor, title=title, description=description,
                            category=category, source_side=side or _side_of(by),
                            submitted_by=by, **fields), by=by)


@transaction.atomic
def suggestion_update(suggestion: Suggestion, *, by=None, **fields) -> Suggestion:
    """Improve a suggestion's text and estimates while it waits for a decision."""
    if suggestion.is_assessed:
        raise ValidationError({"title": f"This suggestion was "
                                        f"{suggestion.get_status_display().lower()}; it keeps "
                                        f"the text it was decided on."})
    for name, value in fields.items():
        setattr(suggestion, name, value)
    return _save(suggestion, by=by)


@transaction.atomic
def suggestion_transition(suggestion: Suggestion, *, by=None, status: str,
                          rationale: str = "", realised_value: Decimal | None = None,
                          lessons: str = "") -> Suggestion:
    """One step of the workflow: submitted → under review → accepted / declined (with the
    rationale) → implemented → outcome reviewed (the value realised and the lessons)."""
    current = SuggestionStatus(suggestion.status)
    allowed = SUGGESTION_NEXT[current]
    if status not in allowed:
        names = ", ".join(SuggestionStatus(s).label.lower() for s in allowed)
        raise ValidationError({"status": f"A suggestion that is {current.label.lower()} "
                                         + (f"can move to {names} only." if names
                                            else "has reached the end of its workflow.")})
    today = timezone.localdate()
    if status in (SuggestionStatus.ACCEPTED, SuggestionStatus.DECLINED):
        if not rationale.strip():
            raise ValidationError({"rationale": "Give the reason for the decision; the vendor "
                                                "reads it."})
        suggestion.decision_rationale, suggestion.decided_on = rationale, today
        suggestion.decided_by = by
    elif status == SuggestionStatus.IMPLEMENTED:
        suggestion.implemented_on = today
    elif status == SuggestionStatus.OUTCOME_REVIEWED:
        errors = {}
        if realised_value is None:
            errors["realised_value"] = "Give the value realised (0 if none)."
        elif realised_value < 0:
            errors["realised_value"] = "The value realised cannot be negative."
        if not lessons.strip():
            errors["lessons"] = "Note what was learned."
        if errors:
            raise ValidationError(errors)
        suggestion.realised_value, suggestion.lessons = realised_value, lessons
        suggestion.outcome_reviewed_on = today
    if status == SuggestionStatus.UNDER_REVIEW and rationale:
        suggestion.decision_rationale = rationale
    suggestion.status = status
    return _save(suggestion, by=by, change_reason=f"Status: {SuggestionStatus(status).label}")


# -- calendar feeds ----------------------------------------------------------------------------

@transaction.atomic
def calendar_feed_create(*, user) -> tuple[CalendarFeed, str]:
    """A new secret feed address for `user`; the previous one stops working. The secret is
    returned once and never stored."""
    calendar_feed_revoke(user=user)
    feed, raw = CalendarFeed.issue(user=user)
    feed.full_clean()
    feed.save()
    return feed, raw


@transaction.atomic
def calendar_feed_revoke(*, user) -> int:
    return CalendarFeed.objects.filter(user=user).revoke()


def calendar_feed_touch(feed: CalendarFeed) -> None:
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())

