"""The governance part of a seeded portfolio (vendors/seed.py): each vendor's default weekly,
monthly and quarterly cadences (`services.cadence_defaults`, checked by the services' own
`_check_cadence` and saved with history), starting on the first day of history; every
review since then held, at the times the cadence's recurrence gives (`Cadence.slots` and
`services._series_fields`, the functions `meetings_generate` plans with), with its
participants confirmed and present; the reviews ahead up to the planning horizon planned
as `meetings_generate` plans them (participants invited, no answer yet); an action item
from every fourth weekly review (done once it is two months old). Meetings, attendance and
action items, with their history rows, go in by COPY. The latest weekly review of each
vendor is frozen with its real agenda (governance.agenda.snapshot); older ones keep the
points people added.

Then impediments (some escalated up the ladder, most resolved) and suggestions (decided),
through the services with the clock set to the day each happened."""

from datetime import timedelta
from decimal import Decimal as D

from django.apps import apps as django_apps
from django.utils import timezone

from governance import agenda, recurrence, services
from governance.choices import (
    RECURRING_TIERS,
    ActionStatus,
    ImpedimentKind,
    ImpedimentStatus,
    MeetingStatus,
    OwnerSide,
    Response,
    Severity,
    SuggestionCategory,
    SuggestionStatus,
    Tier,
)
from governance.models import ActionItem, Attendance, Cadence, Meeting
from vendorgov import history
from vendors.seed import Portfolio, clock, copy_with_history, reserve_ids

ORDER = 90  # last: the frozen agenda reads every other app's data
BATCH = 50  # vendors whose reviews are written together


def seed(portfolio: Portfolio) -> None:
    vendors = portfolio.vendors
    for offset in range(0, len(vendors), BATCH):
        batch = vendors[offset:offset + BATCH]
        with clock(portfolio.start):
            cadences, made = _cadences(portfolio, batch)
        made += _reviews(portfolio, cadences)
        made += _issues(portfolio, batch)
        portfolio.made(f"reviews, attendance, action items, impediments and suggestions, "
                       f"{offset + len(batch):,}/{len(vendors):,} vendors", made)


def _cadences(portfolio: Portfolio, vendors: list) -> tuple[list, int]:
    """What `services.cadence_propose_defaults` makes for each vendor, from the first day of
    history (`cadence_defaults`: the tier's rhythm, and its participants among the people
    and contacts assigned to the vendor, so none is an outsider; validated as `_check_cadence`
    validates a new cadence: its fields and rules, and no meeting time in a daylight-saving
    gap), written for
    the batch at once with one history row each that holds its participants, less the
    planning of meetings one at a time (`_reviews` plans them all at once). Returns
    [(vendor, its cadences)] and the rows written."""
    made, cadences = [], []
    for vendor in vendors:
        mine = []
        for tier in RECURRING_TIERS:
            fields = services.cadence_defaults(vendor, tier)
            ours, theirs = fields.pop("our_participants"), fields.pop("vendor_participants")
            cadence = Cadence(vendor=vendor, starts_on=portfolio.start, **fields)
            history.lean_full_clean(cadence, constraints=False)  # one per vendor and tier
            for slot in cadence.slots(cadence.starts_on, cadence.starts_on
                                      + services.DST_CHECK_AHEAD):
                assert not recurrence.problem_message(slot.day, cadence.start_time,
                                                      cadence.tz), slot
            cadence.participants = ([u.pk for u in ours], [c.pk for c in theirs])
            mine.append(cadence)
        cadences += mine
        made.append((vendor, mine))
    Cadence.objects.bulk_create(cadences)
    records = Cadence.history.bulk_history_create(cadences,
                                                  default_user=portfolio.people["vera"])
    rows = len(cadences) * 2
    for field, side in (("our_participants", 0), ("vendor_participants", 1)):
        through = getattr(Cadence, field).through
        other = "user_id" if side == 0 else "contact_id"
        links = through.objects.bulk_create([through(cadence_id=c.pk, **{other: pk})
                                             for c in cadences for pk in c.participants[side]])
        of_cadence = {}
        for link in links:
            of_cadence.setdefault(link.cadence_id, []).append(link)
        past = django_apps.get_model("governance", f"HistoricalCadence_{field}")
        past.objects.bulk_create([past(id=link.pk, cadence_id=link.cadence_id,
                                       history_id=record.history_id,
                                       **{other: getattr(link, other)})
                                  for record in records for link in of_cadence.get(record.id, [])])
        rows += len(links) * 2
    return made, rows


