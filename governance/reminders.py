"""The reminders about governance records (`reminders.registry`): upcoming review meetings
with their invite, action items due soon, overdue and escalated, and impediments open
beyond the vendor's escalation age. Registered in `GovernanceConfig.ready()`.

Every `find` reads in a fixed number of queries whatever the portfolio's size (a superset
of what may be due, bounded in SQL, then the exact local-time moment in Python), and
yields nothing for archived vendors or records. Timing rules (`vendors.reminding`):

* A meeting's lead time is applied to its own wall clock in its own time zone: a weekly
  review on Tuesdays 10:00 Amsterdam with a lead of one day is announced Mondays 10:00
  Amsterdam time, summer and winter. The invite stays current until the meeting ends, so a
  lead of zero sends it as the meeting starts (and a lead longer than the cadence announces
  the next meetings together, each once).
* Action items and impediments are due on dates of the organisation's calendar
  (`settings.TIME_ZONE`); their reminders fall at 09:00 there.

Occasions:

* `meeting:<id>:v<sequence>` — an invitation, or an update for people who had an earlier
  version (sent to them at once, whatever the lead time: their calendar is wrong now);
* `meeting:<id>:cancel` — a METHOD:CANCEL, only to people who were sent an invitation of
  this meeting (`registry.sent_to`): the meeting was cancelled, taken out of its series,
  or they were taken off it;
* `action_item:<id>:<due|overdue|escalation>:<due date>` — a new due date is a new occasion;
* `impediment:<id>:step:<next step>:<since>` — the step it should climb to, counted from
  the day it was raised or last escalated.
"""

from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Cast,
    Coalesce,
    Concat,
    Greatest,
    JSONObject,
    Left,
)
from django.utils import timezone
from icalendar import Calendar, vCalAddress

from governance import ical, recurrence
from governance.choices import (
    ACTION_OPEN,
    IMPEDIMENT_OPEN,
    ActionStatus,
    EscalationStep,
    MeetingStatus,
    Severity,
    Tier,
)
from governance.models import (
    DEFAULT_ESCALATE_AFTER_DAYS,
    ActionItem,
    AgendaItem,
    Attendance,
    Escalation,
    GovernancePlan,
    Impediment,
    Meeting,
)
from reminders import registry
from reminders.registry import Due, Kind, Recipient, Timing
from vendorgov import formats
from vendorgov.roles import PORTFOLIO_ROLES
from vendors import reminding
from vendors.choices import AssignmentRole, ContactRole, EscalationLevel
from vendors.models import Contact, VendorAssignment
from vendors.reminding import contact_recipient, user_recipient

TOP = 3  # items named per agenda section in an email: the rest are on the page
# A lead time in calendar days is at most this much longer than in elapsed time (a
# daylight-saving change moves a wall clock by an hour, Lord Howe's by half of one).
DST_SLACK = timedelta(hours=2)

MEETING_LEADS = {Tier.WEEKLY: timedelta(days=1), Tier.MONTHLY: timedelta(days=3),
                 Tier.QUARTERLY: timedelta(days=7), Tier.HEALTH_CHECK: timedelta(days=7)}


# -- meetings --------------------------------------------------------------------------------

def meeting_key(tier: str) -> str:
    return f"governance.meeting_{tier}"


def _versions(meeting: Meeting, *, upto: int) -> list[str]:
    return [f"meeting:{meeting.pk}:v{n}" for n in range(upto + 1)]


def _may_get_mail(user_id, user_active, contact_id, contact_archived_at) -> bool:
    """Whether a participant is told about a meeting: an active user or a contact still on
    the vendor's books (one taken off, or who can no longer get mail, is sent a cancel)."""
    return bool(user_id and user_active) or bool(
        not user_id and contact_id and contact_archived_at is None)


def _participants(meeting_ids) -> tuple[dict[int, list[Recipient]], dict[int, list[tuple]]]:
    """({meeting id: its participants who may get mail}, {meeting id: [(attendance id,
    may get mail)] of all its participants}): one query."""
    found, rows_of = defaultdict(list), defaultdict(list)
    rows = (Attendance.objects.filter(meeting_id__in=meeting_ids)
            .select_related("user", "contact").order_by("meeting_id", "id"))
    for row in rows:
        mailable = _may_get_mail(row.user_id, row.user_id and row.user.is_active,
                                 row.contact_id, row.contact_id and row.contact.archived_at)
        rows_of[row.meeting_id].append((row.pk, mailable))
        if mailable and row.user_id:
            found[row.meeting_id].append(user_recipient(row.user))
        elif mailable:
            found[row.meeting_id].append(contact_recipient(row.contact))
    return found, rows_of


# Settled meetings. A meeting inside its lead time whose every participant has the
# invitation of its current version recorded, and everyone sent an earlier one who left has
# a cancellation, needs nothing until something changes; the steady sweep (every minute)
# would otherwise read hundreds of them with their participants and what was sent. When a
# find leaves nothing undone for a meeting it stamps each participant (`Attendance.
# invited_*`: the SEQUENCE, whether they could get mail, how many participants there were)
# in the transaction that records the reminder rows (`registry.Found`). The next find reads
# the candidates' participants in one flat query and leaves a meeting out when every stamp
# still matches: a move (SEQUENCE + 1), a participant added (no stamp), one taken off (the
# others' count), one deactivated or archived (could get mail) all show as a mismatch, in
# plain column comparisons that cost nothing to plan. A stamp that a stale `save()` writes
# back can only mismatch (the state it describes was settled) or describe what is true.

def _settled(candidates: dict[int, int]) -> set[int]:
    """Of {meeting id: sequence}, the meetings whose participants' stamps all match their
    live state (module comment above): one query."""
    if not candidates:
        return set()
    rows_of = defaultdict(list)
    for row in (Attendance.objects.filter(meeting_id__in=candidates).order_by()
                .values_list("meeting_id", "invited_sequence", "invited_mailable",
                             "invited_peers", "user_id", "user__is_active", "contact_id",
                             "contact__archived_at")):
        rows_of[row[0]].append(row)
    return {pk for pk, rows in rows_of.items()
            if all(sequence == candidates[pk] and peers == len(rows)
                   and mailable == _may_get_mail(*rest)
                   for _, sequence, mailable, peers, *rest in rows)}


