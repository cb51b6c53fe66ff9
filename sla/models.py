"""SLAs: versioned agreements on a contract, their service levels, the measurements that
come in, the evaluation of each closed window, and what follows a breach (corrective
actions, disputes).

Governance records are never deleted (the admin cannot, services never do; a draft's
service level is the one exception), so every foreign key protects what it points at.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from reminders.models import DueItemStamps
from sla import calendars, rules
from sla.choices import (
    CORRECTIVE_ACTION_OPEN,
    DURATION_UNITS,
    UNIT_SYMBOL,
    VERSIONS_IN_FORCE,
    Comparator,
    CorrectiveActionStatus,
    DisputeStatus,
    EvaluationStatus,
    ImportStatus,
    MeasurementSource,
    ResponsibleSide,
    ReviewOutcome,
    Unit,
    VersionStatus,
    Window,
)
from vendorgov import formats
from vendors.choices import Criticality
from vendors.models import Archivable, Contract, Vendor, VendorScoped

USER = settings.AUTH_USER_MODEL
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def _user_fk(related_name="+", **kwargs):
    return models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name=related_name, **kwargs)


class BusinessCalendar(Archivable, VendorScoped):
    """Working days, hours, time zone and holidays that duration metrics are measured in;
    kept per vendor, or per contract when a contract says otherwise."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="sla_calendars")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="sla_calendars",
                                 help_text="Leave empty when the calendar holds for every "
                                           "contract with this vendor.")
    name = models.CharField(max_length=120, help_text="e.g. 'UK business hours'.")
    time_zone = models.CharField(max_length=64, default="Europe/London",
                                 help_text="Where the working hours are kept, e.g. "
                                           "Europe/Dublin.")
    working_days = models.CharField(max_length=7, default="12345",
                                    help_text="ISO weekday numbers, Monday = 1.")
    day_starts = models.TimeField(default=datetime.time(8, 0))
    day_ends = models.TimeField(default=datetime.time(18, 0))
    holidays = models.TextField(blank=True,
                                help_text="One per line: 2026-12-25 Christmas Day.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def hours(self) -> calendars.Hours:
        return calendars.Hours(self.time_zone, calendars.parse_working_days(self.working_days),
                               self.day_starts, self.day_ends,
                               frozenset(calendars.parse_holidays(self.holidays)))

    @property
    def holiday_list(self) -> list[tuple[datetime.date, str]]:
        return sorted(calendars.parse_holidays(self.holidays).items())

    @property
    def summary(self) -> str:
        return calendars.describe(self.hours)

    def get_absolute_url(self):
        return reverse("sla:calendar", args=[self.vendor.slug, self.pk])

    def clean(self):
        errors = {}
        if self.time_zone and not calendars.is_time_zone(self.time_zone):
            errors["time_zone"] = f"'{self.time_zone}' is not a time zone; write it like " \
                                  "Europe/London or America/New_York."
        try:
            calendars.parse_working_days(self.working_days or "")
        except ValueError as error:
            errors["working_days"] = str(error)
        if self.day_starts and self.day_ends and self.day_ends <= self.day_starts:
            errors["day_ends"] = "The working day must end after it starts."
        try:
            calendars.parse_holidays(self.holidays or "")
        except ValueError as error:
            errors["holidays"] = str(error)
        if self.contract_id and self.vendor_id and self.contract.vendor_id != self.vendor_id:
            errors["contract"] = "This contract belongs to another vendor."
        if errors:
            raise ValidationError(errors)


class SLA(Archivable, VendorScoped):
    """A service level agreement on one of the vendor's contracts. Its terms live in
    versions (`SLAVersion`): one is in effect at a time, earlier ones stay readable. It is
    reviewed on a schedule; each review moves the review-due date."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="slas")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="slas")
    reference = models.CharField(max_length=60, help_text="e.g. 'MER-SLA-DC'.")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    owner = _user_fk(related_name="owned_slas",
                     help_text="Our person answerable for this SLA; new corrective actions "
                               "go to them first.")
    review_interval_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="How often the SLA is reviewed, in months.")
    review_due_on = models.DateField()
    retired_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "SLA"
        ordering = ["reference"]
        # The API list's default: unarchived SLAs in this order, ties by id
        # (vendorgov.api.pagination): read in order instead of sorting every SLA.
        indexes = [models.Index(fields=["reference", "id"], name="sla_list_idx",
                                condition=Q(archived_at__isnull=True))]
        constraints = [
            models.UniqueConstraint("vendor", Lower("reference"), name="sla_reference_unique",
                                    violation_error_message="This vendor already has an SLA "
                                                            "with this reference."),
        ]

    def __str__(self):
        return f"{self.reference} · {self.name}"

    def get_absolute_url(self):
        return reverse("sla:sla_detail", args=[self.vendor.slug, self.pk])

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None

    def review_overdue_days(self, today: datetime.date) -> int:
        return max((today - self.review_due_on).days, 0)

    def clean(self):
        if self.contract_id and self.vendor_id and self.contract.vendor_id != self.vendor_id:
            raise ValidationError({"contract": "This contract belongs to another vendor."})


class SLAVersion(models.Model):
    """One version of an SLA's terms: drafted, reviewed, then effective from the first day
    of a month until the next version supersedes it. Only drafts change."""

    vendor_path = "sla__vendor"

    sla = models.ForeignKey(SLA, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT)
    summary = models.TextField(blank=True, help_text="What changed and why.")
    effective_from = models.DateField(null=True, blank=True)
    effective_until = models.DateField(null=True, blank=True,
                                       help_text="Last day in effect; empty while current.")
    monthly_charge = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)],
        help_text="The month's charge that service credits are a percentage of.")
    credit_cap_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("10"), validators=PERCENT,
        help_text="Most a month's service credits may add up to, in % of the monthly charge.")
    earn_back_windows = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(24)],
        help_text="A credit is earned back when the service level is met in this many windows "
                  "in a row after the breach; 0 for no earn-back.")
    dispute_window_days = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days after an evaluation in which the vendor may dispute it.")
    drafted_by = _user_fk()
    reviewed_by = _user_fk()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    made_effective_by = _user_fk()
    made_effective_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "SLA version"
        ordering = ["sla", "-number"]
        constraints = [
            models.UniqueConstraint("sla", "number", name="sla_version_number_unique"),
            models.UniqueConstraint("sla", condition=Q(status=VersionStatus.EFFECTIVE),
                                    name="one_effective_version_per_sla"),
            models.UniqueConstraint("sla", condition=Q(status__in=[VersionStatus.DRAFT,
                                                                   VersionStatus.REVIEWED]),
                                    name="one_open_draft_per_sla",
                                    violation_error_message="This SLA already has a version "
                                                            "in draft."),
        ]

    def __str__(self):
        return f"{self.sla.reference} v{self.number}"

    def get_absolute_url(self):
        return (reverse("sla:sla_detail", args=[self.sla.vendor.slug, self.sla_id])
                + f"?version={self.number}")

    @property
    def is_editable(self) -> bool:
        return self.status in (VersionStatus.DRAFT, VersionStatus.REVIEWED)

    @property
    def in_force(self) -> bool:
        return self.status in VERSIONS_IN_FORCE

    def governs(self, window_end: datetime.date) -> bool:
        """Does this version govern the window that ends on `window_end`? (A window belongs
        to the version in effect on its last day.)"""
        return (self.in_force and self.effective_from is not None
                and self.effective_from <= window_end
                and (self.effective_until is None or window_end <= self.effective_until))


class ServiceLevel(models.Model):
    """One promise within an SLA version: what is measured and how, the target and breach
    threshold, the window, and the incentive and credit terms. `key` stays the same across
    versions so a service level's trend reads through them."""

    vendor_path = "version__sla__vendor"

    version = models.ForeignKey(SLAVersion, on_delete=models.PROTECT,
                                related_name="service_levels")
    key = models.SlugField(max_length=60,
                           help_text="Short identifier, kept across versions and used in CSV "
                                     "imports, e.g. 'p1-resolution'.")
    name = models.CharField(max_length=120)
    measured = models.TextField("What is measured and how",
                                help_text="The metric, its source and how it is calculated.")
    unit = models.CharField(max_length=10, choices=Unit.choices, default=Unit.PERCENT)
    comparator = models.CharField(max_length=3, choices=Comparator.choices,
                                  default=Comparator.GTE)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    breach_threshold = models.DecimalField(
        max_digits=14, decimal_places=4,
        help_text="Worse than this is a breach; between it and the target is 'at risk'.")
    window = models.CharField(max_length=10, choices=Window.choices, default=Window.MONTHLY)
    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="service_levels",
                                 help_text="For durations: the business hours they are "
                                           "measured in. Empty: around the clock (24x7).")
    weight = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Its share in the vendor's compliance rate.")
    criticality = models.CharField(max_length=20, choices=Criticality.choices,
                                   default=Criticality.MEDIUM)
    bonus_points = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(1000)],
        help_text="Points earned in a window that does better than the target.")
    credit_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT,
        help_text="Service credit for a breached window, in % of the monthly charge.")
    position = models.PositiveSmallIntegerField(default=0)
    # Windows up to this day have been evaluated (the evaluation task's cursor).
    evaluated_through = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["evaluated_through"])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint("version", "key", name="service_level_key_unique",
                                    violation_error_message="This version already has a "
                                                            "service level with this key."),
        ]

    def __str__(self):
        return self.name

    @property
    def terms(self) -> rules.Terms:
        return rules.Terms(self.comparator, self.target, self.breach_threshold, self.unit)

    @property
    def rule(self) -> str:
        return rules.rule_text(self.terms)

    @property
    def is_duration(self) -> bool:
        return self.unit in DURATION_UNITS

    @property
    def unit_symbol(self) -> str:
        return UNIT_SYMBOL.get(self.unit, "")

    def clean(self):
        errors = {}
        if self.target is not None and self.breach_threshold is not None:
            problem = rules.thresholds_problem(self.terms)
            if problem:
                errors["breach_threshold"] = problem
        if self.unit == Unit.PERCENT:
            for name in ("target", "breach_threshold"):
                value = getattr(self, name)
                if value is not None and not 0 <= value <= 100:
                    errors[name] = "A percentage lies between 0 and 100."
        if self.calendar_id and not self.is_duration:
            errors["calendar"] = "Only durations (hours, minutes, days) use business hours."
        if (self.calendar_id and self.version_id
                and self.calendar.vendor_id != self.version.sla.vendor_id):
            errors["calendar"] = "This calendar belongs to another vendor."
        if errors:
            raise ValidationError(errors)


