"""What the Django admin never does, in any app: delete. Governance records are archived
(restorable, history kept) and people are deactivated, never deleted: deleting a person
would blank "who did it" on every history row they wrote. tests/vendorgov/test_admin.py
checks every registered model."""

from django.contrib import admin


class NoDeleteMixin:
    """For a ModelAdmin or an inline: no delete button, no "delete selected" action."""

    def has_delete_permission(self, request, obj=None):
        return False


class NoDeleteAdmin(NoDeleteMixin, admin.ModelAdmin):
    pass
