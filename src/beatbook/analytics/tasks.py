"""Background work for analytics: refreshing the rollups after calls change."""

import datetime as dt

from django_tasks import task


@task()
def rollups_refresh_task(*, start: str, end: str) -> None:
    from beatbook.analytics.rollups import rollups_refresh

    rollups_refresh(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end))