def _reviews(portfolio: Portfolio, batch: list) -> int:
    vera = portfolio.people["vera"]
    now, today = timezone.now(), timezone.localdate()
    meetings, attendance = [], []
    for vendor, cadences in batch:
        line, _ = portfolio.owners[vendor.pk]
        for cadence in cadences:
            last = today + services.HORIZONS[Tier(cadence.tier)]
            users, contacts = cadence.participants
            for slot in cadence.slots(portfolio.start, last):
                fields = services._series_fields(cadence, slot.day)
                row = {"vendor_id": vendor.pk, "cadence_id": cadence.pk, "tier": cadence.tier,
                       "period": slot.period, **fields, "moved": False, "sequence": 0,
                       "cancel_reason": "", "archived_at": None}
                if fields["ends_at"] < now:  # held
                    row.update(status=MeetingStatus.HELD.value, held_at=fields["ends_at"],
                               held_by_id=line.pk, minutes="Went through the agenda; see "
                                                          "decisions and action items.",
                               agenda_snapshot={"frozen_at": fields["ends_at"].isoformat(),
                                                "sections": [], "items": []},
                               created_at=fields["starts_at"] - timedelta(days=56))
                    answer = {"response": Response.CONFIRMED.value, "present": True}
                elif fields["starts_at"] >= now:  # planned by meetings_generate
                    row.update(status=MeetingStatus.SCHEDULED.value, held_at=None,
                               held_by_id=None, minutes="", agenda_snapshot=None,
                               created_at=now)
                    answer = {"response": Response.PENDING.value, "present": None}
                else:
                    continue  # under way right now: meetings_generate plans nothing past
                meetings.append(row)
                attendance += [{"vendor_id": vendor.pk, "meeting_id": row, "user_id": pk,
                                "contact_id": None, "added_by_hand": False, **answer}
                               for pk in users]
                attendance += [{"vendor_id": vendor.pk, "meeting_id": row, "user_id": None,
                                "contact_id": pk, "added_by_hand": False, **answer}
                               for pk in contacts]
    for row, pk in zip(meetings, reserve_ids(Meeting, len(meetings)), strict=True):
        row["id"] = pk
    for row in attendance:
        row["meeting_id"] = row["meeting_id"]["id"]
    # Planned ones as meetings_generate saves them (by the proposer, no reason given).
    made = copy_with_history(Meeting, meetings, user=vera,
                             reason=lambda row: "Held" if row["held_at"] else None,
                             at=lambda row: row["held_at"] or row["created_at"])
    made += copy_with_history(Attendance, attendance, reason=None, user=None)
    made += _action_items(portfolio, [m for m in meetings if m["status"] == "held"])
    for vendor, _ in batch:
        latest = (Meeting.objects.filter(vendor=vendor, tier=Tier.WEEKLY,
                                         status=MeetingStatus.HELD)
                  .order_by("-starts_at").first())
        if latest is not None:
            latest.agenda_snapshot = agenda.snapshot(latest)
            latest.save(update_fields=["agenda_snapshot"])
    return made


