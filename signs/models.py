"""Warning signs: what `signs.rules` found about a vendor, stored by the periodic job
(`signs.services.signs_refresh`) so that pages read them in one query, and the thresholds
a vendor manager tunes.

A sign is open from the run that first finds it until the first run that no longer does
(`cleared_at`); the next time it is found it is a new row. One open sign per vendor and
rule (a partial unique constraint), so concurrent runs cannot raise it twice. A dismissal
(who, why, until when, and how strong the evidence was) hides it until it expires or its
evidence grows; every change is kept in the history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from signs import rules
from signs.choices import Rule, Severity
from vendors.models import Vendor, VendorScoped


def _limit(name: str, help_text: str, low: int = 1, high: int = 3650):
    return models.PositiveSmallIntegerField(
        default=getattr(rules.DEFAULTS, name), help_text=help_text,
        validators=[MinValueValidator(low), MaxValueValidator(high)])


class Thresholds(models.Model):
    """The thresholds of the warning-sign rules, one row for the whole portfolio (pk 1);
    their defaults are `signs.rules.DEFAULTS`. Changed by vendor managers, with history."""

    breached_windows = _limit("breached_windows", "Keeps missing the point: a service level "
                              "breached in at least this many…", high=24)
    of_last_windows = _limit("of_last_windows", "…of its last this many evaluated windows.",
                             high=24)
    rejected_actions = _limit("rejected_actions", "Corrective actions rejected at "
                              "verification within the look-back that raise the sign.")
    recent_days = _limit("recent_days", "Interest dropped: the recent window (days), also "
                         "for cancelled reviews.", low=7)
    baseline_days = _limit("baseline_days", "Interest dropped: the vendor's own baseline, "
                           "the days before the recent window.", low=30)
    drop_percent = _limit("drop_percent", "Interest dropped: a fall in attendance or "
                          "suggestions (or a rise in answer times) of at least this %.",
                          high=100)
    min_baseline = _limit("min_baseline", "Interest dropped: observations the baseline "
                          "needs before a change is judged.", high=100)
    staffing_open_days = _limit("staffing_open_days", "Resources not replaced: our staffing "
                                "request open beyond this many days.")
    people_leaving = _limit("people_leaving", "Resources not replaced: key people (team "
                            "members, contacts) leaving within the look-back.", high=100)
    gap_periods = _limit("gap_periods", "Only good news: the gap between the vendor's figure "
                         "and ours widening over this many periods.", low=2, high=12)
    min_disputes = _limit("min_disputes", "Only good news: disputes within the look-back, "
                          "every one on a bad result.", high=100)
    cancelled_reviews = _limit("cancelled_reviews", "Governance slipping: reviews cancelled "
                               "within the recent window.", high=100)
    unheld_after_days = _limit("unheld_after_days", "Governance slipping: a review not "
                               "marked held this many days after its day.")
    carried_over_times = _limit("carried_over_times", "Governance slipping: an open action "
                                "item carried over more than this many times.", high=100)
    lookback_days = _limit("lookback_days", "How far back recurrences, rejections, "
                           "departures and disputes count (days).", low=30)
    dismissal_days = _limit("dismissal_days", "How long a dismissal lasts unless the "
                            "evidence grows (days).")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "thresholds"

    def __str__(self):
        return "Warning-sign thresholds"

    def clean(self):
        if (self.breached_windows and self.of_last_windows
                and self.breached_windows > self.of_last_windows):
            raise ValidationError({"breached_windows": "Cannot be more than the windows looked "
                                                       "at (the next field)."})

    @property
    def limits(self) -> rules.Limits:
        return rules.Limits(**{f: getattr(self, f) for f in rules.Limits.__dataclass_fields__})


class SignQuerySet(models.QuerySet):
    def open(self):
        return self.filter(cleared_at__isnull=True)

    def shown(self, today=None):
        """Open, and not under a dismissal that still runs."""
        today = today or timezone.localdate()
        return self.open().filter(Q(dismissed_until__isnull=True) | Q(dismissed_until__lt=today))


class Sign(VendorScoped):
    """A warning sign about a vendor, with the evidence (a list of {text, url}) that
    raised it, as last found by the periodic job."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="signs")
    rule = models.CharField(max_length=20, choices=Rule.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=1, editable=False)
    title = models.CharField(max_length=500)
    evidence = models.JSONField(default=list)
    strength = models.PositiveIntegerField(default=0, help_text="How much evidence.")
    raised_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    dismissal_reason = models.TextField(blank=True)
    dismissed_until = models.DateField(null=True, blank=True)
    dismissed_strength = models.PositiveIntegerField(
        null=True, blank=True, help_text="The evidence when dismissed: more brings it back.")
    history = HistoricalRecords(excluded_fields=["last_seen_at"])

    objects = SignQuerySet.as_manager()

    class Meta:
        ordering = ["-severity_rank", "-strength", "raised_at", "pk"]
        constraints = [
            models.UniqueConstraint("vendor", "rule", condition=Q(cleared_at__isnull=True),
                                    name="one_open_sign_per_vendor_and_rule"),
        ]
        indexes = [models.Index(fields=["cleared_at", "vendor"], name="sign_open_vendor")]

    def __str__(self):
        return f"{self.get_rule_display()} · {self.vendor}"

    def get_absolute_url(self):
        return reverse("signs:vendor", args=[self.vendor.slug]) + f"#sign-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None

    def is_dismissed(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.dismissed_until is not None and self.dismissed_until >= today
