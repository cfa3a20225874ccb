from django.contrib import admin

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
    """Custody events can be read here, never changed or deleted (R18)."""

    list_display = ("item", "seq", "kind", "at", "actor_label")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
