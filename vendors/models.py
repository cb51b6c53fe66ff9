import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from vendors.choices import (
    STAFFING_CHANGE_OPEN,
    AssignmentRole,
    ContactRole,
    Criticality,
    Currency,
    EscalationLevel,
    Side,
    StaffingChangeKind,
    StaffingChangeStatus,
    Tier,
    VendorStatus,
)


class ArchivableQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Archivable(models.Model):
    """Governance records are archived, never deleted (DESIGN.md, "Data")."""

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class VendorScoped(models.Model):
    """A record that belongs to one vendor (its `vendor` field); `vendors.access` scopes
    every query on it. Records further away name their path to the vendor in `vendor_path`."""

    vendor_path = "vendor"

    class Meta:
        abstract = True


class Vendor(Archivable):
    """An outsourced IT vendor and the relationship we keep with it."""

    vendor_path = "pk"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True,
                            help_text="Used in addresses; letters, digits and hyphens.")
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.TACTICAL)
    criticality = models.CharField(max_length=20, choices=Criticality.choices,
                                   default=Criticality.MEDIUM)
    status = models.CharField(max_length=20, choices=VendorStatus.choices,
                              default=VendorStatus.ONBOARDING)
    suggestion_quota_per_quarter = models.PositiveSmallIntegerField(
        default=0, help_text="Innovation suggestions the contract asks for each quarter.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="vendor_name_unique_ci",
                                    violation_error_message="A vendor with this name exists."),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("vendors:detail", args=[self.slug])


class Service(Archivable, VendorScoped):
    """A service the vendor delivers to us (e.g. 'Service desk', 'SAP application support')."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("vendor", Lower("name"), name="service_name_unique_per_vendor",
                                    violation_error_message="This vendor already has a service "
                                                            "with this name."),
        ]

    def __str__(self):
        return self.name


class Contract(Archivable, VendorScoped):
    """A contract with the vendor: its term, value and how early renewal must be decided."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(0)],
                                help_text="Total contract value.")
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.EUR)
    renewal_notice_days = models.PositiveSmallIntegerField(
        default=90, validators=[MaxValueValidator(3650)],
        help_text="Days before the end date by which renewal or exit must be notified.")
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-end_date"]
        constraints = [
            models.UniqueConstraint("vendor", Lower("reference"),
                                    name="contract_reference_unique_per_vendor",
                                    violation_error_message="This vendor already has a contract "
                                                            "with this reference."),
            models.CheckConstraint(name="contract_ends_after_it_starts",
                                   condition=Q(end_date__gte=F("start_date")),
                                   violation_error_message="The end date must not be before the "
                                                           "start date."),
        ]

    def __str__(self):
        return f"{self.reference} · {self.title}"

    @property
    def renewal_notice_date(self):
        return self.end_date - datetime.timedelta(days=self.renewal_notice_days)

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must not be before the start date."})


class Contact(Archivable, VendorScoped):
    """A person on the vendor's side, and where they sit on the escalation ladder."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=30, choices=ContactRole.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        choices=EscalationLevel.choices, null=True, blank=True,
        help_text="Where this person sits on the escalation ladder; empty if not on it.")
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = [F("escalation_level").asc(nulls_last=True), "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class VendorAssignment(VendorScoped):
    """One of our people assigned to a vendor relationship, and in which role.

    Assignments decide what internal users who do not see the whole portfolio may see."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="assignments")
    role = models.CharField(max_length=30, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "user__first_name"]
        constraints = [
            models.UniqueConstraint("vendor", "user", name="one_assignment_per_user_and_vendor",
                                    violation_error_message="This person is already assigned to "
                                                            "this vendor."),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} for {self.vendor}"


class GuidingPrinciple(Archivable, VendorScoped):
    """A principle of the relationship, agreed with the vendor. Revisions keep the old text
    (with who and when) in its history; `version` counts them."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT,
                               related_name="guiding_principles")
    title = models.CharField(max_length=160)
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title


class StaffMember(Archivable, VendorScoped):
    """A person on the vendor's team working on our account (the staffing roster)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120, help_text="e.g. 'Senior SAP consultant'.")
    email = models.EmailField(blank=True)
    allocation_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of a full-time person on our account.")
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = [F("ended_on").asc(nulls_first=True), "name"]

    def __str__(self):
        return f"{self.name} ({self.role})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "The end date must not be before the start date."})


class StaffingChangeQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=STAFFING_CHANGE_OPEN)


class StaffingChange(VendorScoped):
    """A request to add, remove or replace someone on the vendor's team, and its outcome.

    Unanswered requests from our side are an early warning sign (DESIGN.md)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="staffing_changes")
    kind = models.CharField(max_length=10, choices=StaffingChangeKind.choices)
    requested_by_side = models.CharField(max_length=10, choices=Side.choices)
    staff_member = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="changes",
        help_text="Who leaves or is replaced (for 'remove' and 'replace').")
    new_person_name = models.CharField(
        max_length=120, blank=True, help_text="Who joins (for 'add' and 'replace'), if known.")
    new_person_role = models.CharField(max_length=120, blank=True)
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=StaffingChangeStatus.choices,
                              default=StaffingChangeStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_on = models.DateField(default=timezone.localdate)
    needed_by = models.DateField(null=True, blank=True)
    resolved_on = models.DateField(null=True, blank=True, editable=False)
    resolution_note = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = StaffingChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_on", "-id"]

    def __str__(self):
        who = self.staff_member.name if self.staff_member else self.new_person_name
        return f"{self.get_kind_display()}: {who or 'new person'}"

    @property
    def is_open(self) -> bool:
        return self.status in STAFFING_CHANGE_OPEN

    @property
    def age_days(self) -> int:
        end = self.resolved_on or timezone.localdate()
        return (end - self.requested_on).days
