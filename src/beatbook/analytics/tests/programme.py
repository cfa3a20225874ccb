"""Rows for the programme dashboards' tests: calls, reports and patrols at set times."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from beatbook.calls.choices import CallSource, CallStatus
from beatbook.calls.models import Call, CallType
from beatbook.records.models import IncidentReport
from beatbook.roster.models import PatrolLog

_numbers = itertools.count(1)


def at(d: int, h: int, minute: int = 0, *, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, d, h, minute, tzinfo=timezone.get_current_timezone())


def closed_call(
    *,
    code: str = "NOISE",
    beat: Any,
    received: dt.datetime,
    unit: Any = None,
    dispatched: dt.datetime | None = None,
    on_scene: dt.datetime | None = None,
    closed: dt.datetime | None = None,
    status: str = CallStatus.CLEARED,
    escalation_reason: str = "",
    triage_reasons: list[str] | None = None,
) -> Call:
    call_type = CallType.objects.get(code=code)
    return Call.objects.create(
        number=f"T-{next(_numbers):06d}",
        call_type=call_type,
        source=CallSource.PHONE,
        status=status,
        priority=call_type.priority,
        description="test call",
        lat=47.61,
        lon=-122.33,
        beat=beat,
        h3_cell="89283082803ffff",
        received_at=received,
        queued_at=received,
        dispatched_at=dispatched,
        on_scene_at=on_scene,
        closed_at=closed or dispatched or received,
        assigned_unit=unit,
        escalation_reason=escalation_reason,
        disposition="advised" if status == CallStatus.CLEARED else "",
        triage_reasons=triage_reasons or [],
    )


def report(
    *, author: Any, opened: dt.datetime, submitted: dt.datetime | None, call: Call | None = None
) -> IncidentReport:
    made = IncidentReport.objects.create(
        number=f"RPT-T-{next(_numbers):06d}",
        kind="incident",
        call=call,
        author=author,
        title="test",
        occurred_at=opened,
        submitted_at=submitted,
        status="submitted" if submitted else "draft",
    )
    IncidentReport.objects.filter(pk=made.pk).update(created_at=opened)
    return made


def patrol(*, unit: Any, beat: Any, started: dt.datetime, ended: dt.datetime) -> PatrolLog:
    return PatrolLog.objects.create(unit=unit, beat=beat, started_at=started, ended_at=ended)
