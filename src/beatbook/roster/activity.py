"""Patrols and checkpoints, for the daily activity report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beatbook.core.activity import ActivityItem
from beatbook.roster.models import PatrolLog


def patrols(user: Any, start: dt.datetime, end: dt.datetime) -> list[ActivityItem]:
    logs = (
        PatrolLog.objects.filter(unit__user=user, started_at__gte=start, started_at__lt=end)
        .select_related("beat")
        .defer("beat__geometry")
        .prefetch_related("checkpoints")
    )
    return [
        ActivityItem(
            kind="patrol",
            reference=f"patrol {p.beat.name}",
            title=f"Patrol of beat {p.beat.name}",
            started_at=p.started_at,
            ended_at=p.ended_at,
            detail="; ".join(
                f"{c.label}" + (f": {c.note}" if c.note else "") for c in p.checkpoints.all()
            ),
        )
        for p in logs
    ]