def _settle(rows_of: dict[int, list[tuple]], meetings: list[Meeting]):
    """`registry.Found.settle` stamping these meetings' participants as `_participants`
    read them: one statement."""
    if not meetings:
        return None
    ids = [pk for m in meetings for pk, _ in rows_of[m.pk]]
    if not ids:
        return None  # nobody to stamp: a meeting without participants is read each time
    by_sequence, by_peers = defaultdict(list), defaultdict(list)
    for m in meetings:
        by_sequence[m.sequence].append(m.pk)
        by_peers[len(rows_of[m.pk])].append(m.pk)
    unmailable = [pk for m in meetings for pk, mailable in rows_of[m.pk] if not mailable]

    def settle():
        Attendance.objects.filter(pk__in=ids).update(
            invited_sequence=Case(*(When(meeting_id__in=pks, then=Value(n))
                                    for n, pks in by_sequence.items())),
            invited_peers=Case(*(When(meeting_id__in=pks, then=Value(n))
                                 for n, pks in by_peers.items())),
            invited_mailable=Case(When(pk__in=unmailable, then=Value(False)),
                                  default=Value(True)))

    return settle


def _recipients_by_key(keys) -> dict[str, Recipient]:
    """Recipients named only by their key (people taken off a meeting): two queries."""
    users = reminding.users_by_id(int(k.split(":")[1]) for k in keys if k.startswith("user:"))
    contacts = reminding.contacts_by_id(int(k.split(":")[1]) for k in keys
                                        if k.startswith("contact:"))
    found = {f"user:{pk}": user_recipient(u) for pk, u in users.items()}
    found.update({f"contact:{pk}": contact_recipient(c) for pk, c in contacts.items()})
    return found


def _agendas(meetings: list[Meeting]) -> dict[int, list[dict]]:
    """{meeting id: short agenda}: the sections governance owns, as they stand, with their
    counts and first items (three queries for any number of meetings). The full agenda,
    with the sections other capabilities feed, is on the meeting's page."""
    if not meetings:
        return {}
    vendor_ids = {m.vendor_id for m in meetings}
    impediments = defaultdict(list)
    for i in (Impediment.objects.open().filter(vendor_id__in=vendor_ids)
              .only("id", "vendor_id", "title", "severity", "raised_on")
              .order_by("vendor_id", "raised_on", "id")):
        impediments[i.vendor_id].append(i)
    severity = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    items = defaultdict(list)
    for a in (ActionItem.objects.open().filter(vendor_id__in=vendor_ids)
              .select_related("meeting").only("id", "vendor_id", "title", "due_on",
                                              "meeting__tier", "meeting_id")
              .order_by("due_on", "id")):
        items[a.vendor_id].append(a)
    points = defaultdict(list)
    for p in (AgendaItem.objects.active().filter(meeting__in=meetings)
              .only("id", "meeting_id", "title").order_by("created_at", "id")):
        points[p.meeting_id].append(p.title)
    agendas = {}
    for m in meetings:
        sections = []
        if m.tier in (Tier.WEEKLY, Tier.MONTHLY):
            rows = sorted(impediments[m.vendor_id], key=lambda i: severity.get(i.severity, 9))
            sections.append({"title": "Open impediments", "count": len(rows),
                             "top": [i.title for i in rows[:TOP]]})
        rows = [a for a in items[m.vendor_id] if a.meeting_id != m.pk and (
            m.tier == Tier.WEEKLY or (a.meeting_id and a.meeting.tier == m.tier))]
        sections.append({"title": "Open action items carried over", "count": len(rows),
                         "top": [f"{a.title} (due {formats.day(a.due_on)})"
                                 for a in rows[:TOP]]})
        if points[m.pk]:
            sections.append({"title": "Points added to the agenda",
                             "count": len(points[m.pk]), "top": points[m.pk][:TOP]})
        agendas[m.pk] = sections
    return agendas


def _meeting_context(meeting: Meeting, flavour: str) -> dict:
    local = meeting.local_start
    return {"flavour": flavour, "meeting_id": meeting.pk, "title": meeting.title,
            "tier": meeting.get_tier_display(), "vendor": meeting.vendor.name,
            "starts": f"{formats.day(local.date())} {local:%H:%M} {local:%Z}",
            "starts_at": meeting.starts_at.isoformat(), "time_zone": meeting.time_zone,
            "duration_minutes": meeting.duration_minutes, "location": meeting.location,
            "video_link": meeting.video_link, "time_note": meeting.time_note,
            "cancel_reason": meeting.cancel_reason, "sequence": meeting.sequence}


def _candidates(tier: str, *, now: datetime, soon: datetime):
    """The meetings of `tier` a find reads (live vendors). Scheduled and not over: those
    whose lead time has come (a superset bounded in SQL: starting by `soon`), and any that
    changed since their first version (whoever had it needs the update now); gone:
    cancelled or taken out of the series, still ahead. Written as OR-ed arms, each served
    by a partial index (governance migration 0005_reminder_sweep_indexes), and compiled
    once (`registry.compiled`): the sweep asks this every minute for each tier."""
    scheduled = {"status": MeetingStatus.SCHEDULED, "archived_at__isnull": True,
                 "ends_at__gt": now}
    upcoming = Q(**scheduled, starts_at__lte=soon) | Q(**scheduled, sequence__gt=0)
    gone = (Q(starts_at__gt=now, status=MeetingStatus.CANCELLED)
            | Q(starts_at__gt=now, archived_at__isnull=False))
    return (Meeting.objects.filter(tier=tier, vendor__archived_at__isnull=True)
            .filter(upcoming | gone)
            .values_list("id", "sequence", "status", "archived_at", "starts_at", "time_zone"))


