from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import ApiToken, User
from vendorgov.admin import NoDeleteAdmin, NoDeleteMixin


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role", "vendor",
                    "is_active"]
    list_filter = ["role", "is_active", "vendor"]
    fieldsets = [*DjangoUserAdmin.fieldsets,
                 ("vendorgov", {"fields": ["role", "vendor", "job_title"]})]
    add_fieldsets = [*DjangoUserAdmin.add_fieldsets,
                     ("vendorgov", {"fields": ["role", "vendor"]})]


@admin.register(ApiToken)
class ApiTokenAdmin(NoDeleteAdmin):
    """Tokens can be inspected and revoked here; their secrets were never stored."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at",
                    "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False  # tokens are created on the profile page, which shows the secret once