def _action_items(portfolio: Portfolio, held: list[dict]) -> int:
    rows = []
    weekly = sorted((m for m in held if m["tier"] == Tier.WEEKLY),
                    key=lambda m: (m["vendor_id"], m["starts_at"]))
    for i, m in enumerate(weekly):
        if i % 4:
            continue
        day = timezone.localtime(m["starts_at"]).date()
        done = day + timedelta(days=60) < portfolio.today
        rows.append({
            "vendor_id": m["vendor_id"], "meeting_id": m["id"],
            "title": f"Follow up the review of {m['period']}", "description": "", "notes": "",
            "owner_user_id": None, "owner_contact_id": portfolio.contacts[m["vendor_id"]].pk,
            "side": OwnerSide.VENDOR.value, "due_on": day + timedelta(days=14),
            "status": (ActionStatus.DONE if done else ActionStatus.OPEN).value,
            "completed_on": day + timedelta(days=12) if done else None,
            "created_by_id": portfolio.owners[m["vendor_id"]][0].pk,
            "created_at": m["ends_at"], "archived_at": None})
    return copy_with_history(ActionItem, rows, reason="Agreed in the review",
                             user=portfolio.people["vera"], at=lambda row: row["created_at"])


def _issues(portfolio: Portfolio, batch: list) -> int:
    """Per vendor, through the services with the clock set to each day: an impediment
    raised in the first year, escalated up the ladder's first step two weeks later (the
    outcome recorded) and resolved; one raised three weeks ago, still in progress; a
    suggestion of the vendor's accepted and implemented; and one under review now."""
    made = 0
    for vendor in batch:
        line, _ = portfolio.owners[vendor.pk]
        lead, vendor_user = portfolio.contacts[vendor.pk], portfolio.vendor_users[vendor.pk]
        vera = portfolio.people["vera"]
        day = portfolio.start + timedelta(days=150)
        with clock(day):
            old = services.impediment_raise(
                vendor=vendor, by=line, title="Change approvals take too long",
                description="Standard changes wait a week for the vendor's CAB.",
                kind=ImpedimentKind.PROCESS, severity=Severity.HIGH, owner_contact=lead)
        with clock(day + timedelta(days=14)):
            escalation = services.impediment_escalate(
                old, by=line, note="Two weeks without progress; please unblock the CAB.")
        with clock(day + timedelta(days=21)):
            services.escalation_record_outcome(escalation, by=line,
                                               outcome="A weekly fast-track slot agreed.")
        with clock(day + timedelta(days=35)):
            services.impediment_set_status(old, by=line, status=ImpedimentStatus.RESOLVED,
                                           resolution="Fast-track slot in place.")
        with clock(portfolio.today - timedelta(days=21)):
            new = services.impediment_raise(
                vendor=vendor, by=line, title="Test environment unavailable",
                kind=ImpedimentKind.DELIVERY, owner_contact=lead)
            services.impediment_set_status(new, by=line, status=ImpedimentStatus.IN_PROGRESS)
        day = portfolio.start + timedelta(days=300)
        with clock(day):
            idea = services.suggestion_submit(
                vendor=vendor, by=vendor_user, title="Automate the monthly SLA report",
                description="Generate the report from the measurements we already send.",
                category=SuggestionCategory.PROCESS, estimated_value=D(12_000),
                estimated_effort_days=D(15))
        with clock(day + timedelta(days=20)):
            services.suggestion_transition(idea, by=vera, status=SuggestionStatus.ACCEPTED,
                                           rationale="Saves a day a month on both sides.")
        with clock(day + timedelta(days=90)):
            services.suggestion_transition(idea, by=vera, status=SuggestionStatus.IMPLEMENTED)
        with clock(portfolio.today - timedelta(days=30)):
            later = services.suggestion_submit(
                vendor=vendor, by=vendor_user, title="Self-service password resets",
                description="Cut first-line tickets by a fifth.",
                category=SuggestionCategory.TECHNOLOGY)
            services.suggestion_transition(later, by=vera,
                                           status=SuggestionStatus.UNDER_REVIEW)
        # impediments 2 (+5 history), escalation 1 (+2), suggestions 2 (+5)
        made += 17
    return made