class SLAReview(models.Model):
    """A scheduled review of an SLA, its notes and outcome; it moves the review-due date."""

    vendor_path = "sla__vendor"

    sla = models.ForeignKey(SLA, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewed_by = _user_fk()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    notes = models.TextField()
    next_review_due = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "SLA review"
        ordering = ["-reviewed_on", "-id"]

    def __str__(self):
        return f"Review of {self.sla.reference} on {formats.date(self.reviewed_on, padded=True)}"


class MeasurementImport(VendorScoped):
    """A CSV file of measurements from operations: previewed first, committed whole or not
    at all. Kept so every imported measurement can be traced to its file."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="sla_imports")
    filename = models.CharField(max_length=200)
    content = models.TextField()
    row_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.PREVIEWED)
    uploaded_by = _user_fk()
    uploaded_at = models.DateTimeField(default=timezone.now)
    committed_by = _user_fk()
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.row_count} rows)"


class Measurement(VendorScoped):
    """A value for one service level and window, with where it came from. Measurements are
    never changed: a correction is a newer measurement for the same window, and the newest
    one counts. (So they carry who and when themselves and need no change history.)

    The one exception is `needs_evaluation`, bookkeeping rather than data: it is set in the
    transaction that stores the measurement (the column's database default, so a COPY sets
    it too) and cleared only by the evaluation that read this very row. A late value is
    therefore evaluated by the next run however long the worker was away, and a value that
    arrives while an evaluation runs is a new row that evaluation never clears."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="sla_measurements")
    service_level = models.ForeignKey(ServiceLevel, on_delete=models.PROTECT,
                                      related_name="measurements")
    window_start = models.DateField()
    window_end = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=4, choices=MeasurementSource.choices)
    submitted_by = _user_fk()
    submitted_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    external_id = models.CharField(max_length=100, blank=True,
                                   help_text="The sender's id; resubmitting it changes nothing.")
    csv_import = models.ForeignKey(MeasurementImport, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="measurements")
    needs_evaluation = models.BooleanField(default=True, db_default=True, editable=False)

    class Meta:
        ordering = ["-window_start", "-id"]
        constraints = [
            models.UniqueConstraint("vendor", "external_id", condition=~Q(external_id=""),
                                    name="measurement_external_id_unique_per_vendor"),
        ]
        indexes = [models.Index(fields=["service_level", "window_start"],
                                name="measurement_window_idx"),
                   # The evaluation's work list: small, whatever the history.
                   models.Index(fields=["service_level", "window_start"],
                                condition=Q(needs_evaluation=True),
                                name="measurement_pending_idx"),
                   # The API list's default order, for everyone and for one vendor: a page
                   # of 100 read from the index instead of sorting every row.
                   models.Index(fields=["-window_start", "-id"], name="measurement_list_idx"),
                   models.Index(fields=["vendor", "-window_start", "-id"],
                                name="measurement_vendor_list_idx")]

    def __str__(self):
        return f"{self.service_level} · {self.window_start}: {self.value}"


