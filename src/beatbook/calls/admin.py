from django.contrib import admin

from beatbook.calls.models import Call, CallType


@admin.register(CallType)
class CallTypeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "apco_code",
        "priority",
        "target_minutes",
        "sworn_minutes",
        "responder",
        "referral_division",
        "is_public",
        "is_active",
    )
    list_filter = ("responder", "priority", "is_public", "is_active")
    list_editable = (
        "priority",
        "target_minutes",
        "sworn_minutes",
        "responder",
        "is_public",
        "is_active",
    )
    search_fields = ("code", "name", "apco_code")


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Read-only here: calls change only through their life-cycle services."""

    list_display = ("number", "call_type", "status", "beat", "received_at", "assigned_unit")
    list_filter = ("status", "call_type", "source")
    search_fields = ("number", "description")
    list_select_related = ("call_type", "beat", "assigned_unit")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
