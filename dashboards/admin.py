from django.contrib import admin

from dashboards.models import PackJob
from vendorgov.admin import NoDeleteAdmin


@admin.register(PackJob)
class PackJobAdmin(NoDeleteAdmin):
    list_display = ("quarter", "requested_by", "status", "done", "total", "created_at")
    list_filter = ("status", "quarter")
    readonly_fields = [f.name for f in PackJob._meta.fields]
