from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reminders.models import BouncedAddress, KindSetting, Preference, Reminder, Subscriber
from vendorgov.admin import NoDeleteAdmin


@admin.register(Reminder)
class ReminderAdmin(NoDeleteAdmin):
    """The outbox, read-only: rows change only through the engine and the log's actions."""

    list_display = ["kind", "occasion", "name", "email", "status", "due_at", "sent_at"]
    list_filter = ["status", "kind", "delivery"]
    search_fields = ["occasion", "name", "email", "recipient_key"]
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KindSetting)
class KindSettingAdmin(SimpleHistoryAdmin, NoDeleteAdmin):
    list_display = ["kind", "offset", "mandatory", "updated_at"]


@admin.register(Subscriber)
class SubscriberAdmin(SimpleHistoryAdmin, NoDeleteAdmin):
    list_display = ["recipient_key", "digest_time", "time_zone"]
    search_fields = ["recipient_key"]


@admin.register(Preference)
class PreferenceAdmin(SimpleHistoryAdmin, NoDeleteAdmin):
    list_display = ["subscriber", "kind", "delivery", "updated_at"]
    list_filter = ["kind", "delivery"]


@admin.register(BouncedAddress)
class BouncedAddressAdmin(SimpleHistoryAdmin, NoDeleteAdmin):
    """Mark an address bounced here; clear it on the reminder log."""

    list_display = ["email", "note", "marked_at", "marked_by"]
    search_fields = ["email"]
