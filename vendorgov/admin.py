from django.contrib import admin

from vendorgov.models import JobFailure


@admin.register(JobFailure)
class JobFailureAdmin(admin.ModelAdmin):
    """What periodic jobs could not do: written by the jobs, read here (nothing to edit)."""

    list_display = ["job", "record", "error", "failures", "last_failed_at", "resolved_at"]
    list_filter = ["job", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["record", "error"]
    readonly_fields = [f.name for f in JobFailure._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
