"""Citations and warnings a CSO wrote, for the daily activity report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from beatbook.citations.models import Citation
from beatbook.core.activity import ActivityItem


def citations_issued(user: Any, start: dt.datetime, end: dt.datetime) -> list[ActivityItem]:
    citations = Citation.objects.filter(
        issued_by=user, issued_at__gte=start, issued_at__lt=end
    ).select_related("ordinance")
    return [
        ActivityItem(
            kind="citation",
            reference=c.number,
            title=("Warning: " if c.is_warning else "") + c.ordinance.title,
            started_at=c.issued_at,
            ended_at=c.issued_at,
            detail=f"{c.plate or c.person_name} at {c.block_text}",
        )
        for c in citations
    ]
