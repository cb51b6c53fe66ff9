from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scorecards import models
from scorecards.forms import MeasureAdminForm


@admin.register(models.ScorecardTemplate)
class ScorecardTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "period_type", "archived_at"]
    search_fields = ["name"]


@admin.register(models.Scorecard)
class ScorecardAdmin(SimpleHistoryAdmin):
    list_display = ["name", "vendor", "period_type", "starts_on"]
    list_select_related = ["vendor"]


@admin.register(models.Measure)
class MeasureAdmin(SimpleHistoryAdmin):
    form = MeasureAdminForm
    list_display = ["name", "vendor", "direction", "target", "amber_threshold",
                    "red_threshold", "weight", "data_source", "archived_at"]
    list_filter = ["data_source", "direction"]
    list_select_related = ["vendor"]
    search_fields = ["name"]
    raw_id_fields = ["service_level"]


@admin.register(models.Period)
class PeriodAdmin(SimpleHistoryAdmin):
    list_display = ["label", "vendor", "starts_on", "ends_on", "locked_at"]
    list_select_related = ["vendor"]


@admin.register(models.Actual)
class ActualAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "period", "vendor_value", "internal_value", "status", "source"]
    list_filter = ["status", "source"]
    list_select_related = ["measure", "period"]
    raw_id_fields = ["measure", "period"]


@admin.register(models.Dispute)
class DisputeAdmin(SimpleHistoryAdmin):
    list_display = ["actual", "status", "raised_at", "resolved_at"]
    list_filter = ["status"]
    raw_id_fields = ["actual"]
