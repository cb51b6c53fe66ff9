"""Governance: the review cadence with a vendor and what comes out of it.

Every record carries its `vendor` directly, so `vendors.access` scopes it in one join-free
filter; services keep a record's vendor equal to its parent's. Records are archived, never
deleted, and keep their history (who and when).
"""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from governance import recurrence
from governance.choices import (
    ACTION_OPEN,
    IMPEDIMENT_OPEN,
    RECURRING_TIERS,
    SUGGESTION_UNASSESSED,
    ActionStatus,
    EscalationStep,
    ImpedimentKind,
    ImpedimentStatus,
    MeetingStatus,
    OwnerSide,
    QuarterMonth,
    RaisedBy,
    Response,
    ResponsibleSide,
    Severity,
    SuggestedBy,
    SuggestionCategory,
    SuggestionStatus,
    Tier,
    Weekday,
)
from reminders.models import DueItemStamps
from vendorgov import formats
from vendorgov.tokens import HashedSecret
from vendors.choices import Currency, Side
from vendors.models import Archivable, ArchivableQuerySet, Contact, Vendor, VendorScoped

DEFAULT_ESCALATE_AFTER_DAYS = 14


# Defaults that look the clock up when called (the demo replays history with the clock set
# to past days; a default bound to `timezone.now` itself would not see that).
def now():
    return timezone.now()


def today():
    return timezone.localdate()


def validate_time_zone(name: str) -> None:
    try:
        recurrence.zone(name)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class GovernancePlanQuerySet(models.QuerySet):
    def for_vendor(self, vendor: Vendor) -> "GovernancePlan":
        """The vendor's plan; an unsaved one with the defaults if none was written."""
        return self.filter(vendor=vendor).first() or self.model(vendor=vendor)


class GovernancePlan(VendorScoped):
    """How a vendor is governed beyond its cadences: the strategy notes reviewed each
    quarter, and how long an impediment may stay unresolved before it is flagged."""

    vendor = models.OneToOneField(Vendor, on_delete=models.PROTECT,
                                  related_name="governance_plan")
    strategy_notes = models.TextField(
        blank=True, help_text="Where the relationship is heading; on every quarterly agenda.")
    escalate_after_days = models.PositiveSmallIntegerField(
        default=DEFAULT_ESCALATE_AFTER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="An impediment unresolved for longer is flagged for escalation.")
    history = HistoricalRecords()

    objects = GovernancePlanQuerySet.as_manager()

    def __str__(self):
        return f"Governance plan for {self.vendor}"


