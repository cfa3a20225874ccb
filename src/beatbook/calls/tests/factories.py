from __future__ import annotations

from typing import Any

from django.db import connection

from beatbook.calls import services
from beatbook.calls.models import Call, CallType
from beatbook.core.testing import INSIDE_A1


def call_type(code: str) -> CallType:
    return CallType.objects.get(code=code)


def intake(
    actor: Any,
    *,
    code: str = "NOISE",
    description: str = "Loud music upstairs",
    lat: float = INSIDE_A1[0],
    lon: float = INSIDE_A1[1],
    **kwargs: Any,
) -> Call:
    """A call taken through the real intake service, as the desk would take it."""
    kwargs.setdefault("source", "phone")
    return services.call_intake(
        actor=actor, call_type=call_type(code), description=description, lat=lat, lon=lon, **kwargs
    )


def statistics_of_an_empty_table() -> None:
    """ANALYZE the still empty calls table: PostgreSQL keeps an earlier test's ANALYZE past its
    rollback, so a test of what an import tells the planner starts from a known 0."""
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "calls_callrecord"')
