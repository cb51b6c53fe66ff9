"""Balanced scorecards: reusable templates, each vendor's own scorecard, its periods and the
actuals reported for them (with evidence, approvals and disputes).

Templates and vendor scorecards share their fields (`PerspectiveFields`, `ObjectiveFields`,
`MeasureFields`) but not their rows: applying a template copies it, so a vendor's scorecard
can diverge without touching the template. Scoring lives in `scorecards.scoring`.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from scorecards import scoring
from scorecards.choices import (
    ActualSource,
    ActualStatus,
    DataSource,
    Direction,
    DisputeStatus,
    Frequency,
    PeriodType,
)
from vendors.choices import Side
from vendors.models import Archivable, Vendor, VendorScoped

VALUE_DIGITS = {"max_digits": 14, "decimal_places": 4}
WEIGHT = {"max_digits": 6, "decimal_places": 2, "default": Decimal(1),
          "validators": [MinValueValidator(0)],
          "help_text": "Relative weight in its group; normalised, so weights need not add up "
                       "to 100. Zero: shown but not counted."}


def _local_date(moment):
    return timezone.localdate(moment) if moment else None


# -- shared fields ---------------------------------------------------------------------------


class PerspectiveFields(models.Model):
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    weight = models.DecimalField(**WEIGHT)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class ObjectiveFields(PerspectiveFields):
    class Meta:
        abstract = True
        ordering = ["position", "id"]


class MeasureFields(models.Model):
    name = models.CharField(max_length=160)
    definition = models.TextField(help_text="What is counted, how, and from which source.")
    unit = models.CharField(max_length=20, blank=True, help_text="e.g. %, h, EUR k, score.")
    direction = models.CharField(max_length=10, choices=Direction.choices,
                                 default=Direction.HIGHER)
    target = models.DecimalField(**VALUE_DIGITS)
    amber_threshold = models.DecimalField(
        **VALUE_DIGITS, help_text="Values worse than this turn amber.")
    red_threshold = models.DecimalField(
        **VALUE_DIGITS, help_text="Values worse than this turn red.")
    min_value = models.DecimalField(
        **VALUE_DIGITS, null=True, blank=True, verbose_name="lowest possible value",
        help_text="Optional; e.g. 0 for a percentage. Actuals outside the range are refused.")
    max_value = models.DecimalField(
        **VALUE_DIGITS, null=True, blank=True, verbose_name="highest possible value",
        help_text="Optional; e.g. 100 for a percentage.")
    weight = models.DecimalField(**WEIGHT)
    owner = models.CharField(max_length=120, blank=True,
                             help_text="Who answers for this measure, e.g. 'Operations lead'.")
    data_source = models.CharField(max_length=10, choices=DataSource.choices,
                                   default=DataSource.VENDOR)
    frequency = models.CharField(max_length=12, choices=Frequency.choices,
                                 default=Frequency.QUARTERLY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    @property
    def rule(self) -> scoring.Rule:
        return scoring.Rule(self.direction, self.target, self.amber_threshold,
                            self.red_threshold)

    def clean(self):
        errors = scoring.threshold_errors(self.direction, self.target, self.amber_threshold,
                                          self.red_threshold)
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and low >= high:
            errors["max_value"] = "The highest possible value must be above the lowest."
        for name in ("target", "amber_threshold", "red_threshold"):
            value = getattr(self, name)
            if value is None or name in errors:
                continue
            if (low is not None and value < low) or (high is not None and value > high):
                errors[name] = f"Must lie within the possible range ({self.range_text})."
        if errors:
            raise ValidationError(errors)

    @property
    def range_text(self) -> str:
        low = "" if self.min_value is None else f"{self.min_value.normalize():f}"
        high = "" if self.max_value is None else f"{self.max_value.normalize():f}"
        if low and high:
            return f"{low} to {high}"
        return f"at least {low}" if low else (f"at most {high}" if high else "any value")


# -- templates -------------------------------------------------------------------------------


class ScorecardTemplate(Archivable):
    """A reusable scorecard: perspectives, objectives and measures with their targets.
    Applying it to a vendor copies it into that vendor's own scorecard."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    period_type = models.CharField(max_length=10, choices=PeriodType.choices,
                                   default=PeriodType.QUARTERLY)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="scorecard_template_name_unique_ci",
                                    violation_error_message="A template with this name "
                                                            "exists."),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("scorecards:template_detail", args=[self.pk])


class TemplatePerspective(Archivable, PerspectiveFields):
    """A perspective of a template (e.g. 'Financial / value')."""

    template = models.ForeignKey(ScorecardTemplate, on_delete=models.PROTECT,
                                 related_name="perspectives")
    history = HistoricalRecords()

    class Meta(PerspectiveFields.Meta):
        pass


