from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from beatbook.property.models import CustodyEvent, PropertyItem, StorageLocation


@admin.register(StorageLocation)
class StorageLocationAdmin(admin.ModelAdmin):
    list_display = ("code", "room", "shelf", "bin", "is_active")


@admin.register(PropertyItem)
class PropertyItemAdmin(admin.ModelAdmin):
    """Read-only: items move only through custody events."""

    list_display = ("number", "kind", "category", "status", "location", "retain_until")
    list_filter = ("kind", "status")
    search_fields = ("number", "description", "serial_number", "label_code")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CustodyEvent)
class CustodyEventAdmin(admin.ModelAdmin):
    """Custody events can be listed here, never opened for change or deleted (R18): the list
    shows every field, and a correction is a new event, never an edit."""

    list_display = (
        "item",
        "seq",
        "kind",
        "at",
        "actor_label",
        "from_custodian",
        "to_custodian",
        "from_location",
        "to_location",
        "reason",
        "hash",
    )
    list_display_links = None
    search_fields = ("item__number",)

    def change_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise PermissionDenied

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
