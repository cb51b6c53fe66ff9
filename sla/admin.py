from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from sla import compliance
from sla.models import (
    SLA,
    BusinessCalendar,
    CorrectiveAction,
    Dispute,
    Evaluation,
    Measurement,
    MeasurementImport,
    ServiceLevel,
    SLAReview,
    SLAVersion,
)


class ReadMostlyAdmin(SimpleHistoryAdmin):
    """For repairs only: SLAs are run from the product, and nothing here is deleted."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SLA)
class SLAAdmin(ReadMostlyAdmin):
    list_display = ["reference", "name", "vendor", "review_due_on", "retired_on"]
    list_filter = ["vendor"]
    search_fields = ["reference", "name"]


@admin.register(SLAVersion)
class SLAVersionAdmin(ReadMostlyAdmin):
    list_display = ["__str__", "status", "effective_from", "effective_until"]
    list_filter = ["status"]


@admin.register(ServiceLevel)
class ServiceLevelAdmin(ReadMostlyAdmin):
    list_display = ["name", "key", "version", "window", "comparator", "target",
                    "breach_threshold"]
    search_fields = ["name", "key"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "weight" in form.changed_data:
            # In the admin's transaction: the stored compliance counts the new weight.
            compliance.service_level_changed(obj.pk)


@admin.register(SLAReview)
class SLAReviewAdmin(ReadMostlyAdmin):
    list_display = ["sla", "reviewed_on", "outcome"]


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ReadMostlyAdmin):
    list_display = ["name", "vendor", "time_zone"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadMostlyAdmin):
    """Read-only: an evaluation is computed from the window's measurements and the service
    level's terms. It changes by a new measurement, a dispute or a restatement, decided in
    the product and kept in history — never by editing its verdict here."""

    list_display = ["service_level", "window_start", "status", "value", "excused"]
    list_filter = ["status", "vendor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadMostlyAdmin):
    list_display = ["title", "vendor", "status", "due_on", "side_responsible"]
    list_filter = ["status", "vendor"]


@admin.register(Dispute)
class DisputeAdmin(ReadMostlyAdmin):
    list_display = ["evaluation", "status", "raised_at", "decided_at"]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["service_level", "window_start", "value", "source", "submitted_at"]
    list_filter = ["source", "vendor"]
    search_fields = ["external_id"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MeasurementImport)
class MeasurementImportAdmin(admin.ModelAdmin):
    list_display = ["filename", "vendor", "row_count", "status", "uploaded_at"]

    def has_delete_permission(self, request, obj=None):
        return False