def _meetings_find(tier: str):
    key = meeting_key(tier)

    def find(now: datetime, offset: timedelta) -> list[Due]:
        _INVITES.clear()  # built afresh by each sweep: a meeting may have changed since
        with registry.no_jit():  # (`registry.no_jit`: this query is why it exists)
            candidates = registry.compiled(
                f"governance.meeting_candidates:{tier}",
                lambda **moments: _candidates(tier, **moments), now=now,
                soon=now + max(offset, timedelta(0)) + DST_SLACK)
        # Left out before anything else is read: a meeting at its first version whose
        # moment has not come (the SQL bound is a superset: DST_SLACK), and the scheduled
        # ones announced to everyone already ("Settled meetings"). Cancelled or archived
        # ones are read as they are (few; whoever had their invitation is sent a cancel).
        moments = _Cached(lambda at_zone: reminding.before(at_zone[0], offset,
                                                           recurrence.zone(at_zone[1])))
        candidates = [c for c in candidates if c[2] != MeetingStatus.SCHEDULED or c[3]
                      or c[1] > 0 or moments[c[4], c[5]] <= now]
        settled = _settled({pk: sequence for pk, sequence, status, archived, *_ in candidates
                            if status == MeetingStatus.SCHEDULED and archived is None})
        if len(settled) == len(candidates):
            return registry.Found()
        meetings = list(Meeting.objects.filter(pk__in=[c[0] for c in candidates
                                                       if c[0] not in settled])
                        .select_related("vendor").order_by("starts_at", "id"))
        participants, rows_of = _participants([m.pk for m in meetings])
        occasions = [o for m in meetings
                     for o in [*_versions(m, upto=m.sequence), f"meeting:{m.pk}:cancel"]]
        sent = registry.sent_to(key, occasions)
        # Recorded already (sent or not yet): not built again (an invite costs
        # milliseconds); every version's, so that a meeting is settled only when nobody
        # who left holds an invitation still to be sent (they would need a cancel then).
        recorded = registry.recorded_to(key, occasions)
        for occasion, keys in sent.items():  # (the same, where the engine is not the one)
            recorded.setdefault(occasion, set()).update(keys)
        had = {m.pk: set().union(*(sent.get(o, set()) for o in _versions(m, upto=m.sequence)))
               for m in meetings}
        current = {m.pk: {r.key for r in participants[m.pk]} for m in meetings}
        gone_keys = {k for m in meetings for k in had[m.pk]
                     if m.archived_at or m.is_cancelled or k not in current[m.pk]}
        by_key = _recipients_by_key(gone_keys - {k for keys in current.values() for k in keys})
        for m in meetings:
            by_key.update({r.key: r for r in participants[m.pk]})
        due = []
        announce = []
        done = []  # meetings with nothing left once these Dues are recorded
        for m in meetings:
            url = m.get_absolute_url()
            cancelled = recorded.get(f"meeting:{m.pk}:cancel", set())
            if m.archived_at or m.is_cancelled:
                for k in sorted(had[m.pk] - cancelled):
                    if k in by_key:
                        due.append(_cancel(key, m, by_key[k], now, url))
                continue
            moment = reminding.before(m.starts_at, offset, m.tz)
            invited = set().union(*(recorded.get(o, set())
                                    for o in _versions(m, upto=m.sequence)))
            if moment <= now and invited - current[m.pk] <= had[m.pk] | cancelled:
                # In its lead time (every participant is told now, or was), and nobody who
                # left holds an invitation not yet sent: settled once this is recorded.
                done.append(m)
            version = f"meeting:{m.pk}:v{m.sequence}"
            earlier = set().union(*(sent.get(o, set())
                                    for o in _versions(m, upto=m.sequence - 1)))
            for r in participants[m.pk]:
                if r.key in recorded.get(version, ()):
                    continue  # recorded already: no need to build its invite again
                if moment <= now or r.key in earlier:
                    announce.append((m, r, version, moment if moment <= now else now,
                                     "update" if r.key in earlier else "invite", url))
            for k in sorted(had[m.pk] - current[m.pk] - cancelled):
                if k in by_key:
                    due.append(_cancel(key, m, by_key[k], now, url, removed=True))
        agendas = _agendas(list({m.pk: m for m, *_ in announce}.values()))
        for m, r, version, at, flavour, url in announce:
            context = _meeting_context(m, flavour)
            context["agenda"] = agendas[m.pk]
            due.append(Due(occasion=version, recipient=r, vendor_id=m.vendor_id, due_at=at,
                           url=url, context=context,
                           ics=_invite(m, "REQUEST", r)))
        return registry.Found(due, settle=_settle(rows_of, done))

    return find


def _invite(meeting: Meeting, method: str, recipient: Recipient) -> str:
    """`ical.invite(meeting, method=…, attendee_…)`, the same message, built once per
    meeting and method (the event and its VTIMEZONE are serialised once, then each
    participant's ATTENDEE line is added): a cold sweep announces hundreds of meetings at
    once, and serialising an invite costs milliseconds (mostly the zone's folded lines).
    Kept for the sweep that builds it (`_INVITES` is cleared by each `find`)."""
    cached = _INVITES.get((meeting.pk, method, meeting.sequence))
    if cached is None:
        cal = Calendar.new(prodid=ical.PRODID, method=method)
        event = ical._event(meeting)
        if method == "CANCEL":
            event["status"] = "CANCELLED"
        organizer = vCalAddress(
            f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].strip('> ')}")
        organizer.params["cn"] = "vendorgov"
        event.add("organizer", organizer)
        cal.add_component(event)
        head, start, rest = cal.to_ical().decode().partition("BEGIN:VEVENT\r\n")
        text = head + _zone_text(meeting.time_zone, meeting.local_start.year) + start + rest
        cached = _INVITES[(meeting.pk, method, meeting.sequence)] = (text, event)
    text, event = cached
    if not recipient.email:
        return text
    attendee = vCalAddress(f"mailto:{recipient.email}")
    if recipient.name:
        attendee.params["cn"] = recipient.name
    attendee.params["role"] = "REQ-PARTICIPANT"
    line = event.content_line("attendee", attendee).to_ical().decode()
    return text.replace("\r\nEND:VEVENT\r\n", f"\r\n{line}\r\nEND:VEVENT\r\n", 1)


_INVITES: dict[tuple, tuple] = {}


