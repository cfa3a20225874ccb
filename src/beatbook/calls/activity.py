"""Calls a CSO worked, for the daily activity report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beatbook.calls.models import Call
from beatbook.core.activity import ActivityItem


def calls_worked(user: Any, start: dt.datetime, end: dt.datetime) -> list[ActivityItem]:
    calls = Call.objects.filter(
        assigned_unit__user=user, dispatched_at__gte=start, dispatched_at__lt=end
    ).select_related("call_type")
    return [
        ActivityItem(
            kind="call",
            reference=c.number,
            title=c.call_type.name,
            started_at=c.dispatched_at,
            ended_at=c.closed_at,
            detail=c.get_disposition_display() or c.get_status_display(),
            extra={
                "on_scene_at": c.on_scene_at.isoformat() if c.on_scene_at else None,
                "block": c.block_text,
            },
        )
        for c in calls
    ]
