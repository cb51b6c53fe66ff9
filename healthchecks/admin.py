from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from healthchecks.models import (
    Cycle,
    Finding,
    HealthCheckPlan,
    Invitation,
    PrincipleRevision,
    QuestionnaireTemplate,
)


class ReadMostlyAdmin(SimpleHistoryAdmin):
    """For repairs only: health checks are run from the product, and nothing is deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HealthCheckPlan)
class PlanAdmin(ReadMostlyAdmin):
    list_display = ["vendor", "interval_months", "next_due"]


@admin.register(Cycle)
class CycleAdmin(ReadMostlyAdmin):
    list_display = ["__str__", "vendor", "status", "due_on", "closed_on"]
    list_filter = ["status", "vendor"]


@admin.register(Invitation)
class InvitationAdmin(ReadMostlyAdmin):
    """Who was asked; the link's digest is never shown, the link itself never stored."""

    list_display = ["email", "group", "cycle", "submitted_at", "revoked_at"]
    exclude = ["prefix", "key_hash"]
    readonly_fields = ["submitted_at", "started_at", "sent_at"]


@admin.register(Finding)
class FindingAdmin(ReadMostlyAdmin):
    list_display = ["__str__", "cycle", "severity", "concerns"]


@admin.register(PrincipleRevision)
class RevisionAdmin(ReadMostlyAdmin):
    list_display = ["__str__", "cycle", "status"]


@admin.register(QuestionnaireTemplate)
class TemplateAdmin(ReadMostlyAdmin):
    list_display = ["name", "created_at", "archived_at"]
