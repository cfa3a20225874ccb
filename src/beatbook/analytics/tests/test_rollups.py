"""The rollups stay equal to the rows they summarise, whichever way the rows arrive."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from beatbook.analytics.models import MonthlyResponse, WeeklyCount, WeeklyTypeCount
from beatbook.analytics.rollups import rollups_check, rollups_rebuild, rollups_refresh
from beatbook.analytics.selectors import percentile, response_by_priority_month, weekly_by_type
from beatbook.calls.models import CallRecord, CallType
from beatbook.calls.records import call_record_sync
from beatbook.demo.scale import scale_generate

pytestmark = pytest.mark.django_db(transaction=True)


def test_generated_history_is_rolled_up_exactly(agency: dict[str, Any]) -> None:
    scale_generate(3000)
    assert WeeklyCount.objects.exists()
    assert rollups_check() == []
    total = sum(n for _, _, n in weekly_by_type())
    assert total == CallRecord.objects.count() == 3000
    # Percentiles from the rollup equal percentiles of the rows, to the second.
    tz = timezone.get_current_timezone()
    values: dict[tuple[dt.date, int, str], list[int]] = {}
    for r in CallRecord.objects.all():
        month = r.received_at.astimezone(tz).date().replace(day=1)
        for metric, a, b in (
            ("dispatch", r.received_at, r.dispatched_at),
            ("arrival", r.dispatched_at, r.on_scene_at),
        ):
            values.setdefault((month, r.priority, metric), []).append(
                int((b - a).total_seconds() // 1)
            )
    rolled = response_by_priority_month()
    assert len(rolled) == len(values)
    for row in rolled:
        seconds = sorted(values[(row.month, row.priority, row.metric)])
        assert row.calls == len(seconds)
        assert row.p50 == pytest.approx(percentile(seconds, 0.5), abs=1e-9)
        assert row.p90 == pytest.approx(percentile(seconds, 0.9), abs=1e-9)
        assert row.p95 == pytest.approx(percentile(seconds, 0.95), abs=1e-9)


def test_a_closed_call_updates_its_week_and_month(agency: dict[str, Any]) -> None:
    from beatbook.analytics.tests.programme import closed_call

    received = timezone.now() - dt.timedelta(days=2)
    call = closed_call(
        beat=agency["a1"],
        received=received,
        unit=agency["cso_unit"],
        dispatched=received + dt.timedelta(minutes=4),
        on_scene=received + dt.timedelta(minutes=10),
        closed=received + dt.timedelta(minutes=30),
    )
    call_record_sync(call)  # in a service this runs inside the close's transaction
    monday = timezone.localdate(received) - dt.timedelta(
        days=timezone.localdate(received).weekday()
    )
    (week,) = WeeklyCount.objects.filter(week=monday)
    assert (week.calls, week.call_type_id, week.beat_id) == (1, call.call_type_id, agency["a1"].pk)
    (citywide,) = WeeklyTypeCount.objects.filter(week=monday)
    assert (citywide.calls, citywide.call_type_id) == (1, call.call_type_id)
    dispatch = MonthlyResponse.objects.get(metric="dispatch")
    assert (dispatch.calls, dispatch.p50, dispatch.priority) == (1, 240.0, call.priority)


def test_an_import_updates_the_rollups(agency: dict[str, Any], tmp_path: Path) -> None:
    from beatbook.calls.importing.mapping import mapping_load
    from beatbook.calls.importing.run import calls_import
    from beatbook.calls.tests.test_import import SEATTLE  # the real Seattle extract

    run = calls_import(path=SEATTLE, mapping=mapping_load("seattle"))
    assert run.rows_imported > 0
    assert rollups_check() == []
    assert sum(w.calls for w in WeeklyCount.objects.all()) == run.rows_imported
    assert sum(w.calls for w in WeeklyTypeCount.objects.all()) == run.rows_imported


def test_check_names_a_week_that_drifted_and_rebuild_mends_it(agency: dict[str, Any]) -> None:
    noise = CallType.objects.get(code="NOISE")
    when = dt.datetime(2026, 3, 4, 12, tzinfo=timezone.get_current_timezone())
    CallRecord.objects.create(
        source="fix", source_id="1", received_at=when, call_type=noise, original_code="NOISE"
    )  # written behind the rollups' back
    assert rollups_check() == [
        "week of 2026-03-02: 0 in the rollup, 0 in the citywide rollup, 1 calls"
    ]
    with pytest.raises(CommandError, match="1 week"):
        call_command("analytics", "check")
    call_command("analytics", "rebuild")
    assert rollups_check() == []
    call_command("analytics", "check")
    # The citywide rollup is checked on its own too.
    WeeklyTypeCount.objects.filter(week=dt.date(2026, 3, 2)).delete()
    assert rollups_check() == [
        "week of 2026-03-02: 1 in the rollup, 0 in the citywide rollup, 1 calls"
    ]


def test_a_rebuild_in_quarters_equals_one_refresh_and_reports_its_progress(
    agency: dict[str, Any],
) -> None:
    noise = CallType.objects.get(code="NOISE")
    start = dt.datetime(2024, 1, 3, 9, tzinfo=timezone.get_current_timezone())
    CallRecord.objects.bulk_create(
        CallRecord(
            source="years",
            source_id=str(n),
            received_at=start + dt.timedelta(days=11 * n, hours=n % 7),
            response_seconds=60 + 17 * n,
            priority=1 + n % 3,
            call_type=noise if n % 2 else None,
            original_code="NOISE" if n % 2 else "X9",
        )
        for n in range(70)  # 2024-01-03 to 2026-02-02: 110 weeks, 26 months
    )

    def snapshot() -> tuple[list[Any], list[Any], list[Any]]:
        return (
            sorted(
                WeeklyCount.objects.values_list("week", "call_type_id", "beat_id", "calls"), key=str
            ),
            sorted(WeeklyTypeCount.objects.values_list("week", "call_type_id", "calls"), key=str),
            sorted(
                MonthlyResponse.objects.values_list("month", "priority", "metric", "calls", "p50"),
                key=str,
            ),
        )

    rollups_refresh(start - dt.timedelta(days=1), start + dt.timedelta(days=800))
    whole = snapshot()
    seen: list[tuple[int, int]] = []
    rollups_rebuild(progress=lambda done, steps: seen.append((done, steps)))
    assert snapshot() == whole
    assert sum(calls for *_, calls in whole[1]) == 70
    # 110 weeks in blocks of 13 (9) and 26 months in quarters (9).
    assert seen == [(n, 18) for n in range(1, 19)]
    assert rollups_check() == []


def test_percentile_matches_postgresql_definition() -> None:
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20], 0.9) == 19.0
    assert percentile([7], 0.95) == 7
    assert percentile([], 0.5) is None
    rng = random.Random(1)
    values = sorted(rng.randrange(1000) for _ in range(101))
    assert percentile(values, 0.9) == values[90]


def test_priority_month_csv_and_chart(agency: dict[str, Any], client_for: Any) -> None:
    scale_generate(2000)
    analyst = client_for("analyst")
    today = timezone.localdate()
    query = f"start={today - dt.timedelta(days=60)}&end={today}"
    response = analyst.get(f"/analytics/export/response-by-priority-month.csv?{query}")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "month,priority,interval,calls,p50_seconds,p90_seconds,p95_seconds"
    rolled = {
        (r.month.strftime("%Y-%m"), str(r.priority), r.metric): r
        for r in response_by_priority_month(today - dt.timedelta(days=60), today)
    }
    assert len(lines) - 1 == len(rolled)
    month, priority, metric, calls, p50, *_ = lines[1].split(",")
    assert int(calls) == rolled[(month, priority, metric)].calls
    assert float(p50) == pytest.approx(rolled[(month, priority, metric)].p50, abs=0.05)
    page = analyst.get(f"/analytics/?{query}").content.decode()
    assert "Received to dispatched, p90 by priority" in page
    assert "<polyline" in page


def test_an_existing_install_gets_its_citywide_rollup_from_the_per_beat_one(
    agency: dict[str, Any],
) -> None:
    """Upgrading: migration 0002 sums the WeeklyCount rows an install already holds."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("analytics", "0001_rollups")]
    after = [("analytics", "0002_weekly_type_count")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        weekly = old.get_model("analytics", "WeeklyCount")
        noise = CallType.objects.get(code="NOISE")
        monday = dt.date(2026, 3, 2)
        weekly.objects.bulk_create(
            [
                weekly(week=monday, call_type_id=noise.pk, beat_id=agency["a1"].pk, calls=3),
                weekly(week=monday, call_type_id=noise.pk, beat_id=agency["b1"].pk, calls=4),
                weekly(week=monday, call_type_id=None, beat_id=None, calls=1),
            ]
        )
        executor = MigrationExecutor(connection)  # a fresh graph, as `migrate` has
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    rows = sorted(
        WeeklyTypeCount.objects.values_list("week", "call_type_id", "calls"),
        key=lambda r: (r[1] is not None, r[1] or 0),
    )
    assert rows == [(monday, None, 1), (monday, noise.pk, 7)]
