from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from signs.models import Sign, Thresholds


@admin.register(Sign)
class SignAdmin(SimpleHistoryAdmin):
    """For looking only: signs are computed by the periodic job and dismissed on the site."""

    list_display = ["__str__", "severity", "strength", "raised_at", "cleared_at",
                    "dismissed_until"]
    list_filter = ["rule", "severity"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Thresholds)
class ThresholdsAdmin(SimpleHistoryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False
