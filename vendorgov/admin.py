"""What the Django admin never does, in any app: delete. Governance records are archived
(restorable, history kept) and people are deactivated, never deleted: deleting a person
would blank "who did it" on every history row they wrote. tests/vendorgov/test_admin.py
checks every registered model."""

from django.contrib import admin

from vendorgov.models import JobFailure


class NoDeleteMixin:
    """For a ModelAdmin or an inline: no delete button, no "delete selected" action."""

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteAdmin(NoDeleteMixin, admin.ModelAdmin):
    pass


@admin.register(JobFailure)
class JobFailureAdmin(NoDeleteAdmin):
    """What periodic jobs could not do: written by the jobs, read here (nothing to edit)."""

    list_display = ["job", "record", "error", "failures", "last_failed_at", "resolved_at"]
    list_filter = ["job", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["record", "error"]
    readonly_fields = [f.name for f in JobFailure._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
