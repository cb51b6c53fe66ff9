from django.db import models


class PeriodType(models.TextChoices):
    QUARTERLY = "quarterly", "Quarterly"
    MONTHLY = "monthly", "Monthly"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class DataSource(models.TextChoices):
    VENDOR = "vendor", "Entered by the vendor"
    INTERNAL = "internal", "Entered internally"
    SLA = "sla", "Fed from an SLA service level"


# Every source can be chosen for a vendor's measure. Actuals of these are entered by hand;
# those of SLA-fed measures are derived from the SLA's evaluations, never entered.
AVAILABLE_DATA_SOURCES = (DataSource.VENDOR, DataSource.INTERNAL, DataSource.SLA)
ENTERED_DATA_SOURCES = (DataSource.VENDOR, DataSource.INTERNAL)


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    YEARLY = "yearly", "Yearly"


class ActualStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"


# Drafts are work in progress: only these count in scores.
COUNTED_STATUSES = (ActualStatus.SUBMITTED, ActualStatus.APPROVED)


class ActualSource(models.TextChoices):
    ENTERED = "entered", "Entered"
    SLA = "sla", "Derived from an SLA service level"


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected"


class DisputeOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld: the vendor is right"
    REJECTED = "rejected", "Rejected: the value stands"
