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

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from governance import ical
from governance.choices import (
    ACTION_OPEN,
    IMPEDIMENT_OPEN,
    EscalationStep,
    MeetingStatus,
    Tier,
)
from governance.models import (
    DEFAULT_ESCALATE_AFTER_DAYS,
    ActionItem,
    AgendaItem,
    Attendance,
    GovernancePlan,
    Impediment,
    Meeting,
)
from reminders import registry
from reminders.registry import Due, Kind, Recipient, Timing
from vendorgov import formats
from vendors import reminding
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


def _participants(meeting_ids) -> dict[int, list[Recipient]]:
    """{meeting id: its participants who may get mail}: one query."""
    found = defaultdict(list)
    rows = (Attendance.objects.filter(meeting_id__in=meeting_ids)
            .select_related("user", "contact").order_by("meeting_id", "id"))
    for row in rows:
        if row.user_id and row.user.is_active:
            found[row.meeting_id].append(user_recipient(row.user))
        elif row.contact_id and row.contact.archived_at is None:
            found[row.meeting_id].append(contact_recipient(row.contact))
    return found


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


def _meetings_find(tier: str):
    key = meeting_key(tier)

    def find(now: datetime, offset: timedelta) -> list[Due]:
        live = Meeting.objects.filter(tier=tier, vendor__archived_at__isnull=True)
        # Scheduled and not over: those whose lead time has come (a superset bounded in
        # SQL), and any that changed since their first version (whoever had it needs the
        # update now); gone: cancelled or taken out of the series, still ahead.
        upcoming = Q(status=MeetingStatus.SCHEDULED, archived_at__isnull=True, ends_at__gt=now) & (
            Q(starts_at__lte=now + max(offset, timedelta(0)) + DST_SLACK) | Q(sequence__gt=0))
        gone = Q(starts_at__gt=now) & (Q(status=MeetingStatus.CANCELLED)
                                       | Q(archived_at__isnull=False))
        meetings = list(live.filter(upcoming | gone).select_related("vendor")
                        .order_by("starts_at", "id"))
        if not meetings:
            return []
        participants = _participants([m.pk for m in meetings])
        occasions = [o for m in meetings
                     for o in [*_versions(m, upto=m.sequence), f"meeting:{m.pk}:cancel"]]
        sent = registry.sent_to(key, occasions)
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
        for m in meetings:
            url = m.get_absolute_url()
            cancelled = sent.get(f"meeting:{m.pk}:cancel", set())
            if m.archived_at or m.is_cancelled:
                for k in sorted(had[m.pk] - cancelled):
                    if k in by_key:
                        due.append(_cancel(key, m, by_key[k], now, url))
                continue
            moment = reminding.before(m.starts_at, offset, m.tz)
            version = f"meeting:{m.pk}:v{m.sequence}"
            earlier = set().union(*(sent.get(o, set())
                                    for o in _versions(m, upto=m.sequence - 1)))
            for r in participants[m.pk]:
                if r.key in sent.get(version, ()):
                    continue  # already had it: no need to build its invite again
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
                           ics=ical.invite(m, method="REQUEST", attendee_email=r.email,
                                           attendee_name=r.name)))
        return due

    return find


def _cancel(key: str, meeting: Meeting, recipient: Recipient, now: datetime, url: str, *,
            removed: bool = False) -> Due:
    context = _meeting_context(meeting, "removed" if removed else "cancel")
    return Due(occasion=f"meeting:{meeting.pk}:cancel", recipient=recipient,
               vendor_id=meeting.vendor_id, due_at=now, url=url, context=context,
               ics=ical.invite(meeting, method="CANCEL", attendee_email=recipient.email,
                               attendee_name=recipient.name))


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

def _items(now: datetime, first_day=None, last_day=None) -> list[ActionItem]:
    rows = (ActionItem.objects.filter(status__in=ACTION_OPEN, archived_at__isnull=True,
                                      vendor__archived_at__isnull=True)
            .select_related("vendor", "owner_user", "owner_contact").order_by("due_on", "id"))
    if first_day is not None:
        rows = rows.filter(due_on__gte=first_day)
    if last_day is not None:
        rows = rows.filter(due_on__lte=last_day)
    return list(rows)


def _item_context(item: ActionItem, today) -> dict:
    return {"title": item.title, "vendor": item.vendor.name, "owner": item.owner_name,
            "due_on": formats.day(item.due_on), "status": item.get_status_display(),
            "days_overdue": max((today - item.due_on).days, 0), "notes": item.notes[:300]}


def _item_url(item: ActionItem) -> str:
    return reverse("governance:action_item_update", args=[item.vendor.slug, item.pk])


def _owner(item: ActionItem) -> Recipient:
    if item.owner_user_id:
        return user_recipient(item.owner_user)
    return contact_recipient(item.owner_contact)


