from django.contrib import admin

from beatbook.places.models import AddressPoint, Beat


@admin.register(Beat)
class BeatAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "updated_at")
    search_fields = ("name", "sector")
    readonly_fields = ("min_lat", "min_lon", "max_lat", "max_lon", "centroid_lat", "centroid_lon")


@admin.register(AddressPoint)
class AddressPointAdmin(admin.ModelAdmin):
    list_display = ("number", "street", "city", "beat", "h3_cell")
    list_filter = ("beat",)
    search_fields = ("street",)
