"""Rollups of CallRecord, kept current as calls are imported and closed, so the figures that
read a city's whole history (seasonal baselines, percentiles by month) stay fast at millions
of calls. Weeks and months are the agency's local ones."""

from __future__ import annotations

from django.db import models


class WeeklyCount(models.Model):
    week = models.DateField(help_text="The Monday the week starts on.")
    call_type = models.ForeignKey(
        "calls.CallType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    beat = models.ForeignKey(
        "places.Beat", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    calls = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["week"], name="weeklycount_week"),
            models.Index(fields=["call_type", "week"], name="weeklycount_type_week"),
            models.Index(fields=["beat", "week"], name="weeklycount_beat_week"),
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.call_type_id}/{self.beat_id}: {self.calls}"


class WeeklyTypeCount(models.Model):
    """WeeklyCount summed over the beats: what the citywide figures (weekly counts by type,
    the seasonal baseline of the whole city) read, a beat's-worth of rows fewer."""

    week = models.DateField(help_text="The Monday the week starts on.")
    call_type = models.ForeignKey(
        "calls.CallType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    calls = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["week"], name="weeklytypecount_week"),
            models.Index(fields=["call_type", "week"], name="weeklytypecount_type_week"),
        ]

    def __str__(self) -> str:
        return f"{self.week} {self.call_type_id}: {self.calls}"


class MonthlyResponse(models.Model):
    class Metric(models.TextChoices):
        DISPATCH = "dispatch", "Received to dispatched"
        ARRIVAL = "arrival", "Dispatched to on scene"

    month = models.DateField(help_text="The first day of the month.")
    priority = models.SmallIntegerField(null=True, blank=True)
    metric = models.CharField(max_length=8, choices=Metric.choices)
    calls = models.PositiveIntegerField()
    p50 = models.FloatField()
    p90 = models.FloatField()
    p95 = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["month"], name="monthlyresponse_month")]

    def __str__(self) -> str:
        return f"{self.month} P{self.priority} {self.metric}"


class FiguresVersion(models.Model):
    """One row, its number raised whenever what the cached figures read changes (calls on
    record, their rollups, call types, beats): a cached figure is kept under the number it
    was computed at, so a change makes every one of them stale at once, in every process."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"figures version {self.version}"
