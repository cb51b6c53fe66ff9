"""Vendors that show warning signs, built straight in the feature apps' tables (the signs
read them back through those apps' selectors)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from governance.choices import ImpedimentKind, MeetingStatus, Tier
from governance.models import ActionItem, Attendance, Cadence, Impediment, Meeting, Suggestion
from scorecards.models import Actual
from sla.choices import CorrectiveActionStatus, EvaluationStatus
from sla.models import CorrectiveAction, Dispute, Evaluation
from tests.factories import ContactFactory, StaffingChangeFactory, StaffMemberFactory
from tests.scorecards.factories import make_scorecard, measure, period
from tests.sla.factories import service_level
from vendors.models import Vendor

D = Decimal


def today() -> datetime.date:
    return timezone.localdate()


def ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def month_start(months_ago: int) -> datetime.date:
    first = today().replace(day=1)
    for _ in range(months_ago):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def windows(vendor, pattern: str, sl=None, *, months_ago: int = 1):
    """Monthly evaluations of one service level, newest first ('B' breached, 'M' met), the
    newest `months_ago` months back."""
    sl = sl or service_level(vendor)
    made = []
    for i, c in enumerate(pattern, start=months_ago):
        start = month_start(i)
        end = (month_start(i - 1) - datetime.timedelta(days=1))
        made.append(Evaluation.objects.create(
            vendor=vendor, sla=sl.version.sla, service_level=sl, window_start=start,
            window_end=end, status=EvaluationStatus.BREACHED if c == "B" else
            EvaluationStatus.MET, value=D("98") if c == "B" else D("99.9")))
    return made


def rejected_action(vendor, sla, *, days_ago=5, title="Fix the backup job"):
    return CorrectiveAction.objects.create(
        vendor=vendor, sla=sla, title=title, description="Backups failed.", due_on=ago(20),
        status=CorrectiveActionStatus.REJECTED, closed_on=ago(days_ago),
        verification_note="Still failing.")


def impediment(vendor, title, *, raised, resolved=None, kind=ImpedimentKind.STAFFING):
    return Impediment.objects.create(
        vendor=vendor, title=title, kind=kind, raised_by_side="ours", raised_on=ago(raised),
        status="resolved" if resolved else "open", resolved_on=resolved and ago(resolved))


def cadence(vendor, tier=Tier.WEEKLY) -> Cadence:
    return Cadence.objects.create(vendor=vendor, tier=tier, weekday=0, day_of_month=1,
                                  quarter_month=1, start_time=datetime.time(10),
                                  time_zone="Europe/London", starts_on=ago(400))


def meeting(vendor, c: Cadence, day: datetime.date, status=MeetingStatus.HELD, title=""):
    return Meeting.objects.create(
        vendor=vendor, cadence=c, tier=c.tier, period=f"{day:%Y-%m-%d}",
        title=title or f"{c.get_tier_display()}", starts_at=at(day), ends_at=at(day, 11),
        time_zone="Europe/London", series_starts_at=at(day), status=status,
        held_at=at(day, 11) if status == MeetingStatus.HELD else None)


def attendance(vendor, c: Cadence, contact, days_ago: list[int], present: bool):
    for d in days_ago:
        m = meeting(vendor, c, ago(d))
        Attendance.objects.create(vendor=vendor, meeting=m, contact=contact, present=present)


def suggestions(vendor, days_ago: list[int]):
    for d in days_ago:
        Suggestion.objects.create(vendor=vendor, title=f"Idea {d}", description="…",
                                  category="process", source_side="vendor",
                                  submitted_on=ago(d))


def carried_item(vendor, c: Cadence, *, held_after: int, title="Send the capacity plan"):
    """An open action item with `held_after` held weekly reviews after it was raised."""
    contact = ContactFactory(vendor=vendor)
    item = ActionItem.objects.create(vendor=vendor, title=title, owner_contact=contact,
                                     side="vendor", due_on=ago(60),
                                     created_at=at(ago(7 * held_after + 3)))
    for week in range(held_after):
        meeting(vendor, c, ago(7 * week + 1), title="Weekly review")
    return item


def reported_better(vendor, *, vendor_value="99.95", internal_value="98.5"):
    """A scorecard whose last ended period has the vendor reporting green, we red."""
    make_scorecard(vendor)
    m, p = measure(vendor, "Availability"), period(vendor, 1)
    return Actual.objects.create(
        vendor=vendor, measure=m, period=p, vendor_value=D(vendor_value),
        internal_value=D(internal_value), status="approved", reported_side="vendor",
        direction=m.direction, target=m.target, amber_threshold=m.amber_threshold,
        red_threshold=m.red_threshold)


def troubled(vendor: Vendor) -> Vendor:
    """A vendor showing all five signs, with a few records behind each."""
    Vendor.objects.filter(pk=vendor.pk).update(created_at=at(ago(800)))  # health check due
    evaluations = windows(vendor, "BBMB")  # the SLA's review date is long past as well
    sla = evaluations[0].sla
    rejected_action(vendor, sla)
    impediment(vendor, "Lead left", raised=120, resolved=90)
    impediment(vendor, "Lead left again", raised=20)
    contact = ContactFactory(vendor=vendor)
    weekly = cadence(vendor)
    attendance(vendor, weekly, contact, [100, 120, 140, 160], present=True)
    attendance(vendor, weekly, contact, [10, 30], present=False)
    suggestions(vendor, [100, 150, 200, 250])
    StaffingChangeFactory(vendor=vendor, requested_on=ago(45), kind="replace")
    StaffMemberFactory(vendor=vendor, name="Ann", ended_on=ago(40))
    StaffMemberFactory(vendor=vendor, name="Bob", ended_on=ago(10))
    reported_better(vendor)
    for e in (evaluations[0], evaluations[1], evaluations[3]):  # the breached ones
        Dispute.objects.create(vendor=vendor, evaluation=e, reason="Monitoring was wrong.")
    meeting(vendor, weekly, ago(5), MeetingStatus.CANCELLED, title="Cancelled weekly")
    meeting(vendor, weekly, ago(12), MeetingStatus.CANCELLED, title="Cancelled weekly")
    meeting(vendor, weekly, ago(16), MeetingStatus.SCHEDULED, title="Forgotten weekly")
    carried_item(vendor, weekly, held_after=4)
    return vendor