class Cadence(Archivable, VendorScoped):
    """A recurring review with the vendor: when (in the local time of its time zone), where,
    and who takes part. Its meetings are generated ahead on a rolling horizon."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="cadences")
    tier = models.CharField(max_length=10, choices=Tier.choices)
    title = models.CharField(max_length=120, blank=True,
                             help_text="Leave empty to call it after its tier.")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True,
                                               help_text="For weekly reviews.")
    day_of_month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="For monthly and quarterly reviews; 29–31 fall on the last day of shorter "
                  "months; a Saturday or Sunday moves to the Monday after, or "
                  "back to the Friday before when that Monday is in the next month.")
    quarter_month = models.PositiveSmallIntegerField(
        choices=QuarterMonth.choices, null=True, blank=True, help_text="For quarterly reviews.")
    start_time = models.TimeField(help_text="Local time in the cadence's time zone.")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone],
                                 help_text="IANA name, e.g. Europe/London.")
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(480)])
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    starts_on = models.DateField(default=today,
                                 help_text="No meeting of this cadence before this day.")
    ends_on = models.DateField(null=True, blank=True,
                               help_text="No meeting after this day; empty for no end.")
    our_participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                              related_name="review_cadences")
    vendor_participants = models.ManyToManyField(Contact, blank=True,
                                                 related_name="review_cadences")
    history = HistoricalRecords(m2m_fields=[our_participants, vendor_participants])

    class Meta:
        ordering = ["vendor", "tier", "id"]
        constraints = [
            models.CheckConstraint(name="cadence_ends_after_it_starts",
                                   condition=Q(ends_on__isnull=True)
                                   | Q(ends_on__gte=models.F("starts_on")),
                                   violation_error_message="The end must not be before the "
                                                           "start."),
        ]

    def __str__(self):
        return self.title or self.get_tier_display()

    @property
    def tz(self):
        return recurrence.zone(self.time_zone)

    @property
    def rhythm(self) -> str:
        """'Every Tuesday', 'Monthly on day 5', 'Quarterly, first month, day 20'."""
        if self.tier == Tier.WEEKLY:
            return f"Every {self.get_weekday_display()}"
        if self.tier == Tier.MONTHLY:
            return f"Monthly on day {self.day_of_month}"
        if self.tier not in RECURRING_TIERS:
            return "Arranged for each health check"
        month = {1: "first", 2: "second", 3: "third"}.get(self.quarter_month, "first")
        return f"Quarterly on day {self.day_of_month} of the {month} month"

    def slots(self, first, last) -> list[recurrence.Slot]:
        if self.tier not in RECURRING_TIERS:
            return []  # its meetings are arranged one by one
        if self.ends_on is not None:
            last = min(last, self.ends_on)
        return recurrence.slots(self.tier, weekday=self.weekday, day_of_month=self.day_of_month,
                                quarter_month=self.quarter_month,
                                first=max(first, self.starts_on), last=last)

    def clean(self):
        errors = {}
        if self.tier == Tier.WEEKLY and self.weekday is None:
            errors["weekday"] = "Choose the day of the week a weekly review takes place."
        if self.tier in (Tier.MONTHLY, Tier.QUARTERLY) and self.day_of_month is None:
            errors["day_of_month"] = "Choose the day of the month (1–31)."
        if self.tier == Tier.QUARTERLY and self.quarter_month is None:
            errors["quarter_month"] = "Choose the month of the quarter."
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The end must not be before the start."
        if errors:
            raise ValidationError(errors)


class MeetingQuerySet(ArchivableQuerySet):
    def visible(self):
        """Meetings people see: not archived (taken out of a series by a cadence change)."""
        return self.filter(archived_at__isnull=True)

    def upcoming(self):
        return self.visible().filter(status=MeetingStatus.SCHEDULED,
                                     ends_at__gte=timezone.now())

    def awaiting_minutes(self):
        """Over, yet nobody marked them held or cancelled."""
        return self.visible().filter(status=MeetingStatus.SCHEDULED, ends_at__lt=timezone.now())


class Meeting(Archivable, VendorScoped):
    """One review meeting. Generated from its cadence for one period (a week, month or
    quarter); moving or cancelling it by hand takes it out of the cadence's control, and a
    held meeting keeps its agenda as it was (`agenda_snapshot`)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="meetings")
    cadence = models.ForeignKey(Cadence, on_delete=models.PROTECT, related_name="meetings")
    tier = models.CharField(max_length=10, choices=Tier.choices)
    period = models.CharField(max_length=10, help_text="The week, month or quarter it is for.")
    title = models.CharField(max_length=160)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    time_note = models.CharField(max_length=300, blank=True,
                                 help_text="How a daylight-saving change moved this meeting.")
    location = models.CharField(max_length=200, blank=True)
    video_link = models.URLField(blank=True)
    status = models.CharField(max_length=10, choices=MeetingStatus.choices,
                              default=MeetingStatus.SCHEDULED)
    moved = models.BooleanField(default=False,
                                help_text="Moved by hand: cadence changes leave it alone.")
    series_starts_at = models.DateTimeField(help_text="When the cadence first placed it.")
    cancel_reason = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    minutes = models.TextField(blank=True)
    agenda_snapshot = models.JSONField(null=True, blank=True, editable=False,
                                       help_text="The agenda as it was when the meeting was "
                                                 "held.")
    sequence = models.PositiveIntegerField(default=0, editable=False,
                                           help_text="iCalendar SEQUENCE: bumped by every "
                                                     "change calendars must pick up.")
    created_at = models.DateTimeField(default=now, editable=False)
    history = HistoricalRecords(excluded_fields=["agenda_snapshot"])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["vendor", "starts_at"]),
                   # The API list's default order across vendors, served by the index.
                   models.Index(fields=["starts_at", "id"], name="meeting_list_idx")]
        constraints = [
            models.UniqueConstraint("cadence", "period", condition=Q(archived_at__isnull=True),
                                    name="one_meeting_per_cadence_period",
                                    violation_error_message="This cadence already has a "
                                                            "meeting in this period."),
            models.CheckConstraint(name="meeting_ends_after_it_starts",
                                   condition=Q(ends_at__gt=models.F("starts_at")),
                                   violation_error_message="A meeting must end after it "
                                                           "starts."),
        ]

    def __str__(self):
        return f"{self.title} · {formats.day(self.local_start)}"

    def get_absolute_url(self):
        return reverse("governance:meeting", args=[self.vendor.slug, self.pk])

    @property
    def tz(self):
        return recurrence.zone(self.time_zone)

    @property
    def local_start(self):
        return self.starts_at.astimezone(self.tz)

    @property
    def local_end(self):
        return self.ends_at.astimezone(self.tz)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def follows_cadence(self) -> bool:
        """Untouched by hand: a cadence change may still move it."""
        return self.status == MeetingStatus.SCHEDULED and not self.moved

    @property
    def minutes_published(self) -> bool:
        """Minutes (and decisions) reach the vendor once the meeting is marked held."""
        return self.is_held

    @property
    def is_over(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def may_be_held_now(self) -> bool:
        """Scheduled, and its day has come (in its own time zone's calendar)."""
        return (self.status == MeetingStatus.SCHEDULED
                and self.local_start.date() <= timezone.localdate())


class Attendance(VendorScoped):
    """One participant of a meeting, ours (a user) or the vendor's (a contact): whether they
    said they would come, and whether they were there."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="attendances")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="attendances")
    response = models.CharField(max_length=10, choices=Response.choices,
                                default=Response.PENDING)
    present = models.BooleanField(null=True, blank=True,
                                  help_text="Empty until attendance is taken.")
    added_by_hand = models.BooleanField(default=False, editable=False,
                                        help_text="Added to this meeting only, not through "
                                                  "the cadence.")
    # The reminder sweep's stamp (governance/reminders.py, "Settled meetings"): the state in
    # which it last found nothing left to send this participant, written in the transaction
    # that records their reminder rows. The meeting's SEQUENCE then, whether they could get
    # mail, and how many participants the meeting had (one taken off shows in the others'
    # count). Compared with the live state each sweep; anything else means "read it again".
    invited_sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)
    invited_mailable = models.BooleanField(null=True, blank=True, editable=False)
    invited_peers = models.PositiveIntegerField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["invited_sequence", "invited_mailable",
                                                 "invited_peers"])

    class Meta:
        ordering = ["meeting", "contact", "id"]
        constraints = [
            models.CheckConstraint(name="attendance_is_a_user_or_a_contact",
                                   condition=(Q(user__isnull=False, contact__isnull=True)
                                              | Q(user__isnull=True, contact__isnull=False))),
            models.UniqueConstraint("meeting", "user", condition=Q(user__isnull=False),
                                    name="one_attendance_per_meeting_user",
                                    violation_error_message="Already invited."),
            models.UniqueConstraint("meeting", "contact", condition=Q(contact__isnull=False),
                                    name="one_attendance_per_meeting_contact",
                                    violation_error_message="Already invited."),
        ]

    def __str__(self):
        return str(self.user or self.contact.name)

    @property
    def owner_side(self) -> str:
        """Which side answers for this row (vendors.access lets vendor users act on theirs)."""
        return Side.VENDOR if self.contact_id else Side.OURS

    @property
    def name(self) -> str:
        return str(self.user) if self.user_id else self.contact.name


class AgendaItem(Archivable, VendorScoped):
    """A point someone added to a meeting's agenda, beside the sections built from data."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.title


class Decision(Archivable, VendorScoped):
    """Something agreed in a meeting."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return self.text[:80]


class ActionItemQuerySet(ArchivableQuerySet):
    def open(self):
        return self.filter(status__in=ACTION_OPEN, archived_at__isnull=True)


class ActionItem(Archivable, DueItemStamps, VendorScoped):
    """Something one person agreed to do by a date: one of our people or a vendor contact.
    Open items come back on the next meeting's agenda until they are done or dropped."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="action_items")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="action_items", help_text="Raised in.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="action_items")
    owner_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="action_items")
    side = models.CharField(max_length=10, choices=OwnerSide.choices, editable=False,
                            help_text="Whose action: follows the owner.")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=ActionStatus.choices,
                              default=ActionStatus.OPEN)
    notes = models.TextField(blank=True, help_text="Progress so far.")
    completed_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)
    # The reminder sweep's stamps (governance/reminders.py, "Settled items") are
    # DueItemStamps' fields.
    history = HistoricalRecords(excluded_fields=list(DueItemStamps.FIELDS))

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(name="action_item_has_one_owner",
                                   condition=(Q(owner_user__isnull=False,
                                                owner_contact__isnull=True)
                                              | Q(owner_user__isnull=True,
                                                  owner_contact__isnull=False))),
        ]

    def __str__(self):
        return self.title

    @property
    def owner(self):
        return self.owner_user or self.owner_contact

    @property
    def owner_name(self) -> str:
        return str(self.owner_user) if self.owner_user_id else self.owner_contact.name

    @property
    def owner_side(self) -> str:
        return self.side

    @property
    def is_open(self) -> bool:
        return self.status in ACTION_OPEN

    @property
    def days_overdue(self) -> int:
        if not self.is_open:
            return 0
        return max((timezone.localdate() - self.due_on).days, 0)


