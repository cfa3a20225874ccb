from django.contrib import admin

from beatbook.citations.models import Citation, Ordinance


@admin.register(Ordinance)
class OrdinanceAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "kind",
        "fine_first",
        "fine_second",
        "fine_third",
        "repeat_window_days",
        "cso_may_issue",
        "is_active",
    )
    list_filter = ("kind", "cso_may_issue", "is_active")
    search_fields = ("code", "title")


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    """Read-only: citations change only through their services (void needs a supervisor)."""

    list_display = ("number", "kind", "plate", "person_name", "fine_amount", "status", "issued_at")
    list_filter = ("status", "kind")
    search_fields = ("number", "plate", "person_name")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
