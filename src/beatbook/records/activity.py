"""Reports a CSO wrote, for the daily activity report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beatbook.core.activity import ActivityItem
from beatbook.records.models import IncidentReport


def reports_written(user: Any, start: dt.datetime, end: dt.datetime) -> list[ActivityItem]:
    reports = IncidentReport.objects.filter(author=user, created_at__gte=start, created_at__lt=end)
    return [
        ActivityItem(
            kind="report",
            reference=r.number,
            title=r.title,
            started_at=r.created_at,
            ended_at=r.submitted_at,
            detail=r.get_status_display(),
        )
        for r in reports
    ]
