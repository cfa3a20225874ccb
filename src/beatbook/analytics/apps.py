from typing import Any

from django.apps import AppConfig


def _call_records_changed(sender: Any, *, start: Any, end: Any, **kwargs: Any) -> None:
    from beatbook.analytics.figures_cache import figures_version_bump
    from beatbook.analytics.tasks import rollups_refresh_task

    figures_version_bump()
    rollups_refresh_task.enqueue(start=start.isoformat(), end=end.isoformat())


class AnalyticsConfig(AppConfig):
    name = "beatbook.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from beatbook.accounts.models import Team
        from beatbook.analytics.figures_cache import figures_version_bump
        from beatbook.calls.models import CallType
        from beatbook.calls.signals import call_records_changed
        from beatbook.places.models import Beat

        call_records_changed.connect(_call_records_changed, dispatch_uid="analytics-rollups")
        # A type's name or target, a beat's or a team's name: what the cached figures and
        # selection forms label and measure.
        for model in (CallType, Beat, Team):
            for signal in (post_save, post_delete):
                signal.connect(
                    figures_version_bump, sender=model, dispatch_uid=f"figures-{model.__name__}"
                )