class ImpedimentQuerySet(ArchivableQuerySet):
    def open(self):
        return self.filter(status__in=IMPEDIMENT_OPEN, archived_at__isnull=True)


class Impediment(Archivable, VendorScoped):
    """Something in the way of the relationship or its outcomes, raised by either side;
    trust issues are impediments of the 'relationship' kind. It climbs the escalation ladder
    step by step (`escalations`), and is flagged once unresolved for longer than the vendor's
    plan allows."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="impediments")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=15, choices=ImpedimentKind.choices,
                            default=ImpedimentKind.DELIVERY)
    severity = models.CharField(max_length=10, choices=Severity.choices,
                                default=Severity.MEDIUM)
    raised_by_side = models.CharField(max_length=10, choices=RaisedBy.choices, editable=False)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    raised_on = models.DateField(default=today, editable=False)
    responsible_side = models.CharField(max_length=10, choices=ResponsibleSide.choices,
                                        default=ResponsibleSide.VENDOR,
                                        help_text="Whose to fix; record it honestly when it "
                                                  "is ours.")
    owner_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="impediments")
    owner_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="impediments")
    status = models.CharField(max_length=12, choices=ImpedimentStatus.choices,
                              default=ImpedimentStatus.OPEN)
    escalation_level = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="The highest step of the ladder reached; 0 for "
                                             "none.")
    resolved_on = models.DateField(null=True, blank=True, editable=False)
    resolution = models.TextField(blank=True)
    # The reminder sweep's stamp (governance/reminders.py, "Settled items"): the step and the
    # day counted from (`since`) of the last escalation reminder recorded for it, written in
    # the transaction that records the row; compared with the live level and `since`.
    reminded_step = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    reminded_since = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["reminded_step", "reminded_since"])

    objects = ImpedimentQuerySet.as_manager()

    class Meta:
        ordering = ["raised_on", "id"]
        # The API list's default: unarchived impediments in this order (the page's ids are
        # read in order instead of sorting every impediment).
        indexes = [models.Index(fields=["raised_on", "id"], name="impediment_list_idx",
                                condition=Q(archived_at__isnull=True))]
        constraints = [
            models.CheckConstraint(name="impediment_has_at_most_one_owner",
                                   condition=Q(owner_user__isnull=True)
                                   | Q(owner_contact__isnull=True)),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("governance:impediment", args=[self.vendor.slug, self.pk])

    @property
    def owner_name(self) -> str:
        if self.owner_user_id:
            return str(self.owner_user)
        return self.owner_contact.name if self.owner_contact_id else ""

    @property
    def is_open(self) -> bool:
        return self.status in IMPEDIMENT_OPEN

    @property
    def age_days(self) -> int:
        end = self.resolved_on or timezone.localdate()
        return (end - self.raised_on).days

    @property
    def escalation_label(self) -> str:
        if not self.escalation_level:
            return "Not escalated"
        return EscalationStep(self.escalation_level).label

    @property
    def next_step(self) -> int | None:
        return self.escalation_level + 1 if self.escalation_level < 4 else None

    def flagged_for_escalation(self, escalate_after_days: int) -> bool:
        """Unresolved for longer than the plan allows, and still a step left to climb."""
        return (self.is_open and self.age_days > escalate_after_days
                and self.next_step is not None)


class ImpedimentUpdate(VendorScoped):
    """A dated note on an impediment's progress, from either side."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    impediment = models.ForeignKey(Impediment, on_delete=models.PROTECT, related_name="updates")
    text = models.TextField()
    side = models.CharField(max_length=10, choices=OwnerSide.choices, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:80]