class CorrectiveAction(DueItemStamps, VendorScoped):
    """What is done about a breach: opened automatically, worked on by its owner, verified
    (or rejected) by us. Breaches in consecutive windows join the open action."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT,
                               related_name="corrective_actions")
    sla = models.ForeignKey(SLA, on_delete=models.PROTECT, related_name="corrective_actions")
    title = models.CharField(max_length=200)
    description = models.TextField()
    root_cause = models.TextField(blank=True)
    side_responsible = models.CharField(
        max_length=10, choices=ResponsibleSide.choices, blank=True,
        help_text="Who caused the breach; our side may be at fault too. Empty until known.")
    owner = _user_fk(related_name="sla_corrective_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=CorrectiveActionStatus.choices,
                              default=CorrectiveActionStatus.OPEN)
    progress_note = models.TextField(blank=True)
    verification_note = models.TextField(blank=True)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    # The reminder sweep's stamps (sla/reminders.py, "Settled corrective actions") are
    # DueItemStamps' fields.
    history = HistoricalRecords(excluded_fields=list(DueItemStamps.FIELDS))

    class Meta:
        ordering = ["-opened_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sla:corrective_action", args=[self.vendor.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in CORRECTIVE_ACTION_OPEN

    @property
    def owner_side(self) -> str:
        """Which side owns it, for `vendors.access`: a vendor user reports progress only on
        actions owned by their side."""
        return "vendor" if self.owner is not None and self.owner.vendor_id else "ours"

    def age_days(self, today: datetime.date) -> int:
        return ((self.closed_on or today) - self.opened_on).days

    def overdue_days(self, today: datetime.date) -> int:
        if not self.is_open or self.status == CorrectiveActionStatus.DONE:
            return 0
        return max((today - self.due_on).days, 0)


class Evaluation(VendorScoped):
    """The verdict on one closed window of one service level: met, at risk, breached or no
    data, from the newest measurement. Re-evaluated when newer data arrives."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="sla_evaluations")
    sla = models.ForeignKey(SLA, on_delete=models.PROTECT, related_name="evaluations")
    service_level = models.ForeignKey(ServiceLevel, on_delete=models.PROTECT,
                                      related_name="evaluations")
    window_start = models.DateField()
    window_end = models.DateField()
    status = models.CharField(max_length=10, choices=EvaluationStatus.choices)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    measurement = models.ForeignKey(Measurement, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    excused = models.BooleanField(default=False,
                                  help_text="A dispute was accepted: counts as met.")
    evaluated_at = models.DateTimeField(default=timezone.now)
    # When the window was evaluated the first time: the vendor's time for late values runs
    # from here, so neither a resubmission nor our correction reopens it.
    first_evaluated_at = models.DateTimeField(default=timezone.now, editable=False)
    corrective_action = models.ForeignKey(CorrectiveAction, null=True, blank=True,
                                          on_delete=models.SET_NULL,
                                          related_name="evaluations")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-window_start", "service_level__position"]
        constraints = [
            models.UniqueConstraint("service_level", "window_start",
                                    name="one_evaluation_per_window"),
        ]
        indexes = [models.Index(fields=["vendor", "window_end"], name="evaluation_vendor_end"),
                   # The hourly scorecard derivation reads what was evaluated since its
                   # last run (sla.selectors.windows_evaluated_since).
                   models.Index(fields=["evaluated_at"], name="evaluation_evaluated_at_idx"),
                   # The API list's default order (-window_start, the service level's
                   # position, id): read in window order and only each window's few rows
                   # sorted, instead of every evaluation (1 M rows: 130-300 ms a page).
                   models.Index(fields=["-window_start"], name="evaluation_list_idx"),
                   models.Index(fields=["vendor", "-window_start"],
                                name="evaluation_vendor_list_idx"),
                   # Closed windows without data (homes, SLA portfolio, reminders): a few
                   # rows, found without reading each vendor's whole history.
                   models.Index(fields=["vendor", "window_end"],
                                condition=Q(status="no_data", excused=False),
                                name="evaluation_missing_data")]

    def __str__(self):
        return f"{self.service_level} · {self.label}"

    def get_absolute_url(self):
        return reverse("sla:evaluation", args=[self.vendor.slug, self.pk])

    @property
    def label(self) -> str:
        return rules.window_label(self.service_level.window, self.window_start)

    @property
    def explanation(self) -> str:
        return rules.explain(self.value, self.service_level.terms)

    @property
    def counts_as_met(self) -> bool:
        return self.status == EvaluationStatus.MET or self.excused

    def dispute_deadline(self) -> datetime.date:
        days = self.service_level.version.dispute_window_days
        return timezone.localtime(self.evaluated_at).date() + datetime.timedelta(days=days)

    def restatement_deadline(self) -> datetime.date:
        """The last day a vendor's new value for this window counts by itself; after it only
        our decision changes the window (`sla.services` has the policy)."""
        return restatement_deadline(self.first_evaluated_at,
                                    self.service_level.version.dispute_window_days)


def restatement_deadline(first_evaluated_at, dispute_window_days: int) -> datetime.date:
    return (timezone.localtime(first_evaluated_at).date()
            + datetime.timedelta(days=dispute_window_days))


class Dispute(VendorScoped):
    """The vendor contests an evaluation; we accept or reject it. Both stay in history."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="sla_disputes")
    evaluation = models.OneToOneField(Evaluation, on_delete=models.PROTECT,
                                      related_name="dispute")
    reason = models.TextField()
    raised_by = _user_fk()
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices,
                              default=DisputeStatus.OPEN)
    decision_note = models.TextField(blank=True)
    corrected_value = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True,
        help_text="When accepting: the right value, if the measurement was wrong. Leave "
                  "empty to excuse the window instead (it then counts as met).")
    decided_by = _user_fk()
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self):
        return f"Dispute of {self.evaluation}"

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN


__all__ = ["BusinessCalendar", "CorrectiveAction", "Dispute", "Evaluation", "Measurement",
           "MeasurementImport", "MeasurementSource", "SLA", "SLAReview", "SLAVersion",
           "ServiceLevel"]


class MonthlyCompliance(VendorScoped):
    """A vendor's SLA compliance in one month, stored: the weighted sums the portfolio pages
    read (the SLA portfolio, the homes' trend and status, the vendor 360, the review pack)
    instead of aggregating every evaluation of every vendor on each view.

    Derived data, never edited: `sla.compliance.compliance_refresh` writes it from the
    evaluations (`sla.selectors.live_compliance_by_month`) in the same transaction as every
    write that changes them (a window evaluated or re-evaluated, a dispute excusing one),
    under a lock on this row, so it is never stale. The month is that of the windows' last
    day. `python manage.py recompliance` rebuilds every row (`--check` compares)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day
    # Sums of the service levels' weights over the windows with data, and over those that
    # count as met (met, at risk, or an excused breach): the rate is their ratio.
    weight = models.PositiveIntegerField(default=0)
    ok_weight = models.PositiveIntegerField(default=0)
    windows = models.PositiveIntegerField(default=0)  # 0: no window (any more): not shown
    breached = models.PositiveIntegerField(default=0)  # not excused
    no_data = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "month"],
                                               name="monthly_compliance_unique")]
        # The portfolio-wide trend reads a range of months for every visible vendor: from
        # the index alone on PostgreSQL (its sums are included).
        indexes = [models.Index(fields=["month", "vendor"],
                                include=["weight", "ok_weight", "windows"],
                                name="monthly_compliance_month")]

    def __str__(self):
        return f"{self.vendor_id} {self.month:%Y-%m}: {self.ok_weight}/{self.weight}"

    @property
    def rate(self) -> float | None:
        return round(100 * self.ok_weight / self.weight, 1) if self.weight else None
