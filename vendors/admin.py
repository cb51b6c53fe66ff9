from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vendors.models import (
    Contact,
    Contract,
    GuidingPrinciple,
    Service,
    StaffingChange,
    StaffMember,
    Vendor,
    VendorAssignment,
)


class VendorRecordAdmin(SimpleHistoryAdmin):
    """Records hanging off a vendor. Archive them in the product; the admin is for repairs."""

    list_filter = ["vendor"]
    list_select_related = ["vendor"]
    autocomplete_fields = ["vendor"]

    def has_delete_permission(self, request, obj=None):
        return False  # governance records are archived, never deleted


@admin.register(Vendor)
class VendorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "tier", "criticality", "status", "archived_at"]
    list_filter = ["tier", "criticality", "status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(VendorRecordAdmin):
    list_display = ["reference", "vendor", "start_date", "end_date", "value", "currency"]
    search_fields = ["reference", "title"]


@admin.register(Contact)
class ContactAdmin(VendorRecordAdmin):
    list_display = ["name", "vendor", "role", "escalation_level"]
    search_fields = ["name", "email"]


@admin.register(Service)
class ServiceAdmin(VendorRecordAdmin):
    list_display = ["name", "vendor"]
    search_fields = ["name"]


@admin.register(GuidingPrinciple)
class GuidingPrincipleAdmin(VendorRecordAdmin):
    list_display = ["title", "vendor", "version"]


@admin.register(StaffMember)
class StaffMemberAdmin(VendorRecordAdmin):
    list_display = ["name", "vendor", "role", "allocation_percent", "started_on", "ended_on"]
    search_fields = ["name"]


@admin.register(StaffingChange)
class StaffingChangeAdmin(VendorRecordAdmin):
    list_display = ["__str__", "vendor", "requested_by_side", "status", "requested_on"]
    list_filter = ["vendor", "status", "kind"]


@admin.register(VendorAssignment)
class VendorAssignmentAdmin(VendorRecordAdmin):
    list_display = ["user", "vendor", "role"]
    autocomplete_fields = ["vendor", "user"]
