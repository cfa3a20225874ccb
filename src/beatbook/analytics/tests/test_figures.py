"""Every dashboard figure against values worked out by hand on a small fixture."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from beatbook.analytics.rollups import rollups_rebuild
from beatbook.analytics.scope import Scope
from beatbook.analytics.selectors import (
    hour_of_week,
    hourly_counts,
    percentile,
    response_by,
    volume_by_beat,
    volume_by_type,
    weekly,
)
from beatbook.calls.models import CallRecord, CallType

pytestmark = pytest.mark.django_db
MARCH = Scope(dt.date(2026, 3, 2), dt.date(2026, 3, 15))


def at(y: int, m: int, d: int, h: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def fixture(agency: dict[str, Any]) -> dict[str, Any]:
    noise, parking = CallType.objects.get(code="NOISE"), CallType.objects.get(code="PARKING")
    a1, b1 = agency["a1"], agency["b1"]
    rows = [
        # (when, type, beat, seconds to on scene)
        (at(2026, 3, 2, 14, 10), noise, a1, 600),
        (at(2026, 3, 2, 14, 40), noise, a1, 1200),
        (at(2026, 3, 3, 9, 0), noise, a1, 1800),
        (at(2026, 3, 10, 22, 0), noise, a1, 3600),
        (at(2026, 3, 4, 14, 5), parking, b1, 300),
        (at(2026, 3, 11, 8, 0), parking, b1, 4000),
        (at(2026, 3, 9, 14, 30), None, a1, None),
        # earlier years, for the same weeks last year and the seasonal baseline
        (at(2025, 2, 25, 10), noise, a1, None),
        (at(2025, 2, 25, 11), noise, a1, None),
        (at(2025, 3, 4, 12), noise, a1, None),
        *[(at(2024, 2, 27, 10 + i), noise, a1, None) for i in range(4)],
        (at(2024, 1, 2, 9), noise, b1, None),  # the record starts here, in an earlier week
    ]
    CallRecord.objects.bulk_create(
        CallRecord(
            source="test",
            source_id=str(n),
            received_at=when,
            on_scene_at=when + dt.timedelta(seconds=seconds) if seconds else None,
            response_seconds=seconds,
            call_type=call_type,
            original_code=call_type.code if call_type else "X9",
            beat=beat,
        )
        for n, (when, call_type, beat, seconds) in enumerate(rows)
    )
    rollups_rebuild()  # written behind the importer's back, as a data fix would be
    return {"noise": noise, "parking": parking, "a1": a1, "b1": b1}


def test_volume_by_type_and_beat(fixture: dict[str, Any]) -> None:
    assert volume_by_type(MARCH) == [
        ("Noise complaint", 4),
        ("Parking complaint", 2),
        ("Other (source codes)", 1),
    ]
    assert volume_by_beat(MARCH) == [("A1", 5), ("B1", 2)]
    only_b1 = Scope(MARCH.start, MARCH.end, beat_ids=(fixture["b1"].pk,))
    assert volume_by_type(only_b1) == [("Parking complaint", 2)]


def test_hour_of_week_in_local_time(fixture: dict[str, Any]) -> None:
    grid = hour_of_week(MARCH)
    assert grid[0][14] == 3  # Mondays 14:00-14:59
    assert (grid[1][9], grid[1][22], grid[2][14], grid[2][8]) == (1, 1, 1, 1)
    assert sum(map(sum, grid)) == 7


def test_a_range_starting_midweek_reads_from_monday_but_counts_only_its_own_days(
    fixture: dict[str, Any],
) -> None:
    """The dashboard counts calls by day and hour once, from the first week's Monday, for
    both the weekly lines and the grid: the days before the range are read but counted in
    neither."""
    wednesday = Scope(dt.date(2026, 3, 4), MARCH.end)
    hourly = hourly_counts(wednesday)
    assert hourly[(dt.date(2026, 3, 2), 14)] == 2  # Monday 2 March, before the range
    grid = hour_of_week(wednesday, hourly)
    assert grid[0][14] == 1  # Monday 9 March only
    assert sum(map(sum, grid)) == 4  # 4, 9, 10 and 11 March
    assert grid == hour_of_week(wednesday)
    first, second = weekly(wednesday, hourly)
    assert (first.start, first.count, first.complete) == (dt.date(2026, 3, 2), 1, False)
    assert (second.start, second.count, second.complete) == (dt.date(2026, 3, 9), 3, True)
    assert weekly(wednesday) == [first, second]


def test_weeks_with_last_year_and_the_seasonal_baseline(fixture: dict[str, Any]) -> None:
    first, second = weekly(MARCH)
    assert (first.complete, second.complete) == (True, True)
    assert (first.start, first.count, first.previous_year, first.baseline) == (
        dt.date(2026, 3, 2),
        4,
        2,  # week of 2025-02-24
        3.0,  # (2 in 2025 + 4 in 2024) / 2
    )
    assert (second.start, second.count, second.previous_year, second.baseline) == (
        dt.date(2026, 3, 9),
        3,
        1,
        0.5,
    )


def test_a_year_whose_week_the_record_only_partly_covers_is_left_out(
    fixture: dict[str, Any],
) -> None:
    """A history that starts on a Wednesday holds part of that week: it is not a quiet week
    for the baseline or the year before, it is not on record."""
    CallRecord.objects.filter(received_at__year=2024, received_at__month=1).delete()
    first, second = weekly(MARCH)  # the record now starts Tuesday 27 February 2024
    assert (first.previous_year, first.baseline) == (2, 2.0)  # 2025 only
    assert (second.previous_year, second.baseline) == (1, 0.5)  # 2024's week of 4 March counts
    CallRecord.objects.filter(received_at__year=2024).delete()
    CallRecord.objects.filter(received_at__date=dt.date(2025, 2, 25)).delete()
    first, _ = weekly(MARCH)  # the record starts Tuesday 4 March 2025: nothing a year before
    assert (first.previous_year, first.baseline) == (0, None)


def test_response_percentiles_and_share_meeting_the_target(fixture: dict[str, Any]) -> None:
    rows = {r.label: r for r in response_by(MARCH)}
    noise = rows["Noise complaint"]
    # 600, 1200, 1800, 3600 s: p50 = 1500 s, p90 = 1800 + 0.7 × 1800 = 3060 s; target 45 min.
    assert (noise.calls, noise.p50, noise.p90, noise.met_share) == (4, 25.0, 51.0, 0.75)
    parking = rows["Parking complaint"]
    # 300, 4000 s: p50 = 2150 s, p90 = 300 + 0.9 × 3700 = 3630 s; target 60 min.
    assert parking.p50 == pytest.approx(2150 / 60)
    assert parking.p90 == pytest.approx(60.5)
    assert parking.met_share == 0.5
    beats = {r.label: r for r in response_by(MARCH, "beat")}
    assert beats["A1"].calls == 4
    assert beats["A1"].met_share is None


def test_percentile_matches_postgresql_percentile_cont() -> None:
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10], 0.9) == 10
    assert percentile([], 0.5) is None
    assert percentile([0, 10, 20, 30, 40], 0.9) == pytest.approx(36.0)


def test_the_page_and_every_csv_for_an_analyst(fixture: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    query = "start=2026-03-02&end=2026-03-15"
    page = analyst.get(f"/analytics/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<p class="big" id="total-calls">7</p>' in html
    assert "−25 %" in html  # last week 3 vs 4 the week before
    assert "+200 %" in html  # vs 1 a year before
    assert "<svg" in html
    # Each month-by-priority chart says which interval it draws.
    months = html.split('id="chart-priority-months"')[1].split("</section>")[0]
    assert re.findall(r"<figcaption><h3>([^<]+)</h3></figcaption>", months) == [
        "Received to dispatched, p90 by priority",
        "Dispatched to on scene, p90 by priority",
    ]
    hot_spot_map = re.search(r'<div class="map" id="hotspot-map"[^>]*>', html)
    assert hot_spot_map is not None
    assert f'data-beats-url="{reverse("places:beat_geojson")}"' in hot_spot_map.group(0)
    assert "data-highlight-beats" not in hot_spot_map.group(0)
    with_beat = analyst.get(f"/analytics/?{query}&beat={fixture['b1'].pk}").content.decode()
    assert '<p class="big" id="total-calls">2</p>' in with_beat
    # Filtered to a beat, the map picks the beat out.
    assert f'data-highlight-beats="{fixture["b1"].pk}"' in with_beat

    def table(figure: str, extra: str = "") -> list[list[str]]:
        response = analyst.get(f"/analytics/export/{figure}.csv?{query}{extra}")
        assert response["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert table("volume-by-type")[1] == ["Noise complaint", "4"]
    assert table("volume-by-beat", f"&beat={fixture['b1'].pk}") == [["beat", "calls"], ["B1", "2"]]
    assert table("hour-of-week")[1][15] == "3"  # Monday, 14:00 (first column is the day)
    assert table("weekly")[1] == ["2026-03-02", "4", "2", "3.0"]
    assert table("response-by-type")[1] == ["Noise complaint", "4", "25.0", "51.0", "45", "0.750"]
    assert analyst.get(f"/analytics/export/nothing.csv?{query}").status_code == 404


def test_a_team_means_its_beats(fixture: dict[str, Any], client_for: Any, agency: Any) -> None:
    page = client_for("supervisor").get(
        f"/analytics/?start=2026-03-02&end=2026-03-15&team={agency['south'].pk}"
    )
    assert '<p class="big" id="total-calls">2</p>' in page.content.decode()


def test_bad_ranges_are_refused_clearly(client_for: Any) -> None:
    analyst = client_for("analyst")
    response = analyst.get("/analytics/?start=2026-03-15&end=2026-03-01")
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    assert analyst.get("/analytics/?start=2020-01-01&end=2026-01-01").status_code == 400
    assert analyst.get("/analytics/export/weekly.csv?start=nonsense").status_code == 400


def test_field_and_desk_roles_are_refused(client_for: Any) -> None:
    for role in ("cso", "dispatcher"):
        assert client_for(role).get("/analytics/").status_code == 403
        assert client_for(role).get("/analytics/export/weekly.csv").status_code == 403


def test_weeks_are_clipped_to_the_range_and_partial_weeks_not_compared(
    fixture: dict[str, Any], client_for: Any
) -> None:
    """From Tuesday 3 March: the week of 2 March counts only its days in the range."""
    first, *_ = weekly(Scope(dt.date(2026, 3, 3), dt.date(2026, 3, 15)))
    assert (first.start, first.count, first.complete) == (dt.date(2026, 3, 2), 2, False)
    page = client_for("analyst").get("/analytics/?start=2026-03-03&end=2026-03-15")
    # Only one complete week (9-15 March): nothing to compare it with.
    assert '<p class="big" id="week-change">—</p>' in page.content.decode()


def test_hot_spot_map_and_csv(fixture: dict[str, Any], client_for: Any, agency: Any) -> None:
    import h3

    march = CallRecord.objects.filter(received_at__year=2026).order_by("received_at")
    for n, record in enumerate(march):  # six in one cell, the seventh far away
        record.h3_cell = h3.latlng_to_cell(47.61 + (0 if n < 6 else 0.01 * n), -122.33, 9)
        record.save(update_fields=["h3_cell"])
    analyst = client_for("analyst")
    query = "start=2026-03-02&end=2026-03-15"
    geojson = analyst.get(f"/analytics/hot-spots.geojson?{query}").json()
    busiest = max(geojson["features"], key=lambda f: f["properties"]["calls"])
    assert busiest["properties"]["calls"] == 6
    assert busiest["geometry"]["type"] == "Polygon"
    rows = b"".join(analyst.get(f"/analytics/export/hot-spots.csv?{query}").streaming_content)
    lines = rows.decode().splitlines()
    assert lines[0] == (
        "h3_cell,calls,gi_star_z,p_value,confidence,hot_or_cold,confidence_uncorrected,p_from"
    )
    assert all(line.endswith(",normal approximation") for line in lines[1:])
    # The permutation test: the same cells, p from draws (9,999 for so small an area).
    tested = f"{query}&hot_spot_test=permutations"
    redrawn = analyst.get(f"/analytics/hot-spots.geojson?{tested}").json()
    assert sorted(f["properties"]["cell"] for f in redrawn["features"]) == sorted(
        f["properties"]["cell"] for f in geojson["features"]
    )
    rows = b"".join(analyst.get(f"/analytics/export/hot-spots.csv?{tested}").streaming_content)
    lines = rows.decode().splitlines()[1:]
    assert len(lines) > 7
    assert all(line.endswith(",9999 permutations") for line in lines)
    p_values = {float(line.split(",")[3]) for line in lines}
    assert min(p_values) >= 2 / 10_000  # a pseudo p is never below 2 / (draws + 1)
    assert len(p_values) > 1
    page = analyst.get(f"/analytics/?{tested}").content.decode()
    assert "pseudo p-value from 9,999 conditional permutations" in page
    assert "conditional permutations" not in analyst.get(f"/analytics/?{query}").content.decode()
    assert analyst.get("/analytics/hot-spots.geojson?start=x").status_code == 400
    wrong = analyst.get(f"/analytics/hot-spots.geojson?{query}&hot_spot_test=bootstrap")
    assert wrong.status_code == 400
    assert "hot_spot_test" in wrong.json()["detail"]
    wrong = analyst.get(f"/analytics/export/hot-spots.csv?{query}&hot_spot_test=bootstrap")
    assert wrong.status_code == 400
    assert b"hot_spot_test" in wrong.content
    assert client_for("cso").get(f"/analytics/hot-spots.geojson?{query}").status_code == 403
    assert client_for("cso").get(f"/analytics/hot-spots.geojson?{tested}").status_code == 403


def test_stages_of_a_call_p50_and_p90(agency: dict[str, Any], client_for: Any) -> None:
    from beatbook.analytics.selectors import stages_by

    noise = CallType.objects.get(code="NOISE")
    minute = dt.timedelta(minutes=1)
    for n, (dispatch, arrive, clear) in enumerate([(2, 10, 40), (4, 20, 60), (None, None, None)]):
        received = at(2026, 4, 6, 10 + n)
        CallRecord.objects.create(
            source="stages",
            source_id=str(n),
            received_at=received,
            dispatched_at=received + dispatch * minute if dispatch else None,
            on_scene_at=received + arrive * minute if arrive else None,
            cleared_at=received + clear * minute if clear else None,
            call_type=noise,
            original_code="NOISE",
            beat=agency["a1"],
        )
    # A type whose calls have no stage timed at all: counted, with no quantiles.
    CallRecord.objects.create(
        source="stages",
        source_id="untimed",
        received_at=at(2026, 4, 6, 15),
        call_type=CallType.objects.get(code="PARKING"),
        original_code="PARKING",
        beat=agency["a1"],
    )
    row, untimed = stages_by(Scope(dt.date(2026, 4, 6), dt.date(2026, 4, 6)))
    assert (row.label, row.calls) == ("Noise complaint", 3)
    assert (untimed.label, untimed.calls) == ("Parking complaint", 1)
    assert untimed.quantiles == ((None, None),) * 3
    # received → dispatched: 2 and 4 min; dispatched → on scene: 8 and 16; on scene → cleared:
    # 30 and 40. p50 is the middle, p90 is 90 % of the way from the lower to the upper.
    expected = ((3.0, 3.8), (12.0, 15.2), (35.0, 39.0))
    for (p50, p90), (want50, want90) in zip(row.quantiles, expected, strict=True):
        assert p50 == pytest.approx(want50)
        assert p90 == pytest.approx(want90)
    response = client_for("analyst").get(
        "/analytics/export/stages-by-type.csv?start=2026-04-06&end=2026-04-06"
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[1] == "Noise complaint,3,3.0,3.8,12.0,15.2,35.0,39.0"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="one statement on PostgreSQL; SQLite runs the three"
)
def test_the_dashboards_one_statement_equals_its_three_passes(fixture: dict[str, Any]) -> None:
    from beatbook.analytics.selectors import dashboard_passes, groups_by

    minute = dt.timedelta(minutes=1)
    for n, (dispatch, clear) in enumerate([(2, 40), (5, 50), (9, None)]):
        received = at(2026, 3, 12, 9 + n, 25)
        CallRecord.objects.create(
            source="stages",
            source_id=str(n),
            received_at=received,
            dispatched_at=received + dispatch * minute,
            on_scene_at=received + (dispatch + 7) * minute,
            cleared_at=received + clear * minute if clear else None,
            response_seconds=(dispatch + 7) * 60,
            call_type=fixture["parking"],
            original_code="PARKING",
            beat=None,  # a call without a beat is a group of its own
        )

    def by_key(groups: list[Any]) -> list[Any]:
        return sorted(groups, key=lambda g: (g.key is None, g.key or 0))

    types, beats, hourly = dashboard_passes(MARCH)
    assert by_key(types) == by_key(groups_by(MARCH, "call_type", stages=True))
    assert by_key(beats) == by_key(groups_by(MARCH, "beat"))
    assert hourly == hourly_counts(MARCH)
    # And the figures are the hand-computed ones: parking's stages over its three timed calls.
    parking = next(g for g in types if g.key == fixture["parking"].pk)
    assert (parking.calls, parking.timed) == (5, 5)
    assert parking.stages[0] == pytest.approx((300.0, 492.0))  # 2, 5, 9 min
    assert parking.stages[2] == pytest.approx((2070.0, 2238.0))  # 31 and 38 min
    assert [g.calls for g in beats if g.key is None] == [3]
    assert hourly[dt.date(2026, 3, 12), 10] == 1
    assert sum(hourly.values()) == 10  # the seven of March and these three


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan guard reads EXPLAIN")
def test_the_dashboards_statement_can_run_its_parts_side_by_side(fixture: dict[str, Any]) -> None:
    from beatbook.analytics.selectors import dashboard_statement

    sql, params = dashboard_statement(MARCH)
    with connection.cursor() as cursor:
        # A fixture's few rows are not worth a worker; make workers free to see that the
        # planner may use them (a part whose column needed a cast kept it from doing so).
        for setting in ("parallel_setup_cost", "parallel_tuple_cost"):
            cursor.execute(f"SET LOCAL {setting} = 0")
        cursor.execute("SET LOCAL min_parallel_table_scan_size = 0")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Parallel Append" in plan, plan
