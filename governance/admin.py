from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from governance.models import (
    ActionItem,
    Cadence,
    CalendarFeed,
    Decision,
    Escalation,
    GovernancePlan,
    Impediment,
    ImpedimentUpdate,
    Meeting,
    Suggestion,
)
from vendorgov.admin import NoDeleteAdmin


class GovernanceAdmin(SimpleHistoryAdmin):
    """Governance records are run in the product; the admin is for repairs, and never
    deletes (they are archived)."""

    list_filter = ["vendor"]
    list_select_related = ["vendor"]
    autocomplete_fields = ["vendor"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GovernancePlan)
class GovernancePlanAdmin(GovernanceAdmin):
    list_display = ["vendor", "escalate_after_days"]


@admin.register(Cadence)
class CadenceAdmin(GovernanceAdmin):
    list_display = ["__str__", "vendor", "tier", "start_time", "time_zone", "archived_at"]
    list_filter = ["tier", "vendor"]
    filter_horizontal = ["our_participants", "vendor_participants"]


@admin.register(Meeting)
class MeetingAdmin(GovernanceAdmin):
    list_display = ["title", "vendor", "starts_at", "status", "moved", "archived_at"]
    list_filter = ["status", "tier", "vendor"]
    date_hierarchy = "starts_at"
    readonly_fields = ["agenda_snapshot", "sequence", "series_starts_at"]
    raw_id_fields = ["cadence", "held_by"]


@admin.register(Decision)
class DecisionAdmin(GovernanceAdmin):
    list_display = ["__str__", "vendor", "meeting", "recorded_at"]
    raw_id_fields = ["meeting", "recorded_by"]


@admin.register(ActionItem)
class ActionItemAdmin(GovernanceAdmin):
    list_display = ["title", "vendor", "side", "due_on", "status"]
    list_filter = ["status", "side", "vendor"]
    raw_id_fields = ["meeting", "owner_user", "owner_contact", "created_by"]


class EscalationInline(admin.TabularInline):
    model = Escalation
    extra = 0
    raw_id_fields = ["escalated_by", "to_user", "to_contact"]
    exclude = ["vendor"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Impediment)
class ImpedimentAdmin(GovernanceAdmin):
    list_display = ["title", "vendor", "kind", "severity", "status", "escalation_level"]
    list_filter = ["status", "kind", "severity", "vendor"]
    raw_id_fields = ["raised_by", "owner_user", "owner_contact"]
    inlines = [EscalationInline]


@admin.register(ImpedimentUpdate)
class ImpedimentUpdateAdmin(GovernanceAdmin):
    list_display = ["__str__", "vendor", "impediment", "side", "created_at"]
    raw_id_fields = ["impediment", "author"]


@admin.register(Suggestion)
class SuggestionAdmin(GovernanceAdmin):
    list_display = ["title", "vendor", "category", "source_side", "status", "submitted_on"]
    list_filter = ["status", "category", "vendor"]
    raw_id_fields = ["submitted_by", "decided_by"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(NoDeleteAdmin):
    """Feeds can be inspected and revoked here; their secrets were never stored."""

    list_display = ["user", "prefix", "created_at", "last_fetched_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "created_at", "last_fetched_at", "revoked_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False
