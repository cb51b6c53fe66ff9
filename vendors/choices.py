from django.db import models


class Tier(models.TextChoices):
    STRATEGIC = "strategic", "Tier 1 · Strategic"
    TACTICAL = "tactical", "Tier 2 · Tactical"
    OPERATIONAL = "operational", "Tier 3 · Operational"


class Criticality(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class VendorStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    EXITING = "exiting", "Exiting"
    EXITED = "exited", "Exited"


class Currency(models.TextChoices):
    EUR = "EUR", "EUR · Euro"
    GBP = "GBP", "GBP · Pound sterling"
    USD = "USD", "USD · US dollar"
    CHF = "CHF", "CHF · Swiss franc"
    SEK = "SEK", "SEK · Swedish krona"
    DKK = "DKK", "DKK · Danish krone"
    NOK = "NOK", "NOK · Norwegian krone"
    PLN = "PLN", "PLN · Polish złoty"
    INR = "INR", "INR · Indian rupee"
    CAD = "CAD", "CAD · Canadian dollar"
    AUD = "AUD", "AUD · Australian dollar"


class ContactRole(models.TextChoices):
    ACCOUNT_EXECUTIVE = "account_executive", "Account executive"
    OUTSOURCED_LEAD = "outsourced_lead", "Outsourced lead"
    DELIVERY_MANAGER = "delivery_manager", "Delivery manager"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    OTHER = "other", "Other"


class EscalationLevel(models.IntegerChoices):
    """The vendor side of the escalation ladder (DESIGN.md): our line manager comes first,
    then these, in order."""

    ACCOUNT_EXECUTIVE = 1, "1 · Account executive (frank conversation)"
    MANAGEMENT = 2, "2 · Vendor management"
    EXECUTIVE_SPONSOR = 3, "3 · Executive sponsor"


class AssignmentRole(models.TextChoices):
    RELATIONSHIP_OWNER = "relationship_owner", "Relationship owner"
    LINE_MANAGER = "line_manager", "Line manager"
    OPERATIONS = "operations", "Operations lead"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    IT_STAKEHOLDER = "it_stakeholder", "IT stakeholder"
    BUSINESS_STAKEHOLDER = "business_stakeholder", "Business stakeholder"


class Side(models.TextChoices):
    OURS = "ours", "Our side"
    VENDOR = "vendor", "Vendor side"


class StaffingChangeKind(models.TextChoices):
    ADD = "add", "Add a person"
    REMOVE = "remove", "Remove a person"
    REPLACE = "replace", "Replace a person"


class StaffingChangeStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    AGREED = "agreed", "Agreed"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


STAFFING_CHANGE_OPEN = (StaffingChangeStatus.REQUESTED, StaffingChangeStatus.AGREED)
