from typing import Any

from django.apps import AppConfig


def _call_records_changed(sender: Any, *, start: Any, end: Any, **kwargs: Any) -> None:
    from beatbook.analytics.tasks import rollups_refresh_task

    rollups_refresh_task.enqueue(start=start.isoformat(), end=end.isoformat())


class AnalyticsConfig(AppConfig):
    name = "beatbook.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from beatbook.calls.signals import call_records_changed

        call_records_changed.connect(_call_records_changed, dispatch_uid="analytics-rollups")
