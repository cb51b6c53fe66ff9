from django.db import models


class Rule(models.TextChoices):
    """The five warning signs of DESIGN.md and issue 13."""

    MISSING_THE_POINT = "missing_point", "Keeps missing the point"
    INTEREST_DROPPED = "interest_dropped", "Interest dropped"
    RESOURCES_NOT_REPLACED = "resources", "Resources not replaced"
    ONLY_GOOD_NEWS = "good_news", "Only good news"
    GOVERNANCE_SLIPPING = "governance", "Governance slipping"


class Severity(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"


# Worst first: the portfolio orders by this rank, then by how much evidence there is.
SEVERITY_RANK = {Severity.HIGH: 2, Severity.MEDIUM: 1}
