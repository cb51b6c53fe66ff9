from django.db import models


class Tier(models.TextChoices):
    """The review levels of DESIGN.md's cadence table. The first three recur on a rhythm;
    a health-check review is arranged once per health check (`services.meeting_arrange`)
    on the vendor's health-check cadence, which generates nothing by itself."""

    WEEKLY = "weekly", "Weekly review"
    MONTHLY = "monthly", "Monthly review"
    QUARTERLY = "quarterly", "Quarterly review"
    HEALTH_CHECK = "health", "Health-check review"


# The tiers whose cadences place meetings on a rhythm (and that people set up by hand).
RECURRING_TIERS = (Tier.WEEKLY, Tier.MONTHLY, Tier.QUARTERLY)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class QuarterMonth(models.IntegerChoices):
    FIRST = 1, "First month of the quarter (Jan, Apr, Jul, Oct)"
    SECOND = 2, "Second month of the quarter (Feb, May, Aug, Nov)"
    THIRD = 3, "Third month of the quarter (Mar, Jun, Sep, Dec)"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Response(models.TextChoices):
    """A participant's answer to the invitation (vendor users confirm for their side)."""

    PENDING = "pending", "Not answered"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


ACTION_OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ResponsibleSide(models.TextChoices):
    VENDOR = "vendor", "Vendor"
    OURS = "ours", "Our side"
    SHARED = "shared", "Shared"


class ImpedimentKind(models.TextChoices):
    DELIVERY = "delivery", "Delivery"
    STAFFING = "staffing", "Staffing"
    PROCESS = "process", "Process"
    TECHNICAL = "technical", "Technical"
    COMMERCIAL = "commercial", "Commercial"
    RELATIONSHIP = "relationship", "Relationship (trust)"


class Severity(models.TextChoices):
    CRITICAL = "critical", "S1 · Critical"
    HIGH = "high", "S2 · High"
    MEDIUM = "medium", "S3 · Medium"
    LOW = "low", "S4 · Low"


class ImpedimentStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


IMPEDIMENT_OPEN = (ImpedimentStatus.OPEN, ImpedimentStatus.IN_PROGRESS)


class EscalationStep(models.IntegerChoices):
    """The escalation ladder of DESIGN.md. Steps 2–4 meet the vendor contacts whose
    `vendors.Contact.escalation_level` is one less (1 account executive, 2 management,
    3 executive sponsor)."""

    LINE_MANAGER = 1, "1 · Our line manager"
    ACCOUNT_EXECUTIVE = 2, "2 · Vendor's account executive (frank conversation)"
    VENDOR_MANAGEMENT = 3, "3 · Vendor's management"
    EXECUTIVE_SPONSORS = 4, "4 · Executive sponsors"


class SuggestionCategory(models.TextChoices):
    PROCESS = "process", "Process"
    TECHNOLOGY = "technology", "Technology"
    COST = "cost", "Cost"
    QUALITY = "quality", "Quality"


class SuggestionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    IMPLEMENTED = "implemented", "Implemented"
    OUTCOME_REVIEWED = "outcome_reviewed", "Outcome reviewed"


# Not yet decided: what every quarterly review must assess.
SUGGESTION_UNASSESSED = (SuggestionStatus.SUBMITTED, SuggestionStatus.UNDER_REVIEW)

# Where each status may go next (DESIGN.md's workflow).
SUGGESTION_NEXT = {
    SuggestionStatus.SUBMITTED: (SuggestionStatus.UNDER_REVIEW, SuggestionStatus.ACCEPTED,
                                 SuggestionStatus.DECLINED),
    SuggestionStatus.UNDER_REVIEW: (SuggestionStatus.ACCEPTED, SuggestionStatus.DECLINED),
    SuggestionStatus.ACCEPTED: (SuggestionStatus.IMPLEMENTED, SuggestionStatus.DECLINED),
    SuggestionStatus.DECLINED: (),
    SuggestionStatus.IMPLEMENTED: (SuggestionStatus.OUTCOME_REVIEWED,),
    SuggestionStatus.OUTCOME_REVIEWED: (),
}


# Which side a record belongs to. The values are vendors.choices.Side's ("ours", "vendor");
# each field has its own labels, which read right where they are shown (and give each
# field its own enum in the API schema).
class OwnerSide(models.TextChoices):
    """Whose action item (follows its owner); who wrote an impediment update."""

    OURS = "ours", "Ours"
    VENDOR = "vendor", "Vendor's"


class RaisedBy(models.TextChoices):
    OURS = "ours", "Us"
    VENDOR = "vendor", "The vendor"


class SuggestedBy(models.TextChoices):
    OURS = "ours", "Our people"
    VENDOR = "vendor", "The vendor's team"