class Escalation(VendorScoped):
    """One step up the ladder: when, by whom, to whom, what was asked, and the outcome."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    impediment = models.ForeignKey(Impediment, on_delete=models.PROTECT,
                                   related_name="escalations")
    level = models.PositiveSmallIntegerField(choices=EscalationStep.choices)
    escalated_on = models.DateField(default=today)
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="escalations_received",
                                help_text="Who on our side it went to.")
    to_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="escalations_received",
                                   help_text="Who at the vendor it went to.")
    note = models.TextField(help_text="What was raised and asked for.")
    outcome = models.TextField(blank=True)
    outcome_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["escalated_on", "level", "id"]
        constraints = [
            models.CheckConstraint(name="escalation_goes_to_someone",
                                   condition=Q(to_user__isnull=False)
                                   | Q(to_contact__isnull=False)),
        ]

    def __str__(self):
        return f"{self.get_level_display()} on {formats.date(self.escalated_on, padded=True)}"

    @property
    def recipients(self) -> str:
        names = [str(self.to_user) if self.to_user_id else "",
                 self.to_contact.name if self.to_contact_id else ""]
        return " and ".join(n for n in names if n)


class SuggestionQuerySet(ArchivableQuerySet):
    def unassessed(self):
        return self.filter(status__in=SUGGESTION_UNASSESSED, archived_at__isnull=True)


class Suggestion(Archivable, VendorScoped):
    """An innovation suggestion — the vendor's contractual duty, or our own idea — from
    submission through the decision to its realised outcome."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="suggestions")
    title = models.CharField(max_length=200)
    description = models.TextField()
    category = models.CharField(max_length=12, choices=SuggestionCategory.choices)
    source_side = models.CharField(max_length=10, choices=SuggestedBy.choices, editable=False,
                                   help_text="Who suggested it.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_on = models.DateField(default=today, editable=False)
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.EUR)
    estimated_value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text="Expected benefit a year.")
    estimated_effort_days = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0)], help_text="Person-days to implement.")
    status = models.CharField(max_length=16, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.SUBMITTED, editable=False)
    decision_rationale = models.TextField(blank=True, editable=False)
    decided_on = models.DateField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    implemented_on = models.DateField(null=True, blank=True, editable=False)
    realised_value = models.DecimalField(max_digits=14, decimal_places=2, null=True,
                                         blank=True, editable=False)
    lessons = models.TextField(blank=True, editable=False)
    outcome_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_on", "-id"]
        # The API list's default: unarchived suggestions in this order.
        indexes = [models.Index(fields=["-submitted_on", "-id"], name="suggestion_list_idx",
                                condition=Q(archived_at__isnull=True))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("governance:suggestion", args=[self.vendor.slug, self.pk])

    @property
    def owner_side(self) -> str:
        return self.source_side

    @property
    def is_assessed(self) -> bool:
        return self.status not in SUGGESTION_UNASSESSED

    @property
    def quarter(self) -> str:
        return recurrence.period_of(Tier.QUARTERLY, self.submitted_on)


class CalendarFeed(HashedSecret):
    """A personal, secret iCalendar address of one person's review meetings. Only the
    SHA-256 of its secret is kept (`vendorgov.tokens`); a new feed replaces (revokes) the
    previous one."""

    SCHEME = "vgcal"
    SECRET_BYTES = 24

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="calendar_feeds")
    created_at = models.DateTimeField(default=now, editable=False)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Calendar feed of {self.user} ({self.prefix}…)"

    @classmethod
    def findable(cls, now=None):
        """Feeds that still answer: not revoked, of a person who may still sign in."""
        return cls.objects.filter(revoked_at__isnull=True,
                                  user__is_active=True).select_related("user")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