class TemplateObjective(Archivable, ObjectiveFields):
    """An objective under a template's perspective."""

    perspective = models.ForeignKey(TemplatePerspective, on_delete=models.PROTECT,
                                    related_name="objectives")
    history = HistoricalRecords()

    class Meta(ObjectiveFields.Meta):
        pass


class TemplateMeasure(Archivable, MeasureFields):
    """A measure of a template's objective, with its target and thresholds.

    A template is shared by vendors while a service level belongs to one vendor's SLA, so
    template measures are never fed from an SLA: that link is made on the vendor's own
    scorecard, after the template is applied."""

    objective = models.ForeignKey(TemplateObjective, on_delete=models.PROTECT,
                                  related_name="measures")
    history = HistoricalRecords()

    class Meta(MeasureFields.Meta):
        pass

    def clean(self):
        super().clean()
        if self.data_source == DataSource.SLA:
            raise ValidationError({"data_source": "A template is shared by vendors, and a "
                                                  "service level belongs to one vendor's SLA: "
                                                  "choose how it is entered here, and link the "
                                                  "service level on the vendor's scorecard."})


# -- a vendor's scorecard --------------------------------------------------------------------


class Scorecard(Archivable, VendorScoped):
    """A vendor's balanced scorecard (one per vendor), usually made from a template."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="scorecards")
    template = models.ForeignKey(ScorecardTemplate, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="scorecards",
                                 help_text="The template it was made from, if any.")
    name = models.CharField(max_length=120)
    period_type = models.CharField(max_length=10, choices=PeriodType.choices,
                                   default=PeriodType.QUARTERLY)
    starts_on = models.DateField(help_text="The first period is the one holding this day.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint("vendor", name="one_scorecard_per_vendor",
                                    violation_error_message="This vendor already has a "
                                                            "scorecard."),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("scorecards:vendor", args=[self.vendor.slug])


def _check_same_vendor(part, parent: str) -> None:
    """A part of a vendor's scorecard sits under a `parent` of the same vendor."""
    if (getattr(part, f"{parent}_id") and part.vendor_id
            and part.vendor_id != getattr(part, parent).vendor_id):
        raise ValidationError({parent: f"This {parent} belongs to another vendor."})


class InPeriodMixin:
    """Structure that was retired keeps its history: it counts in the periods that ended
    before it was retired, and not after."""

    def counts_in(self, period) -> bool:
        retired = _local_date(self.archived_at)
        return retired is None or retired > period.ends_on


class Perspective(InPeriodMixin, Archivable, VendorScoped, PerspectiveFields):
    """One of the scorecard's perspectives (e.g. 'Customer / service quality')."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT,
                                  related_name="perspectives")
    history = HistoricalRecords()

    class Meta(PerspectiveFields.Meta):
        pass

    def clean(self):
        _check_same_vendor(self, "scorecard")


class Objective(InPeriodMixin, Archivable, VendorScoped, ObjectiveFields):
    """An objective under a perspective of a vendor's scorecard."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    perspective = models.ForeignKey(Perspective, on_delete=models.PROTECT,
                                    related_name="objectives")
    history = HistoricalRecords()

    class Meta(ObjectiveFields.Meta):
        pass

    def clean(self):
        _check_same_vendor(self, "perspective")


class Measure(InPeriodMixin, Archivable, VendorScoped, MeasureFields):
    """A measure of a vendor's scorecard. Retiring it keeps its actuals and history; it
    takes no new actuals and leaves the scores of later periods.

    Fed from an SLA (`data_source` "sla"), it links one of the vendor's service levels and
    its actuals are derived from that service level's evaluated windows
    (`services.actuals_derive_from_sla`). The link survives supersession: a new SLA version
    copies its service levels under the same `key`, and each window is read with the
    service level of the version that governed it (same SLA, same key). So the link is made
    once, to the service level as it is today, and periods before and after a new version
    both find their windows; a key the newer version dropped simply has no windows there."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT,
                               related_name="scorecard_measures")
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="measures")
    active_from = models.DateField(
        default=timezone.localdate,
        help_text="Counts from the period holding this day; earlier periods leave it out.")
    template_measure = models.ForeignKey(TemplateMeasure, null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+",
                                         editable=False)
    service_level = models.ForeignKey(
        "sla.ServiceLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="SLA service level",
        help_text="For measures fed from an SLA: the service level whose evaluated windows "
                  "give the actual. Later versions of the SLA are followed by the service "
                  "level's key.")
    history = HistoricalRecords()
    # The service level it is fed from, for pages (`scorecards.selectors.attach_feeds`).
    feed = None

    class Meta(MeasureFields.Meta):
        pass

    def get_absolute_url(self):
        return reverse("scorecards:measure", args=[self.vendor.slug, self.pk])

    def clean(self):
        super().clean()
        _check_same_vendor(self, "objective")
        # The SLA link is checked by `selectors.sla_link_errors`, which reads the sla app:
        # services and the measure form run it with this validation.

    def counts_in(self, period) -> bool:
        return self.active_from <= period.ends_on and super().counts_in(period)


class Period(VendorScoped):
    """A reporting period of a scorecard ('2026-Q3', '2026-07'). Locked once its quarterly
    review is held: after that, changes need a reason and stay in the history."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="periods")
    label = models.CharField(max_length=10)
    starts_on = models.DateField()
    ends_on = models.DateField()
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+", editable=False)
    lock_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint("scorecard", "label", name="one_period_per_label",
                                    violation_error_message="This period exists."),
        ]

    def __str__(self):
        return self.label

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def has_started(self) -> bool:
        return self.starts_on <= timezone.localdate()

    @property
    def has_ended(self) -> bool:
        return self.ends_on < timezone.localdate()


