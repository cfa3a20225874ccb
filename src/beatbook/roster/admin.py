from django.contrib import admin

from beatbook.roster.models import Checkpoint, EmergencyAlarm, PatrolLog, Shift, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("call_sign", "user", "status", "position_at")
    list_filter = ("status",)
    list_select_related = ("user",)


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ("user", "starts_at", "ends_at")
    list_select_related = ("user",)


@admin.register(PatrolLog)
class PatrolLogAdmin(admin.ModelAdmin):
    list_display = ("unit", "beat", "started_at", "ended_at")


admin.site.register(Checkpoint)


@admin.register(EmergencyAlarm)
class EmergencyAlarmAdmin(admin.ModelAdmin):
    list_display = ("unit", "raised_at", "acknowledged_at", "acknowledged_by")
