from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from scorecards import models, services
from scorecards.forms import MeasureAdminForm
from vendorgov.admin import NoDeleteMixin


class RescoreMixin:
    """An edit here bypasses the services: store the scores it changes, in the admin's
    transaction, as the services do (`services.period_scores_refresh`)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if isinstance(obj, models.Scorecard):
            services.period_scores_refresh(scorecard_ids=[obj.pk])
        elif isinstance(obj, models.Measure):
            services.period_scores_refresh(
                scorecard_ids=[obj.objective.perspective.scorecard_id])
        else:  # a period, an actual
            services.period_scores_refresh(
                period_ids=[obj.pk if isinstance(obj, models.Period) else obj.period_id])


@admin.register(models.ScorecardTemplate)
class ScorecardTemplateAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "period_type", "archived_at"]
    search_fields = ["name"]


@admin.register(models.Scorecard)
class ScorecardAdmin(RescoreMixin, NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["name", "vendor", "period_type", "starts_on"]
    list_select_related = ["vendor"]


@admin.register(models.Measure)
class MeasureAdmin(RescoreMixin, NoDeleteMixin, SimpleHistoryAdmin):
    form = MeasureAdminForm
    list_display = ["name", "vendor", "direction", "target", "amber_threshold",
                    "red_threshold", "weight", "data_source", "archived_at"]
    list_filter = ["data_source", "direction"]
    list_select_related = ["vendor"]
    search_fields = ["name"]
    raw_id_fields = ["service_level"]


@admin.register(models.Period)
class PeriodAdmin(RescoreMixin, NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["label", "vendor", "starts_on", "ends_on", "locked_at"]
    list_select_related = ["vendor"]


@admin.register(models.Actual)
class ActualAdmin(RescoreMixin, NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["measure", "period", "vendor_value", "internal_value", "status", "source"]
    list_filter = ["status", "source"]
    list_select_related = ["measure", "period"]
    raw_id_fields = ["measure", "period"]


@admin.register(models.Dispute)
class DisputeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["actual", "status", "raised_at", "resolved_at"]
    list_filter = ["status"]
    raw_id_fields = ["actual"]