class Actual(VendorScoped):
    """The result of one measure in one period, with its evidence and who reported it.

    The vendor's reported value and our own measurement can both be recorded; the score
    uses ours when there is one ("measured, not self-reported"). The rule (target and
    thresholds) is copied from the measure while the period is open and frozen once it is
    locked, so a later change of target does not re-colour the past."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="actuals")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="actuals")
    vendor_value = models.DecimalField(**VALUE_DIGITS, null=True, blank=True,
                                       verbose_name="value reported by the vendor")
    internal_value = models.DecimalField(**VALUE_DIGITS, null=True, blank=True,
                                         verbose_name="value we measured")
    comment = models.TextField(blank=True)
    evidence_url = models.URLField(blank=True, max_length=500, verbose_name="evidence link")
    evidence_file = models.FileField(upload_to="scorecards/evidence/%Y/%m/", blank=True,
                                     max_length=255)
    status = models.CharField(max_length=10, choices=ActualStatus.choices,
                              default=ActualStatus.DRAFT)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reported_side = models.CharField(max_length=10, choices=Side.choices)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    sent_back_reason = models.TextField(blank=True)
    source = models.CharField(
        max_length=10, choices=ActualSource.choices, default=ActualSource.ENTERED,
        help_text="Entered by people, or derived from the SLA service level the measure is "
                  "fed from (then it changes only when the SLA's evaluations do).")
    # The rule in force for this value (see the docstring).
    direction = models.CharField(max_length=10, choices=Direction.choices)
    target = models.DecimalField(**VALUE_DIGITS)
    amber_threshold = models.DecimalField(**VALUE_DIGITS)
    red_threshold = models.DecimalField(**VALUE_DIGITS)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # A locked period never changes under its reviewers: when the SLA evaluations behind a
    # derived actual change after the lock, the new figure is kept here, beside the
    # reviewed one, for the next review to see ("restated after lock").
    restated_after_lock_at = models.DateTimeField(null=True, blank=True, editable=False)
    restated_value = models.DecimalField(**VALUE_DIGITS, null=True, blank=True,
                                         editable=False)
    restated_comment = models.TextField(blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["period__starts_on", "measure__position", "id"]
        constraints = [
            models.UniqueConstraint("measure", "period", name="one_actual_per_measure_and_period",
                                    violation_error_message="This measure already has an "
                                                            "actual for this period."),
        ]

    def __str__(self):
        return f"{self.measure} · {self.period}"

    @property
    def value(self) -> Decimal | None:
        """The value that is scored: ours when we measured it, else the vendor's (but never
        the vendor's in place of a value derived from the SLA)."""
        if self.internal_value is not None or self.source == ActualSource.SLA:
            return self.internal_value
        return self.vendor_value

    @property
    def difference(self) -> Decimal | None:
        """Vendor-reported minus measured, when both exist."""
        if self.vendor_value is None or self.internal_value is None:
            return None
        return self.vendor_value - self.internal_value

    @property
    def rule(self) -> scoring.Rule:
        return scoring.Rule(self.direction, self.target, self.amber_threshold,
                            self.red_threshold)

    @property
    def counts(self) -> bool:
        return self.status != ActualStatus.DRAFT and self.value is not None

    @property
    def rag(self) -> scoring.Status:
        return scoring.measure_status(self.value, self.rule)

    @property
    def score(self):
        return scoring.measure_score(self.value, self.rule)

    @property
    def vendor_rag(self) -> scoring.Status:
        return scoring.measure_status(self.vendor_value, self.rule)

    @property
    def self_reported_better(self) -> bool:
        """The vendor's own figure reads better than what we measured (a warning sign)."""
        if self.difference is None or self.difference == 0:
            return False
        return self.rule.at_least_as_good(self.vendor_value, self.internal_value)

    @property
    def reported_better_than_measured(self) -> bool:
        """Self-reported better than measured, by a status (`scoring`'s rule)."""
        return scoring.reported_better_than_measured(self.vendor_value, self.internal_value,
                                                     self.rule)

    @property
    def may_be_disputed(self) -> bool:
        if self.is_derived:
            return False  # disputed where it comes from: the SLA evaluation of the window
        return self.internal_value is not None or self.status == ActualStatus.APPROVED

    @property
    def is_derived(self) -> bool:
        return self.source == ActualSource.SLA

    @property
    def restated_after_lock(self) -> bool:
        """The SLA figure behind this locked actual changed after the lock (not applied)."""
        return self.restated_after_lock_at is not None