@lru_cache(maxsize=64)
def _zone_text(tzid: str, year: int) -> str:
    """The VTIMEZONE block `ical.invite` writes for a meeting in `tzid` in `year`."""
    return ical._vtimezone(tzid, year).to_ical().decode()


def _cancel(key: str, meeting: Meeting, recipient: Recipient, now: datetime, url: str, *,
            removed: bool = False) -> Due:
    context = _meeting_context(meeting, "removed" if removed else "cancel")
    return Due(occasion=f"meeting:{meeting.pk}:cancel", recipient=recipient,
               vendor_id=meeting.vendor_id, due_at=now, url=url, context=context,
               ics=_invite(meeting, "CANCEL", recipient))


def meetings_still_current(occasions: list[str]) -> set[str]:
    """An invitation of version N is current while the meeting is scheduled, still at
    version N, and not over; a cancellation stays true unless the vendor was archived."""
    ids = {int(o.split(":")[1]) for o in occasions}
    now = timezone.now()  # asked at the moment of sending
    meetings = {m.pk: m for m in Meeting.objects.filter(pk__in=ids,
                                                        vendor__archived_at__isnull=True)}
    current = set()
    for occasion in occasions:
        _, pk, what = occasion.split(":")
        m = meetings.get(int(pk))
        if m is None:
            continue
        if what == "cancel" or (
                what == f"v{m.sequence}" and m.status == MeetingStatus.SCHEDULED
                and m.archived_at is None and m.ends_at > now):
            current.add(occasion)
    return current


# -- action items ------------------------------------------------------------------------------
#
# The three action-item kinds read plain rows (`values_list`, no model instances), leave out
# in SQL what is settled ("Settled items" below), and build each Due from a handful of
# cached values: at portfolio scale thousands of items are overdue at once, and the sweep
# runs every minute (bench/reminders_sweep.py).
#
# Settled items. Once a kind's reminder about an item is recorded, the steady sweep (every
# minute) would find the item again and look its occasion up in the reminder table: an index
# probe per item, thousands of them (most of a steady sweep's time before these stamps).
# Instead the recording transaction stamps the item with what it recorded
# (`ActionItem.reminded_<due|overdue>_on` and `_to`: the due date of the occasion and the
# recipient key of the owner; `reminded_escalation_on`: the due date escalated, for anyone;
# `Impediment.reminded_step`/`reminded_since`: the step and the day counted from), and the
# finds leave out an item whose stamp equals its live due date and owner (its step and
# `since`): a plain column comparison. Reminder rows are never deleted, so a matching stamp
# means the row exists; a moved due date, another owner, a new escalation step or date, or
# no stamp at all is a mismatch and the item is found (and recorded under the unique key,
# which stays the guard: a row recorded before its stamp is simply found once more, not
# recorded twice). What the kind would not send (an owner off the account, nobody to
# escalate to, a moment not come: a lead time, grace period or age limit not reached) is
# not recorded and so not stamped: it is read every sweep as before, and a changed lead
# time, grace period or limit needs no stamp to be noticed. The settle writes the values
# of the rows it recorded (their occasion and recipient), never the item's current columns,
# so a change committed meanwhile shows as a mismatch; a stale `save()` writing an old
# stamp back can only mismatch or be true. Archiving a vendor, closing or reopening an item
# or deactivating a contact changes no occasion: what was recorded stays recorded, and the
# finds' other conditions decide, as before, whether anything more is due.

_ITEM_FIELDS = (
    "id", "vendor_id", "vendor__slug", "vendor__name", "title", "notes", "status", "due_on",
    "owner_user_id", "owner_user__email", "owner_user__first_name", "owner_user__last_name",
    "owner_user__username", "owner_user__is_active", "owner_user__vendor_id",
    "owner_user__role", "owner_user__is_superuser",
    "owner_contact_id", "owner_contact__email", "owner_contact__name",
    "owner_contact__archived_at", "owner_contact__vendor_id")


class _Item(tuple):
    """One action item's row (`_ITEM_FIELDS`, in order), with the names the rules use."""

    __slots__ = ()
    pk = property(lambda r: r[0])
    vendor_id = property(lambda r: r[1])
    slug = property(lambda r: r[2])
    vendor_name = property(lambda r: r[3])
    title = property(lambda r: r[4])
    notes = property(lambda r: r[5])
    status = property(lambda r: r[6])
    due_on = property(lambda r: r[7])
    owner_user_id = property(lambda r: r[8])
    owner_contact_id = property(lambda r: r[17])

    @property
    def owner_user_vendor_id(self):
        return self[14]

    def owner(self) -> Recipient:
        """The owner as a recipient (`reminding.user_recipient` / `contact_recipient`)."""
        if self[8] is not None:
            name = f"{self[10]} {self[11]}".strip() or self[12]  # User.__str__
            return Recipient(email=self[9] or "", name=name, user_id=self[8],
                             vendor_side=self[14] is not None)
        return Recipient(email=self[18] or "", name=self[19], contact_id=self[17],
                         vendor_side=True)

    def owner_name(self) -> str:
        return self.owner().name


def _recipient_key_of_owner():
    """The engine's recipient key of an item's owner, in SQL (`Recipient.key`)."""
    return Case(When(owner_user_id__isnull=False,
                     then=Concat(Value("user:"), Cast("owner_user_id", CharField()))),
                default=Concat(Value("contact:"), Cast("owner_contact_id", CharField())),
                output_field=CharField())


def _items(what: str, *, first_day=None, last_day=None,
           per_recipient: bool = True) -> list[_Item]:
    """Open items of live vendors due within [first_day, last_day] whose `what` occasion
    is not settled (for their owner, or for anyone when `per_recipient` is False):
    one query."""
    rows = _open_items(what, first_day=first_day, last_day=last_day,
                       per_recipient=per_recipient)
    return [_Item(r) for r in rows.order_by("due_on", "id").values_list(*_ITEM_FIELDS)]


