"""The governance part of a seeded portfolio (vendors/seed.py): each vendor's default weekly,
monthly and quarterly cadences proposed through the services (which plans the reviews ahead)
and dated back to the first day of history; every review since then held, at the times the
cadence's recurrence gives (the functions the services plan with), with its participants
confirmed and present; an action item from every fourth weekly review (done once it is two
months old). The latest weekly review of each vendor is frozen with its real agenda
(governance.agenda.snapshot); older ones keep the points people added."""

from datetime import timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from governance import agenda, services
from governance.choices import ActionStatus, MeetingStatus, OwnerSide, Response
from governance.models import ActionItem, Attendance, Cadence, Meeting
from vendors.seed import Portfolio

ORDER = 90  # last: the frozen agenda reads every other app's data
BATCH = 20  # vendors whose reviews are written together


def seed(portfolio: Portfolio) -> None:
    vera = portfolio.people["vera"]
    batch = []
    for n, vendor in enumerate(portfolio.vendors, start=1):
        # Proposed today (which plans the reviews ahead, as the periodic job would), then
        # dated back to the first day of history, the day the relationship began.
        cadences = services.cadence_propose_defaults(vendor=vendor, by=vera)
        Cadence.objects.filter(pk__in=[c.pk for c in cadences]).update(
            starts_on=portfolio.start)
        for cadence in cadences:
            cadence.starts_on = portfolio.start
        batch.append((vendor, cadences))
        if len(batch) == BATCH or n == len(portfolio.vendors):
            portfolio.made(f"reviews, attendance and action items, {n:,}/"
                           f"{len(portfolio.vendors):,} vendors", _history(portfolio, batch))
            batch = []


def _history(portfolio: Portfolio, batch: list) -> int:
    now, yesterday = timezone.now(), portfolio.today - timedelta(days=1)
    new, held, attend = [], [], []
    planned = {(m.cadence_id, m.period): m for m in Meeting.objects.filter(
        cadence__in=[c for _, cadences in batch for c in cadences])}
    people = {}
    for vendor, cadences in batch:
        line, _ = portfolio.owners[vendor.pk]
        for cadence in cadences:
            people[cadence.pk] = ([u.pk for u in cadence.our_participants.all()],
                                  [c.pk for c in cadence.vendor_participants.all()])
            for slot in cadence.slots(portfolio.start, yesterday):
                fields = services._series_fields(cadence, slot.day)
                if fields["ends_at"] >= now:
                    continue
                done = {"status": MeetingStatus.HELD, "held_at": fields["ends_at"],
                        "held_by": line, "minutes": "Went through the agenda; see decisions "
                                                    "and action items.",
                        "agenda_snapshot": {"frozen_at": fields["ends_at"].isoformat(),
                                            "sections": [], "items": []}}
                meeting = planned.get((cadence.pk, slot.period))
                if meeting is None:
                    new.append(Meeting(vendor=vendor, cadence=cadence, tier=cadence.tier,
                                       period=slot.period, **fields, **done,
                                       created_at=fields["starts_at"] - timedelta(days=56)))
                else:  # planned on the first day (the horizon), held since
                    for name, value in done.items():
                        setattr(meeting, name, value)
                    held.append(meeting)
    bulk_create_with_history(new, Meeting, batch_size=2000, default_change_reason="Held",
                             default_user=portfolio.people["vera"])
    Meeting.objects.bulk_update(held, ["status", "held_at", "held_by", "minutes",
                                       "agenda_snapshot"])
    meetings = [*new, *held]
    if not all(m.pk for m in new):  # backends that do not return ids (SQLite < 3.35)
        meetings = list(Meeting.objects.filter(cadence__in=people, status=MeetingStatus.HELD))
    Attendance.objects.filter(meeting__in=held).update(response=Response.CONFIRMED,
                                                       present=True)
    fresh = {m.pk for m in new}
    for m in meetings:
        if m.pk not in fresh:
            continue
        users, contacts = people[m.cadence_id]
        attend += [Attendance(vendor_id=m.vendor_id, meeting=m, user_id=pk,
                              response=Response.CONFIRMED, present=True) for pk in users]
        attend += [Attendance(vendor_id=m.vendor_id, meeting=m, contact_id=pk,
                              response=Response.CONFIRMED, present=True) for pk in contacts]
    Attendance.objects.bulk_create(attend, batch_size=5000)
    items = _action_items(portfolio, meetings)
    for vendor, _ in batch:
        latest = (Meeting.objects.filter(vendor=vendor, tier="weekly",
                                         status=MeetingStatus.HELD)
                  .order_by("-starts_at").first())
        if latest is not None:
            latest.agenda_snapshot = agenda.snapshot(latest)
            latest.save(update_fields=["agenda_snapshot"])
    return len(new) * 2 + len(held) + len(attend) + items


def _action_items(portfolio: Portfolio, meetings: list) -> int:
    rows = []
    weekly = sorted((m for m in meetings if m.tier == "weekly"), key=lambda m: m.starts_at)
    for i, m in enumerate(weekly):
        if i % 4:
            continue
        lead = portfolio.contacts[m.vendor_id]
        day = timezone.localtime(m.starts_at).date()
        done = day + timedelta(days=60) < portfolio.today
        rows.append(ActionItem(
            vendor_id=m.vendor_id, meeting=m, title=f"Follow up the review of {m.period}",
            owner_contact=lead, side=OwnerSide.VENDOR, due_on=day + timedelta(days=14),
            status=ActionStatus.DONE if done else ActionStatus.OPEN,
            completed_on=day + timedelta(days=12) if done else None,
            created_by=portfolio.owners[m.vendor_id][0], created_at=m.ends_at))
    bulk_create_with_history(rows, ActionItem, batch_size=2000,
                             default_change_reason="Agreed in the review",
                             default_user=portfolio.people["vera"])
    return len(rows) * 2
