from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from beatbook.core.models import TimeStampedModel
from beatbook.roster.choices import UnitStatus


class Shift(TimeStampedModel):
    """A CSO's scheduled time on duty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="roster_shift_window")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="roster_shift_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class UnitQuerySet(models.QuerySet["Unit"]):
    def on_duty(self, at: object | None = None) -> UnitQuerySet:
        now = at or timezone.now()
        return self.filter(
            user__shifts__starts_at__lte=now, user__shifts__ends_at__gt=now, user__is_active=True
        ).distinct()


class Unit(TimeStampedModel):
    """A CSO in the field as dispatch sees them: call sign, status and last known position."""

    call_sign = models.CharField(max_length=20, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="unit"
    )
    status = models.CharField(
        max_length=16, choices=UnitStatus.choices, default=UnitStatus.OUT_OF_SERVICE
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    position_at = models.DateTimeField(null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["call_sign"]

    def __str__(self) -> str:
        return self.call_sign


class PatrolLog(TimeStampedModel):
    """A CSO's patrol of one beat, from start to end, with its checkpoints."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="patrols")
    beat = models.ForeignKey("places.Beat", on_delete=models.PROTECT, related_name="patrols")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(ended_at__isnull=True),
                name="roster_patrollog_one_open_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} patrol of {self.beat} from {self.started_at:%H:%M}"


class Checkpoint(models.Model):
    """A place a CSO checked during a patrol (park, school, business), with what they saw."""

    patrol = models.ForeignKey(PatrolLog, on_delete=models.PROTECT, related_name="checkpoints")
    at = models.DateTimeField()
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    label = models.CharField(max_length=120)
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.label} at {self.at:%H:%M}"


class EmergencyAlarm(models.Model):
    """A CSO pressed the emergency button: it stays on every board until acknowledged."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="alarms")
    raised_at = models.DateTimeField()
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"EMERGENCY {self.unit} at {self.raised_at:%H:%M:%S}"