def _open_items(what: str, *, first_day, last_day, per_recipient: bool):
    """The query `_items` and `_items_sql` share: open items of live vendors due within
    [first_day, last_day], with their `occasion`, whose `what` stamp does not match their
    due date (and owner, when `per_recipient`): "Settled items"."""
    rows = (ActionItem.objects.filter(status__in=ACTION_OPEN, archived_at__isnull=True,
                                      vendor__archived_at__isnull=True)
            .annotate(occasion=Concat(Value("action_item:"), Cast("id", CharField()),
                                      Value(f":{what}:"), Cast("due_on", CharField()),
                                      output_field=CharField())))
    if first_day is not None:
        rows = rows.filter(due_on__gte=first_day)
    if last_day is not None:
        rows = rows.filter(due_on__lte=last_day)
    if per_recipient:
        return rows.alias(recipient_key=_recipient_key_of_owner()).exclude(
            **{f"reminded_{what}_on": F("due_on"), f"reminded_{what}_to": F("recipient_key")})
    return rows.exclude(**{f"reminded_{what}_on": F("due_on")})


def _settle_items(what: str, stamps: dict[int, tuple]):
    """`registry.Found.settle` stamping these items ({item id: (due date, recipient key)}
    as recorded; the key None for an escalation): one statement (SQLite: one per batch)."""
    if not stamps:
        return None
    names = [f"reminded_{what}_on"] + ([f"reminded_{what}_to"] if what != "escalation" else [])
    items = [ActionItem(pk=pk, **dict(zip(names, stamp, strict=False)))
             for pk, stamp in stamps.items()]

    def settle():
        ActionItem.objects.bulk_update(items, names)

    return settle


def _settle_items_sql(what: str) -> registry.SettleSql:
    """`_settle_items` as `registry.Kind.settle_sql`: the due date read back from the
    recorded occasion (``action_item:<id>:<what>:<due date>``), the recipient key as
    recorded."""
    values = {f"reminded_{what}_on": "split_part(f.occasion, ':', 4)"}
    if what != "escalation":
        values[f"reminded_{what}_to"] = "f.recipient_key"
    return registry.SettleSql(model=ActionItem, key="split_part(f.occasion, ':', 2)",
                              values=values)


def _on_account(items: list[_Item]):
    """`VendorPeople.still_on_account` for each item's owner, read for these owners only
    (one query, none without internal owners): {item id: bool}."""
    internal = {(i.vendor_id, i.owner_user_id) for i in items
                if i.owner_user_id is not None and i.owner_user_vendor_id is None}
    assigned = set()
    if internal:
        assigned = set(VendorAssignment.objects.filter(
            vendor_id__in={v for v, _ in internal}, user_id__in={u for _, u in internal},
            user__is_active=True).values_list("vendor_id", "user_id"))
    found = {}
    for i in items:
        if i.owner_user_id is None:  # a contact: an active contact of this vendor
            found[i.pk] = i[20] is None and i[21] == i.vendor_id
        elif not i[13]:  # an inactive user
            found[i.pk] = False
        elif i[14] is not None:  # a vendor user: of this vendor
            found[i.pk] = i[14] == i.vendor_id
        else:
            found[i.pk] = ((i.vendor_id, i.owner_user_id) in assigned or bool(i[16])
                           or i[15] in PORTFOLIO_ROLES)
    return found


