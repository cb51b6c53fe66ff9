"""The vocabulary of health checks: dimensions, a cycle's steps, respondent groups."""

from django.db import models


class Dimension(models.TextChoices):
    """What a health check asks about (DESIGN.md, Health checks)."""

    TRUST = "trust", "Trust"
    TRANSPARENCY = "transparency", "Transparency"
    COMMUNICATION = "communication", "Communication"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    WIN_WIN = "win_win", "Win-win balance"
    OUTCOMES = "outcomes", "Outcomes"
    INNOVATION = "innovation", "Innovation"
    PRINCIPLES = "principles", "Adherence to guiding principles"


# The dimensions a template asks about; "principles" questions are generated per cycle from
# the vendor's guiding principles in force when collection opens.
TEMPLATE_DIMENSIONS = [d for d in Dimension if d != Dimension.PRINCIPLES]


class CycleStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    COLLECTING = "collecting", "Collecting input"
    ASSESSMENT = "assessment", "Internal assessment"
    REVIEW = "review", "Review with vendor"
    CLOSED = "closed", "Closed"


# The steps in order; moving more than one step ahead is a skip and needs a reason.
CYCLE_STEPS = list(CycleStatus)
CYCLE_OPEN = [s for s in CycleStatus if s != CycleStatus.CLOSED]


class Group(models.TextChoices):
    """Whose view an answer gives. IT and business are our side; the vendor theirs."""

    IT = "it", "IT"
    BUSINESS = "business", "Business"
    VENDOR = "vendor", "Vendor"


OUR_GROUPS = (Group.IT, Group.BUSINESS)


class FindingSeverity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Concerns(models.TextChoices):
    """Which side a finding is about."""

    OURS = "ours", "Our side"
    VENDOR = "vendor", "The vendor"
    SHARED = "shared", "Both sides"


class RevisionKind(models.TextChoices):
    NEW = "new", "New principle"
    REWORD = "reword", "Reworded principle"
    RETIRE = "retire", "Retire a principle"


class RevisionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


SCALE = [(1, "1 · Very poor"), (2, "2 · Poor"), (3, "3 · Adequate"), (4, "4 · Good"),
         (5, "5 · Very good")]
