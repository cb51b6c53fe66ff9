"""Health checks: once or twice a year the relationship itself is reviewed.

A vendor's `HealthCheckPlan` says how often (6–12 months) and when the next check is due.
A `Cycle` moves planned → collecting input → internal assessment → review with vendor →
closed, each move kept as a `Transition`. While collecting, `Invitation`s (personal links,
stored hashed) collect `Answer`s to the cycle's `Question`s, frozen from a versioned
`QuestionnaireTemplate` and the vendor's guiding principles when collection opens. The
internal assessment records `Finding`s; the review agrees actions (governance action
items, linked by `CycleAction`) and `PrincipleRevision`s.

Every record carries its `vendor` directly, so `vendors.access` scopes it in one filter;
records of other apps are named as strings (governance meetings and action items, vendor
principles), so this module imports no other feature app.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from healthchecks.choices import (
    CYCLE_OPEN,
    Concerns,
    CycleStatus,
    Dimension,
    FindingSeverity,
    Group,
    RevisionKind,
    RevisionStatus,
)
from vendorgov.tokens import HashedSecret
from vendors.models import Archivable, Vendor, VendorScoped

MIN_INTERVAL, MAX_INTERVAL = 6, 12
MIN_RESPONDENTS = 3  # fewer answers in a group: no figure or comment of that group is shown


def now():
    return timezone.now()


def today():
    return timezone.localdate()


def add_months(day, months: int):
    """`day` moved by whole months, kept inside the target month (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


class HealthCheckPlan(VendorScoped):
    """How often a vendor's relationship is health-checked, and when the next one is due."""

    vendor = models.OneToOneField(Vendor, on_delete=models.PROTECT,
                                  related_name="health_check_plan")
    interval_months = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_INTERVAL), MaxValueValidator(MAX_INTERVAL)],
        help_text="Between 6 and 12 months.")
    next_due = models.DateField(help_text="When the next health check opens.")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="health_interval_6_to_12_months",
                condition=Q(interval_months__gte=MIN_INTERVAL, interval_months__lte=MAX_INTERVAL),
                violation_error_message="Choose an interval between 6 and 12 months."),
        ]

    def __str__(self):
        return f"Health checks of {self.vendor} every {self.interval_months} months"

    @property
    def is_overdue(self) -> bool:
        return self.next_due < timezone.localdate()