class _Cached(dict):
    """A per-call memo of one-argument functions (dates repeat across thousands of rows)."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = self.function(key)
        return value


_STATUS = dict(ActionStatus.choices)


def _item_context(item: _Item, today, day) -> dict:
    return {"title": item.title, "vendor": item.vendor_name, "owner": item.owner_name(),
            "due_on": day[item.due_on], "status": _STATUS.get(item.status, item.status),
            "days_overdue": max((today - item.due_on).days, 0), "notes": item.notes[:300]}


def _item_url():
    return registry.url_pattern("governance:action_item_update", "slug", 0)


def _to_owner(now, offset, what, moment_of, **days) -> registry.Found:
    """One reminder per item to its owner, still on the account, at `moment_of(due_on)`;
    settled once recorded ("Settled items")."""
    today = reminding.local_today(now)
    rows = _items(what, **days)
    moments = _Cached(lambda day: moment_of(day, offset))
    rows = [i for i in rows if moments[i.due_on] <= now]
    on_account = _on_account(rows)
    url, day = _item_url(), _Cached(formats.day)
    due = [Due(occasion=f"action_item:{i.pk}:{what}:{i.due_on}", recipient=i.owner(),
               vendor_id=i.vendor_id, due_at=moments[i.due_on], url=url(i.slug, i.pk),
               context=_item_context(i, today, day))
           for i in rows if on_account[i.pk]]
    stamps = {int(d.occasion.split(":")[1]): (d.occasion.split(":")[3], d.recipient.key)
              for d in due}
    return registry.Found(due, settle=_settle_items(what, stamps))


# The same rows in SQL (`registry.Kind.find_sql`: on PostgreSQL the engine records them with
# one INSERT … SELECT, no row read into Python). Each expression is the Python rule above,
# column for column: tests/reminder_kinds/test_find_sql.py records both ways and compares.

def _owner_name_sql():
    """`_Item.owner_name()`: the user's name, else the contact's."""
    return Case(When(owner_user_id__isnull=False, then=reminding.user_name_sql("owner_user")),
                default=Coalesce("owner_contact__name", Value("")), output_field=CharField())


def _on_account_sql() -> Q:
    """`_on_account`: a contact owner is an active contact of the item's vendor; a user
    owner is active and a vendor user of it, or one of ours assigned to it (and active) or
    seeing the whole portfolio."""
    assigned = VendorAssignment.objects.filter(vendor_id=OuterRef("vendor_id"),
                                               user_id=OuterRef("owner_user_id"),
                                               user__is_active=True)
    ours = (Q(owner_user__vendor_id__isnull=True)
            & (Exists(assigned) | Q(owner_user__is_superuser=True)
               | Q(owner_user__role__in=list(PORTFOLIO_ROLES))))
    # (Each arm true or false, never null: the escalation's context negates it.)
    theirs = Q(owner_user__vendor_id__isnull=False, owner_user__vendor_id=F("vendor_id"))
    return ((Q(owner_user_id__isnull=True, owner_contact_id__isnull=False,
               owner_contact__archived_at__isnull=True,
               owner_contact__vendor_id=F("vendor_id")))
            | Q(owner_user_id__isnull=False, owner_user__is_active=True) & (theirs | ours))


def _item_context_sql(today, **extra) -> JSONObject:
    """`_item_context` as a JSON object."""
    return JSONObject(
        title="title", vendor="vendor__name", owner=_owner_name_sql(),
        due_on=reminding.DayText("due_on"),
        status=Case(*(When(status=value, then=Value(label)) for value, label in _STATUS.items()),
                    default="status", output_field=CharField()),
        days_overdue=Greatest(reminding.DaysSince(today, F("due_on")), Value(0)),
        notes=Left("notes", 300), **extra)


def _items_sql(what: str, moment, now: datetime, *, first_day=None,
               last_day=None, per_recipient: bool = True):
    """`_items` in SQL, with the reminder moment `moment` (an expression) come by `now`."""
    return (_open_items(what, first_day=first_day, last_day=last_day,
                        per_recipient=per_recipient)
            .annotate(moment=moment).filter(moment__lte=now))


def _item_url_sql():
    return registry.url_sql("governance:action_item_update", ("slug", F("vendor__slug")),
                            (0, F("id")))


def _to_owner_sql(now, offset, what, moment_sql, **days):
    """`_to_owner` as one query of `registry.SQL_FIELDS`."""
    today = reminding.local_today(now)
    rows = (_items_sql(what, moment_sql(F("due_on"), offset), now, **days)
            .filter(_on_account_sql())
            .annotate(
                r_recipient_key=_recipient_key_of_owner(),
                r_email=Case(When(owner_user_id__isnull=False,
                                  then=Coalesce("owner_user__email", Value(""))),
                             default=Coalesce("owner_contact__email", Value("")),
                             output_field=CharField()),
                r_name=_owner_name_sql(),
                r_contact_id=Case(When(owner_user_id__isnull=True, then="owner_contact_id"),
                                  default=None, output_field=IntegerField()),
                r_vendor_side=Case(When(owner_user_id__isnull=True, then=Value(True)),
                                   default=Q(owner_user__vendor_id__isnull=False),
                                   output_field=BooleanField()),
                r_url=_item_url_sql(), r_context=_item_context_sql(today)))
    return rows.values_list("occasion", "r_recipient_key", "r_email", "r_name",
                            "owner_user_id", "r_contact_id", "r_vendor_side", "vendor_id",
                            "moment", "r_url", "r_context")


def action_items_due_soon_sql(now: datetime, offset: timedelta):
    today = reminding.local_today(now)
    return _to_owner_sql(now, offset, "due", reminding.day_before_sql, first_day=today,
                         last_day=today + timedelta(days=offset.days + 1))


def action_items_overdue_sql(now: datetime, offset: timedelta):
    today = reminding.local_today(now)
    return _to_owner_sql(now, offset, "overdue", reminding.day_after_sql,
                         last_day=today - timedelta(days=offset.days))


def _escalation_target_sql():
    """`VendorPeople.line_manager_of(owner)` for an item of ours, else
    `account_executive_of(owner contact)`, as a JSON object of the recipient (its key, email,
    name, user or contact id, side), null when there is nobody: a subquery each."""
    line = reminding.line_manager_sql(but=Coalesce(OuterRef("owner_user_id"), Value(0)))
    account = (Contact.objects
               .filter(Q(role=ContactRole.ACCOUNT_EXECUTIVE)
                       | Q(escalation_level=EscalationLevel.MANAGEMENT),
                       vendor_id=OuterRef("vendor_id"), archived_at__isnull=True)
               .exclude(pk=Coalesce(OuterRef("owner_contact_id"), Value(0)))
               .order_by(Case(When(role=ContactRole.ACCOUNT_EXECUTIVE, then=Value(0)),
                              default=Value(1)), "name", "id")
               .values(to=JSONObject(key=Concat(Value("contact:"), Cast("id", CharField())),
                                     email=Coalesce("email", Value("")), name="name",
                                     user_id=Value(None), contact_id="id",
                                     side=Value(True)))[:1])
    ours = Q(owner_user_id__isnull=False, owner_user__vendor_id__isnull=True)
    return Case(When(ours, then=Subquery(line)), default=Subquery(account),
                output_field=JSONField())


def action_items_escalated_sql(now: datetime, offset: timedelta):
    """`action_items_escalated` as one query of `registry.SQL_FIELDS`."""
    today = reminding.local_today(now)
    rows = (_items_sql("escalation", reminding.day_after_sql(F("due_on"), offset), now,
                       last_day=today - timedelta(days=offset.days), per_recipient=False)
            .annotate(r_to=_escalation_target_sql(), r_url=_item_url_sql(),
                      r_context=_item_context_sql(today, owner_left=~Q(_on_account_sql()))))
    return registry.rows_from_target(rows.values_list("occasion", "r_to", "vendor_id",
                                                      "moment", "r_url", "r_context"))


def action_items_due_soon(now: datetime, offset: timedelta) -> registry.Found:
    today = reminding.local_today(now)
    return _to_owner(now, offset, "due", reminding.day_before,
                     first_day=today, last_day=today + timedelta(days=offset.days + 1))


def action_items_overdue(now: datetime, offset: timedelta) -> registry.Found:
    today = reminding.local_today(now)
    return _to_owner(now, offset, "overdue", reminding.day_after,
                     last_day=today - timedelta(days=offset.days))


def action_items_escalated(now: datetime, offset: timedelta) -> registry.Found:
    """Past the grace period: to our line manager (an item of ours) or the vendor's account
    executive (the vendor's) — also when the owner has left the account. Once per
    occasion: whoever held the role when it fell due."""
    today = reminding.local_today(now)
    rows = _items("escalation", last_day=today - timedelta(days=offset.days),
                  per_recipient=False)
    moments = _Cached(lambda day: reminding.day_after(day, offset))
    rows = [i for i in rows if moments[i.due_on] <= now]
    people = reminding.people(i.vendor_id for i in rows)
    on_account = _on_account(rows)
    url, day = _item_url(), _Cached(formats.day)
    due = []
    for item in rows:
        mine = people[item.vendor_id]
        to = (mine.line_manager_of(item.owner_user_id) if item.owner_user_id
              and item.owner_user_vendor_id is None
              else mine.account_executive_of(item.owner_contact_id))
        if to is None:
            continue
        context = _item_context(item, today, day)
        context["owner_left"] = not on_account[item.pk]
        due.append(Due(occasion=f"action_item:{item.pk}:escalation:{item.due_on}",
                       recipient=to, vendor_id=item.vendor_id, due_at=moments[item.due_on],
                       url=url(item.slug, item.pk), context=context))
    return registry.Found(due, settle=_settle_items(
        "escalation", {int(d.occasion.split(":")[1]): (d.occasion.split(":")[3],) for d in due}))


def action_items_still_current(occasions: list[str]) -> set[str]:
    """Still open, with the same due date, its vendor not archived; a reminder to the owner
    also needs the owner still on the account."""
    ids = {int(o.split(":")[1]) for o in occasions}
    items = {i.pk: i for i in ActionItem.objects.filter(
        pk__in=ids, status__in=ACTION_OPEN, archived_at__isnull=True,
        vendor__archived_at__isnull=True).select_related("owner_user", "owner_contact")}
    people = reminding.people(i.vendor_id for i in items.values())
    current = set()
    for occasion in occasions:
        _, pk, what, day = occasion.split(":")
        item = items.get(int(pk))
        if item is None or str(item.due_on) != day:
            continue
        if what == "escalation" or people[item.vendor_id].still_on_account(
                item.vendor_id, user=item.owner_user, contact=item.owner_contact):
            current.add(occasion)
    return current


# -- impediments -------------------------------------------------------------------------------

def _impediment_owner(level: int, mine: reminding.VendorPeople) -> Recipient | None:
    """The internal owner of the next rung: the executive sponsor on the last step, our line
    manager (or relationship owner) below it — they carry it to the vendor's people."""
    if level == EscalationStep.EXECUTIVE_SPONSORS and mine.executive_sponsors:
        return user_recipient(mine.executive_sponsors[0])
    return mine.line_manager_of(None)


def _impediment_settled() -> Q:
    """Its stamp matches its live step and `since` ("Settled items"); the step first (a
    column compare), so `since`'s subquery is evaluated only where the step matches."""
    return Q(reminded_step=F("escalation_level") + 1) & Q(reminded_since=F("since"))


def impediments_overdue(now: datetime, offset: timedelta) -> registry.Found:
    """Plain rows, each impediment's last step read by a subquery so that its occasion is
    known in SQL and one settled (recorded for anyone: the next rung's owner is worked out
    here; "Settled items") is left out there."""
    last_step = (Escalation.objects.filter(impediment=OuterRef("pk"))
                 .order_by("-escalated_on").values("escalated_on")[:1])
    rows = list(Impediment.objects.filter(status__in=IMPEDIMENT_OPEN, archived_at__isnull=True,
                                          vendor__archived_at__isnull=True,
                                          escalation_level__lt=EscalationStep.EXECUTIVE_SPONSORS)
                .annotate(since=Greatest("raised_on", Coalesce(Subquery(last_step),
                                                               "raised_on")))
                .alias(occasion=Concat(Value("impediment:"), Cast("id", CharField()),
                                       Value(":step:"),
                                       Cast(F("escalation_level") + 1, CharField()),
                                       Value(":"), Cast("since", CharField()),
                                       output_field=CharField()))
                .exclude(_impediment_settled())
                .order_by("raised_on", "id")
                .values_list("id", "vendor_id", "vendor__slug", "vendor__name", "title",
                             "severity", "raised_on", "escalation_level", "since"))
    vendor_ids = {r[1] for r in rows}
    limits = dict(GovernancePlan.objects.filter(vendor_id__in=vendor_ids)
                  .values_list("vendor_id", "escalate_after_days")) if rows else {}
    today = reminding.local_today(now)
    moments = _Cached(lambda day: reminding.day_after(day, offset))
    flagged = []
    for row in rows:
        since, limit = row[8], limits.get(row[1], DEFAULT_ESCALATE_AFTER_DAYS)
        # Flagged once open for more than `limit` days (Impediment.flagged_for_escalation).
        moment = moments[since + timedelta(days=limit)]
        if moment <= now:
            flagged.append((row, limit, moment))
    people = reminding.people(row[1] for row, *_ in flagged)
    url, day = registry.url_pattern("governance:impediment", "slug", 0), _Cached(formats.day)
    severities = dict(Severity.choices)
    due = []
    for (pk, vendor_id, slug, vendor, title, severity, raised_on, level, since), limit, \
            moment in flagged:
        step = level + 1
        to = _impediment_owner(step, people[vendor_id])
        if to is None:
            continue
        due.append(Due(
            occasion=f"impediment:{pk}:step:{step}:{since}", recipient=to,
            vendor_id=vendor_id, due_at=moment, url=url(slug, pk),
            context={"title": title, "vendor": vendor,
                     "severity": severities.get(severity, severity),
                     "age_days": (today - raised_on).days, "since": day[since],
                     "limit_days": limit,
                     "level": EscalationStep(level).label if level else "Not escalated",
                     "next_step": EscalationStep(step).label}))
    return registry.Found(due, settle=_settle_impediments(
        {int(d.occasion.split(":")[1]): d.occasion.split(":")[3:] for d in due}))


def _settle_impediments(stamps: dict[int, list[str]]):
    """`registry.Found.settle` stamping these impediments ({id: [step, since]} as
    recorded): one statement (SQLite: one per batch)."""
    if not stamps:
        return None
    rows = [Impediment(pk=pk, reminded_step=int(step), reminded_since=since)
            for pk, (step, since) in stamps.items()]

    def settle():
        Impediment.objects.bulk_update(rows, ["reminded_step", "reminded_since"])

    return settle


# `_settle_impediments` as `registry.Kind.settle_sql`: the step and `since` read back from the
# recorded occasion (``impediment:<id>:step:<step>:<since>``).
_SETTLE_IMPEDIMENTS_SQL = registry.SettleSql(
    model=Impediment, key="split_part(f.occasion, ':', 2)",
    values={"reminded_step": "split_part(f.occasion, ':', 4)",
            "reminded_since": "split_part(f.occasion, ':', 5)"})


class _PlusDays(Func):
    """A date column plus a number of days (an integer expression): a date."""

    arg_joiner = " + "
    template = "(%(expressions)s)"
    output_field = DateField()


def impediments_overdue_sql(now: datetime, offset: timedelta):
    """`impediments_overdue` as one query of `registry.SQL_FIELDS`: the vendor's age limit
    and the next rung's owner (`_impediment_owner`) read by subqueries."""
    today = reminding.local_today(now)
    last_step = (Escalation.objects.filter(impediment=OuterRef("pk"))
                 .order_by("-escalated_on").values("escalated_on")[:1])
    limit = Coalesce(Subquery(GovernancePlan.objects.filter(vendor_id=OuterRef("vendor_id"))
                              .values("escalate_after_days")[:1]),
                     Value(DEFAULT_ESCALATE_AFTER_DAYS))
    sponsor = reminding.user_target_sql(VendorAssignment.objects.filter(
        vendor_id=OuterRef("vendor_id"), role=AssignmentRole.EXECUTIVE_SPONSOR,
        user__is_active=True).order_by("id"))
    last = EscalationStep.EXECUTIVE_SPONSORS - 1
    rows = (Impediment.objects.filter(status__in=IMPEDIMENT_OPEN, archived_at__isnull=True,
                                      vendor__archived_at__isnull=True,
                                      escalation_level__lt=EscalationStep.EXECUTIVE_SPONSORS)
            .annotate(since=Greatest("raised_on", Coalesce(Subquery(last_step), "raised_on")),
                      occasion=Concat(Value("impediment:"), Cast("id", CharField()),
                                      Value(":step:"),
                                      Cast(F("escalation_level") + 1, CharField()),
                                      Value(":"), Cast("since", CharField()),
                                      output_field=CharField()),
                      limit_days=limit)
            .exclude(_impediment_settled())
            .annotate(moment=reminding.day_after_sql(_PlusDays("since", "limit_days"),
                                                     offset))
            .filter(moment__lte=now)
            .annotate(
                r_to=Coalesce(Case(When(escalation_level=last, then=Subquery(sponsor))),
                              Subquery(reminding.line_manager_sql()), output_field=JSONField()),
                r_url=registry.url_sql("governance:impediment", ("slug", F("vendor__slug")),
                                       (0, F("id"))),
                r_context=JSONObject(
                    title="title", vendor="vendor__name",
                    severity=Case(*(When(severity=v, then=Value(label))
                                    for v, label in Severity.choices),
                                  default="severity", output_field=CharField()),
                    age_days=reminding.DaysSince(today, F("raised_on")),
                    since=reminding.DayText("since"), limit_days="limit_days",
                    level=Case(*(When(escalation_level=v, then=Value(label))
                                 for v, label in EscalationStep.choices),
                               default=Value("Not escalated"), output_field=CharField()),
                    next_step=Case(*(When(escalation_level=v - 1, then=Value(label))
                                     for v, label in EscalationStep.choices),
                                   output_field=CharField()))))
    return registry.rows_from_target(rows.values_list("occasion", "r_to", "vendor_id",
                                                      "moment", "r_url", "r_context"))


def impediments_still_current(occasions: list[str]) -> set[str]:
    ids = {int(o.split(":")[1]) for o in occasions}
    levels = dict(Impediment.objects.filter(pk__in=ids, status__in=IMPEDIMENT_OPEN,
                                            archived_at__isnull=True,
                                            vendor__archived_at__isnull=True)
                  .values_list("pk", "escalation_level"))
    return {o for o in occasions
            if int(o.split(":")[1]) in levels
            and levels[int(o.split(":")[1])] + 1 == int(o.split(":")[3])}


# -- registration ------------------------------------------------------------------------------

KINDS = [
    *(Kind(key=meeting_key(tier), label=f"Upcoming {label.lower()}s",
           description=f"Sent {lead.days} day{'s' if lead.days != 1 else ''} before each "
                       f"{label.lower()} to its participants on both sides, with the agenda "
                       f"as it stands and a calendar invite; a moved meeting sends an "
                       f"update, a cancelled one a cancellation.",
           timing=Timing.BEFORE, default_offset=lead, find=_meetings_find(tier),
           still_current=meetings_still_current)
      for tier, label, lead in ((t, t.label, MEETING_LEADS[t]) for t in Tier)),
    Kind(key="governance.action_item_due", label="Action items due soon",
         description="Sent to the owner two days before an action item is due.",
         timing=Timing.BEFORE, default_offset=timedelta(days=2), find=action_items_due_soon,
         still_current=action_items_still_current, find_sql=action_items_due_soon_sql,
         settle_sql=_settle_items_sql("due")),
    Kind(key="governance.action_item_overdue", label="Overdue action items",
         description="Sent to the owner the morning after an open action item's due date.",
         timing=Timing.AFTER, default_offset=timedelta(0), find=action_items_overdue,
         still_current=action_items_still_current, find_sql=action_items_overdue_sql,
         settle_sql=_settle_items_sql("overdue")),
    Kind(key="governance.action_item_escalation", label="Action items escalated",
         description="Sent a week after an open action item's due date to our line manager "
                     "(our items) or the vendor's account executive (theirs).",
         timing=Timing.AFTER, default_offset=timedelta(days=7), find=action_items_escalated,
         still_current=action_items_still_current, find_sql=action_items_escalated_sql,
         settle_sql=_settle_items_sql("escalation")),
    Kind(key="governance.impediment_escalation", label="Impediments to escalate",
         description="Sent to the next rung's internal owner the morning an impediment has "
                     "been open (or at its step) longer than the vendor's plan allows.",
         timing=Timing.AFTER, default_offset=timedelta(0), find=impediments_overdue,
         still_current=impediments_still_current, find_sql=impediments_overdue_sql,
         settle_sql=_SETTLE_IMPEDIMENTS_SQL),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)