def _to_owner(rows, now, offset, today, what, moment_of) -> list[Due]:
    """One reminder per item to its owner, still on the account, at `moment_of(due_on)`."""
    people = reminding.people(r.vendor_id for r in rows)
    due = []
    for item in rows:
        moment = moment_of(item.due_on, offset)
        if moment > now or not people[item.vendor_id].still_on_account(
                item.vendor_id, user=item.owner_user, contact=item.owner_contact):
            continue
        due.append(Due(occasion=f"action_item:{item.pk}:{what}:{item.due_on}",
                       recipient=_owner(item), vendor_id=item.vendor_id, due_at=moment,
                       url=_item_url(item), context=_item_context(item, today)))
    return due


def action_items_due_soon(now: datetime, offset: timedelta) -> list[Due]:
    today = reminding.local_today(now)
    rows = _items(now, first_day=today, last_day=today + timedelta(days=offset.days + 1))
    return _to_owner(rows, now, offset, today, "due", reminding.day_before)


def action_items_overdue(now: datetime, offset: timedelta) -> list[Due]:
    today = reminding.local_today(now)
    rows = _items(now, last_day=today - timedelta(days=offset.days))
    return _to_owner(rows, now, offset, today, "overdue", reminding.day_after)


def action_items_escalated(now: datetime, offset: timedelta) -> list[Due]:
    """Past the grace period: to our line manager (an item of ours) or the vendor's account
    executive (the vendor's) — also when the owner has left the account."""
    today = reminding.local_today(now)
    rows = _items(now, last_day=today - timedelta(days=offset.days))
    people = reminding.people(r.vendor_id for r in rows)
    due = []
    for item in rows:
        moment = reminding.day_after(item.due_on, offset)
        if moment > now:
            continue
        mine = people[item.vendor_id]
        to = (mine.line_manager_of(item.owner_user_id) if item.owner_user_id
              and item.owner_user.vendor_id is None
              else mine.account_executive_of(item.owner_contact_id))
        if to is None:
            continue
        context = _item_context(item, today)
        context["owner_left"] = not mine.still_on_account(
            item.vendor_id, user=item.owner_user, contact=item.owner_contact)
        due.append(Due(occasion=f"action_item:{item.pk}:escalation:{item.due_on}",
                       recipient=to, vendor_id=item.vendor_id, due_at=moment,
                       url=_item_url(item), context=context))
    return due


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


def impediments_overdue(now: datetime, offset: timedelta) -> list[Due]:
    rows = list(Impediment.objects.filter(status__in=IMPEDIMENT_OPEN, archived_at__isnull=True,
                                          vendor__archived_at__isnull=True,
                                          escalation_level__lt=EscalationStep.EXECUTIVE_SPONSORS)
                .select_related("vendor").annotate(last_step=Max("escalations__escalated_on"))
                .order_by("raised_on", "id"))
    vendor_ids = {i.vendor_id for i in rows}
    limits = dict(GovernancePlan.objects.filter(vendor_id__in=vendor_ids)
                  .values_list("vendor_id", "escalate_after_days"))
    people = reminding.people(vendor_ids)
    today = reminding.local_today(now)
    due = []
    for i in rows:
        since = max(i.raised_on, i.last_step or i.raised_on)
        limit = limits.get(i.vendor_id, DEFAULT_ESCALATE_AFTER_DAYS)
        # Flagged once open for more than `limit` days (Impediment.flagged_for_escalation).
        moment = reminding.day_after(since + timedelta(days=limit), offset)
        step = i.escalation_level + 1
        to = _impediment_owner(step, people[i.vendor_id])
        if moment > now or to is None:
            continue
        due.append(Due(
            occasion=f"impediment:{i.pk}:step:{step}:{since}", recipient=to,
            vendor_id=i.vendor_id, due_at=moment, url=i.get_absolute_url(),
            context={"title": i.title, "vendor": i.vendor.name,
                     "severity": i.get_severity_display(), "age_days": (today - i.raised_on).days,
                     "since": formats.day(since), "limit_days": limit,
                     "level": i.escalation_label, "next_step": EscalationStep(step).label}))
    return due


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
         still_current=action_items_still_current),
    Kind(key="governance.action_item_overdue", label="Overdue action items",
         description="Sent to the owner the morning after an open action item's due date.",
         timing=Timing.AFTER, default_offset=timedelta(0), find=action_items_overdue,
         still_current=action_items_still_current),
    Kind(key="governance.action_item_escalation", label="Action items escalated",
         description="Sent a week after an open action item's due date to our line manager "
                     "(our items) or the vendor's account executive (theirs).",
         timing=Timing.AFTER, default_offset=timedelta(days=7), find=action_items_escalated,
         still_current=action_items_still_current),
    Kind(key="governance.impediment_escalation", label="Impediments to escalate",
         description="Sent to the next rung's internal owner the morning an impediment has "
                     "been open (or at its step) longer than the vendor's plan allows.",
         timing=Timing.AFTER, default_offset=timedelta(0), find=impediments_overdue,
         still_current=impediments_still_current),
]


def register() -> None:
    for kind in KINDS:
        registry.register(kind)

