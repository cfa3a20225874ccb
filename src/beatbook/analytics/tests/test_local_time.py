"""The hour of the week the database computes, against Python's own conversion."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Count
from django.utils import timezone

from beatbook.analytics.local_time import hour_of_week
from beatbook.calls.models import CallRecord

pytestmark = pytest.mark.django_db
UTC = dt.UTC

# Instants either side of both of 2026's clock changes in Los Angeles (8 March 02:00 PST
# became 03:00 PDT; 1 November 02:00 PDT became 01:00 PST), a week's first and last minute,
# a leap day, times with microseconds just before the hour, and a year an import mistyped.
INSTANTS = [
    dt.datetime(2026, 3, 8, 9, 59, 59, tzinfo=UTC),  # Sunday 01:59:59 PST
    dt.datetime(2026, 3, 8, 10, 0, tzinfo=UTC),  # Sunday 03:00 PDT
    dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC),  # Sunday 01:30 PDT
    dt.datetime(2026, 11, 1, 9, 30, tzinfo=UTC),  # Sunday 01:30 PST, the hour again
    dt.datetime(2026, 11, 2, 8, 0, tzinfo=UTC),  # Monday 00:00 PST
    dt.datetime(2026, 11, 2, 7, 59, 59, 999999, tzinfo=UTC),  # Sunday 23:59:59.999999
    dt.datetime(2024, 2, 29, 20, 15, tzinfo=UTC),  # Thursday 12:15 PST
    dt.datetime(2026, 7, 4, 6, 59, 59, 500000, tzinfo=UTC),  # Friday 23:59:59.5 PDT
    dt.datetime(1926, 5, 3, 17, 0, tzinfo=UTC),  # Monday 09:00 PST: a mistyped year
]


def _expected(instant: dt.datetime, zone: dt.tzinfo) -> int:
    local = instant.astimezone(zone)
    return local.weekday() * 24 + local.hour


@pytest.mark.parametrize("zone_name", ["America/Los_Angeles", "Asia/Kolkata", "UTC"])
def test_the_database_hour_of_the_week_is_the_local_one(zone_name: str) -> None:
    CallRecord.objects.bulk_create(
        CallRecord(source="city", source_id=str(n), received_at=instant, original_code="X")
        for n, instant in enumerate(INSTANTS)
    )
    zone = zoneinfo.ZoneInfo(zone_name)
    with timezone.override(zone):
        found = dict(
            CallRecord.objects.annotate(hour=hour_of_week("received_at")).values_list(
                "source_id", "hour"
            )
        )
    assert found == {str(n): _expected(instant, zone) for n, instant in enumerate(INSTANTS)}
    if zone_name == "America/Los_Angeles":  # the Sundays' 01:30, twice in November
        assert found["2"] == found["3"] == 6 * 24 + 1
        assert (found["4"], found["5"]) == (0, 167)


def test_calls_are_grouped_by_their_hour_of_the_week() -> None:
    # What the pages ask: a count per hour of the week, the expression in the GROUP BY too
    # (PostgreSQL binds its zone as a parameter in both places).
    CallRecord.objects.bulk_create(
        CallRecord(source="city", source_id=str(n), received_at=instant, original_code="X")
        for n, instant in enumerate(INSTANTS)
    )
    zone = zoneinfo.ZoneInfo("America/Los_Angeles")
    with timezone.override(zone):
        counts = dict(
            CallRecord.objects.annotate(hour=hour_of_week("received_at"))
            .values("hour")
            .annotate(n=Count("pk"))
            .values_list("hour", "n")
            .order_by()
        )
    expected: dict[int, int] = {}
    for instant in INSTANTS:
        expected[_expected(instant, zone)] = expected.get(_expected(instant, zone), 0) + 1
    assert counts == expected
    assert counts[6 * 24 + 1] == 3  # March's 01:59:59 and November's two 01:30s
