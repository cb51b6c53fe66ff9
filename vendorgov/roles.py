"""The people who use the product (DESIGN.md, "Who uses it")."""

from django.db import models


class Role(models.TextChoices):
    VENDOR_MANAGER = "vendor_manager", "Vendor manager"
    EXECUTIVE = "executive", "Executive"
    LINE_MANAGER = "line_manager", "Line manager"
    OPERATIONS = "operations", "Operations"
    STAKEHOLDER = "stakeholder", "IT / business stakeholder"
    VENDOR_USER = "vendor_user", "Vendor user"


# Roles that see every vendor, assigned or not.
PORTFOLIO_ROLES = frozenset({Role.VENDOR_MANAGER, Role.EXECUTIVE})
INTERNAL_ROLES = frozenset(Role) - {Role.VENDOR_USER}
