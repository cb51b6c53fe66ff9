from django.db import models


class Window(models.TextChoices):
    """How long one measurement window of a service level is (calendar-aligned)."""

    WEEKLY = "weekly", "Weekly (Monday–Sunday)"
    MONTHLY = "monthly", "Monthly (calendar month)"
    QUARTERLY = "quarterly", "Quarterly (calendar quarter)"


class Comparator(models.TextChoices):
    GTE = "gte", "≥ (higher is better)"
    LTE = "lte", "≤ (lower is better)"


COMPARATOR_SYMBOL = {Comparator.GTE: "≥", Comparator.LTE: "≤"}


class Unit(models.TextChoices):
    PERCENT = "percent", "% (percentage)"
    HOURS = "hours", "hours"
    MINUTES = "minutes", "minutes"
    DAYS = "days", "days"
    COUNT = "count", "count"
    SCORE = "score", "score"


UNIT_SYMBOL = {Unit.PERCENT: "%", Unit.HOURS: "h", Unit.MINUTES: "min", Unit.DAYS: "d",
               Unit.COUNT: "", Unit.SCORE: ""}
# Units that are durations: these are measured in a business-hours calendar (or 24x7).
DURATION_UNITS = frozenset({Unit.HOURS, Unit.MINUTES, Unit.DAYS})


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    EFFECTIVE = "effective", "Effective"
    SUPERSEDED = "superseded", "Superseded"


# Versions that govern windows (between their effective dates).
VERSIONS_IN_FORCE = (VersionStatus.EFFECTIVE, VersionStatus.SUPERSEDED)
VERSIONS_EDITABLE = (VersionStatus.DRAFT, VersionStatus.REVIEWED)


class ReviewOutcome(models.TextChoices):
    UNCHANGED = "unchanged", "Unchanged"
    AMENDED = "amended", "Amended (a new version is drafted)"
    RETIRED = "retired", "Retired"


class MeasurementSource(models.TextChoices):
    API = "api", "API"
    FORM = "form", "Operations form"
    CSV = "csv", "CSV import"


class EvaluationStatus(models.TextChoices):
    MET = "met", "Met"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    NO_DATA = "no_data", "No data"


class ResponsibleSide(models.TextChoices):
    """Who caused a breach. Our own side may be at fault, and the record says so."""

    VENDOR = "vendor", "Vendor"
    OURS = "ours", "Ours"
    SHARED = "shared", "Shared"


class CorrectiveActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done (awaiting verification)"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    # Closed by the evaluation, not by people: the breach that opened it was revised away
    # (an accepted dispute, restatement or correction), so there is nothing left to correct.
    WITHDRAWN = "withdrawn", "Withdrawn (breach revised)"


CORRECTIVE_ACTION_OPEN = (CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS,
                          CorrectiveActionStatus.DONE)
CORRECTIVE_ACTION_CLOSED = (CorrectiveActionStatus.VERIFIED, CorrectiveActionStatus.REJECTED,
                            CorrectiveActionStatus.WITHDRAWN)
# What the vendor side may set when reporting progress; verifying is ours.
CORRECTIVE_ACTION_PROGRESS = (CorrectiveActionStatus.OPEN, CorrectiveActionStatus.IN_PROGRESS,
                              CorrectiveActionStatus.DONE)


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Awaiting decision"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed, not saved"
    COMMITTED = "committed", "Committed"