class Dispute(VendorScoped):
    """The vendor disputes a value we entered, or an approval; kept with its resolution and
    shown in the quarterly review."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    actual = models.ForeignKey(Actual, on_delete=models.PROTECT, related_name="disputes")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=DisputeStatus.choices,
                              default=DisputeStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now, editable=False)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint("actual", condition=Q(status=DisputeStatus.OPEN),
                                    name="one_open_dispute_per_actual",
                                    violation_error_message="This actual already has an open "
                                                            "dispute."),
        ]

    def __str__(self):
        return f"Dispute on {self.actual}"

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN


def period_bounds(period_type: str, day: datetime.date) -> tuple[str, datetime.date,
                                                                 datetime.date]:
    """(label, first day, last day) of the period of `period_type` holding `day`."""
    if period_type == PeriodType.MONTHLY:
        start = day.replace(day=1)
        label = f"{day.year}-{day.month:02d}"
        months = 1
    elif period_type != PeriodType.QUARTERLY:
        # Never guess: periods of the wrong length would be opened and scored.
        raise ValueError(f"Unknown period type {period_type!r}: monthly or quarterly.")
    else:
        quarter = (day.month - 1) // 3
        start = datetime.date(day.year, quarter * 3 + 1, 1)
        label = f"{day.year}-Q{quarter + 1}"
        months = 3
    year, month = divmod(start.month - 1 + months, 12)
    end = datetime.date(start.year + year, month + 1, 1) - datetime.timedelta(days=1)
    return label, start, end


class ScoredPeriod(VendorScoped):
    """The stored score of one scorecard period: what the portfolio pages read (heat map,
    its sort, trends, the executive's home) instead of scoring every vendor on each view.

    Derived data, never edited: `services.period_scores_refresh` writes it with the
    existing scoring (`selectors.score_period`) in the same transaction as any change to
    its inputs (an actual, a part's weight or retirement, a measure's rule, a new period,
    the SLA derivation), under a lock on this row, so it is never stale.
    `python manage.py rescore` rebuilds every row (after a bulk load, or to check)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="+")
    period = models.OneToOneField(Period, on_delete=models.CASCADE, related_name="stored_score")
    label = models.CharField(max_length=10)  # the period's, to read a portfolio by label
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    status = models.CharField(max_length=10, default=scoring.Status.NO_DATA)
    coverage = models.DecimalField(max_digits=7, decimal_places=6, default=Decimal(0))
    measures = models.PositiveIntegerField(default=0)
    measures_with_data = models.PositiveIntegerField(default=0)
    red_measures = models.PositiveIntegerField(default=0)
    # Perspectives red in the period: with `status`, "has a red cell" in one query.
    red_perspectives = models.PositiveIntegerField(default=0)
    # [{"id", "name", "score" (text or null), "status", "coverage", "measures",
    #   "measures_with_data"}], in the scorecard's order: the heat map's cells.
    perspectives = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["scorecard", "label"], name="scored_period_card_label"),
            # The portfolio reads (the executive's averages, status changes, red vendors)
            # filter by label alone; a row is about 1 KB with its perspectives, so without
            # this they scan the whole table (10 ms at 1,000 vendors x 5 years). Covering the
            # columns they read makes them index-only scans (2 ms). PostgreSQL only: other
            # databases get a plain index on label.
            models.Index(fields=["label"], name="scored_period_label",
                         include=["scorecard", "vendor", "score", "status",
                                  "red_perspectives"]),
        ]

    def __str__(self):
        return f"{self.label}: {self.score}"
