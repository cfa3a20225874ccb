from django.contrib import admin

from beatbook.records.models import DailyActivityReport, IncidentReport


@admin.register(IncidentReport)
class IncidentReportAdmin(admin.ModelAdmin):
    """Read-only: reports change only through review and supplements."""

    list_display = ("number", "kind", "status", "title", "author", "occurred_at")
    list_filter = ("status", "kind")
    search_fields = ("number", "title")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(DailyActivityReport)
class DailyActivityReportAdmin(admin.ModelAdmin):
    list_display = ("user", "shift_date", "status")
    list_filter = ("status",)

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