class QuestionnaireTemplate(Archivable):
    """A questionnaire kept by vendor managers; each edit is a new `TemplateVersion`."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("healthchecks:template", args=[self.pk])

    @property
    def current(self) -> "TemplateVersion | None":
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """One version of a template's questions: [{"dimension": …, "text": …}, …]. Never
    changed once written, so a cycle that used it keeps it."""

    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.PROTECT,
                                 related_name="versions")
    number = models.PositiveIntegerField()
    questions = models.JSONField(default=list)
    created_at = models.DateTimeField(default=now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True, help_text="What changed.")

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint("template", "number",
                                               name="one_template_version_number")]

    def __str__(self):
        return f"{self.template} v{self.number}"


class CycleQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=CYCLE_OPEN)


class Cycle(VendorScoped):
    """One health check of a vendor's relationship."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="health_checks")
    due_on = models.DateField(help_text="The day the plan made it due.")
    status = models.CharField(max_length=12, choices=CycleStatus.choices,
                              default=CycleStatus.PLANNED)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="health_checks",
                                 help_text="The vendor manager who runs it.")
    template_version = models.ForeignKey(TemplateVersion, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="cycles")
    collection_ends_on = models.DateField(null=True, blank=True,
                                          help_text="Survey links work until this day.")
    shared_with_vendor = models.BooleanField(
        default=False, help_text="Results and findings visible to the vendor's people.")
    review_meeting = models.ForeignKey("governance.Meeting", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(null=True, blank=True, editable=False)
    close_reason = models.TextField(blank=True)
    closed_without_responses = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)
    history = HistoricalRecords()

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            # The periodic task opens a due cycle once, however often it runs.
            models.UniqueConstraint("vendor", "due_on", name="one_health_check_per_due_day",
                                    violation_error_message="This vendor already has a "
                                                            "health check due that day."),
            models.UniqueConstraint("vendor", condition=Q(status__in=CYCLE_OPEN),
                                    name="one_open_health_check_per_vendor",
                                    violation_error_message="This vendor already has a "
                                                            "health check under way."),
        ]

    def __str__(self):
        return f"Health check {self.due_on:%b %Y}"

    def get_absolute_url(self):
        return reverse("healthchecks:cycle", args=[self.vendor.slug, self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in CYCLE_OPEN

    @property
    def is_collecting(self) -> bool:
        return self.status == CycleStatus.COLLECTING

    @property
    def links_work(self) -> bool:
        return self.is_collecting and (self.collection_ends_on is None
                                       or self.collection_ends_on >= timezone.localdate())


class Transition(VendorScoped):
    """A move of a cycle from one step to another: who, when, and why when it skipped."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=CycleStatus.choices)
    to_status = models.CharField(max_length=12, choices=CycleStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=now)
    reason = models.TextField(blank=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Question(VendorScoped):
    """A question of one cycle, frozen when collection opened."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    text = models.CharField(max_length=400)
    principle = models.ForeignKey("vendors.GuidingPrinciple", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint("cycle", "position",
                                               name="one_question_per_position")]

    def __str__(self):
        return self.text


class Invitation(HashedSecret, VendorScoped):
    """A respondent asked for input, with the personal link (stored hashed) that opens their
    survey, and only theirs, until collection ends, they submit, or it is revoked."""

    SCHEME = "vghc"

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="invitations")
    group = models.CharField(max_length=10, choices=Group.choices)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey("vendors.Contact", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=now, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    nudged_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The link's digest and lookup never go into history (the raw link is never stored).
    history = HistoricalRecords(excluded_fields=["prefix", "key_hash"])

    class Meta:
        ordering = ["group", "name", "email"]
        constraints = [
            models.UniqueConstraint("cycle", Lower("email"), name="one_invitation_per_email",
                                    violation_error_message="This person is already invited "
                                                            "to this health check."),
        ]

    def __str__(self):
        return f"{self.name or self.email} ({self.get_group_display()})"

    @property
    def state(self) -> str:
        if self.submitted_at:
            return "submitted"
        if self.revoked_at:
            return "revoked"
        if not self.cycle.links_work:
            return "expired"
        return "started" if self.started_at else "invited"


class Answer(VendorScoped):
    """One respondent's answer to one question: 1–5, or None for "don't know"."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (very poor) to 5 (very good); empty for don't know.")
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("invitation", "question", name="one_answer_per_question"),
            models.CheckConstraint(name="answer_score_1_to_5",
                                   condition=Q(score__isnull=True)
                                   | Q(score__gte=1, score__lte=5)),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.score or 'don’t know'}"


class Finding(Archivable, VendorScoped):
    """What the internal assessment concluded, and whose side it concerns."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="findings")
    dimension = models.CharField(max_length=20, choices=Dimension.choices, blank=True)
    text = models.TextField()
    severity = models.CharField(max_length=10, choices=FindingSeverity.choices,
                                default=FindingSeverity.MEDIUM)
    concerns = models.CharField(max_length=10, choices=Concerns.choices,
                                default=Concerns.SHARED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["severity", "id"]

    def __str__(self):
        return self.text[:80]


class CycleAction(VendorScoped):
    """An action agreed in a health check: a governance action item, linked to its cycle
    (and to the finding it answers)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="actions")
    finding = models.ForeignKey(Finding, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="actions")
    action_item = models.OneToOneField("governance.ActionItem", on_delete=models.PROTECT,
                                       related_name="+")

    def __str__(self):
        return f"Action agreed in {self.cycle}"


class PrincipleRevision(VendorScoped):
    """A change to the guiding principles proposed in a review; accepting it writes the new
    version through `vendors.services` and links the principle here."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="revisions")
    kind = models.CharField(max_length=10, choices=RevisionKind.choices)
    principle = models.ForeignKey("vendors.GuidingPrinciple", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+",
                                  help_text="The principle reworded, retired, or created.")
    title = models.CharField(max_length=160, blank=True)
    text = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=RevisionStatus.choices,
                              default=RevisionStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title or self.principle}"


def default_collection_end():
    return timezone.localdate() + timedelta(days=21)
