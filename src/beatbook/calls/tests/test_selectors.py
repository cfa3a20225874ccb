from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beatbook.accounts.models import Team, User
from beatbook.calls import services
from beatbook.calls.ranking import Roster, rank_units
from beatbook.calls.selectors import (
    board_map_points,
    board_snapshot,
    call_get,
    call_list,
    field_view,
    unit_recommendations,
)
from beatbook.calls.tests.factories import intake
from beatbook.core.exceptions import NotFound
from beatbook.core.geo import distance_m
from beatbook.core.testing import INSIDE_B1
from beatbook.roster.choices import UnitStatus
from beatbook.roster.models import Shift, Unit

pytestmark = pytest.mark.django_db


class TestRankUnits:
    def test_numpy_ranking_equals_the_scalar_formula(self) -> None:
        rng = np.random.default_rng(7)
        n = 300
        lat = 47.5 + rng.random(n) / 5
        lon = -122.4 + rng.random(n) / 5
        lat[::17] = np.nan  # some positions unknown
        active, today = rng.integers(0, 3, n), rng.integers(0, 8, n)
        covers = rng.random(n) < 0.3
        signs = sorted(f"U-{i:03d}" for i in range(n))
        roster = Roster(
            pk=np.arange(n),
            call_sign=signs,
            name=[""] * n,
            lat=np.radians(lat),
            lon=np.radians(lon),
            active=active,
            today=today,
            covers=covers,
        )
        expected = []
        for i in range(n):
            km = 25.0 if np.isnan(lat[i]) else distance_m(lat[i], lon[i], 47.6, -122.3) / 1000
            score = km + 2.0 * active[i] + 0.2 * today[i] - (0.5 if covers[i] else 0)
            expected.append((round(score, 2), signs[i]))
        expected.sort()
        ranking = rank_units(roster, lat=47.6, lon=-122.3, limit=10)
        assert [signs[i] for i in ranking.order] == [sign for _, sign in expected[:10]]
        assert [float(ranking.score[i]) for i in ranking.order] == [s for s, _ in expected[:10]]


class TestCallScope:
    def test_cso_sees_calls_in_their_teams_beats_only(self, agency: dict[str, Any]) -> None:
        north = intake(agency["dispatcher"])
        south = intake(agency["dispatcher"], lat=INSIDE_B1[0], lon=INSIDE_B1[1])
        assert list(call_list(viewer=agency["cso"])) == [north]
        assert call_get(viewer=agency["cso"], call_id=north.pk) == north
        with pytest.raises(NotFound):
            call_get(viewer=agency["cso"], call_id=south.pk)
        assert call_get(viewer=agency["cso_other_team"], call_id=south.pk) == south

    def test_cso_sees_a_call_assigned_to_them_outside_their_beats(
        self, agency: dict[str, Any]
    ) -> None:
        south = intake(agency["dispatcher"], lat=INSIDE_B1[0], lon=INSIDE_B1[1])
        services.call_dispatch(actor=agency["dispatcher"], call=south, unit=agency["cso_unit"])
        assert call_get(viewer=agency["cso"], call_id=south.pk) == south

    @pytest.mark.parametrize("role", ["dispatcher", "supervisor", "analyst", "admin"])
    def test_desk_and_analysts_see_every_call(self, agency: dict[str, Any], role: str) -> None:
        intake(agency["dispatcher"])
        intake(agency["dispatcher"], lat=INSIDE_B1[0], lon=INSIDE_B1[1])
        assert call_list(viewer=agency[role]).count() == 2


class TestUnitRecommendations:
    def test_ranks_available_on_duty_units_by_distance_and_load_with_reasons(
        self, agency: dict[str, Any]
    ) -> None:
        call = intake(agency["dispatcher"])
        ranked = unit_recommendations(call=call)
        assert [r.call_sign for r in ranked] == ["U-cso", "U-cso_north_2", "U-cso_other_team"]
        first = ranked[0]
        assert first.reasons[0].endswith("km away")
        assert "no active calls" in first.reasons
        assert "team covers beat A1" in first.reasons
        assert "team covers beat A1" not in ranked[2].reasons

    def test_busy_and_out_of_service_units_are_left_out(self, agency: dict[str, Any]) -> None:
        first = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=first, unit=agency["cso_unit"])
        other = agency["cso_other_team_unit"]
        other.status = UnitStatus.OUT_OF_SERVICE
        other.save()
        second = intake(agency["dispatcher"], code="ANIMAL", description="Stray dog")
        assert [r.call_sign for r in unit_recommendations(call=second)] == ["U-cso_north_2"]

    def test_load_and_unknown_position_count_against_a_unit(self, agency: dict[str, Any]) -> None:
        first = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=first, unit=agency["cso_unit"])
        services.call_on_scene(actor=agency["cso"], call=first)
        services.call_clear(actor=agency["cso"], call=first, disposition="advised")
        lost = agency["cso_other_team_unit"]
        lost.lat = lost.lon = None
        lost.save()
        ranked = {r.call_sign: r for r in unit_recommendations(call=intake(agency["dispatcher"]))}
        back = ranked["U-cso"]
        assert (back.active_calls, back.calls_today) == (0, 1)
        assert "1 call(s) today" in back.reasons
        assert back.score == round(back.distance_m / 1000 + 0.2 - 0.5, 2)
        assert ranked["U-cso_other_team"].distance_m is None
        assert ranked["U-cso_other_team"].score == 25.0
        assert "position unknown" in ranked["U-cso_other_team"].reasons

    def test_a_flagged_call_gets_no_cso_recommendation(self, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"], code="WELFARE", description="Man with a knife")
        assert unit_recommendations(call=call) == []


class TestBoardSnapshot:
    def test_splits_flagged_queue_and_active(self, agency: dict[str, Any]) -> None:
        queued = intake(agency["dispatcher"])
        flagged = intake(agency["dispatcher"], code="DISORD", description="Shouting")
        worked = intake(agency["dispatcher"], code="ANIMAL", description="Dog")
        services.call_dispatch(actor=agency["dispatcher"], call=worked, unit=agency["cso_unit"])
        board = board_snapshot()
        assert board.flagged == [flagged]
        assert board.queue == [queued]
        assert board.active == [worked]
        unit = next(u for u in board.units if u.pk == agency["cso_unit"].pk)
        assert unit.current_call == worked

    def test_query_count_does_not_grow_with_the_number_of_calls(
        self, agency: dict[str, Any]
    ) -> None:
        for i in range(3):
            intake(agency["dispatcher"], description=f"Call {i}", lat=47.601 + i * 0.004)
        with CaptureQueriesContext(connection) as few:
            board_snapshot()
        for i in range(12):
            intake(
                agency["dispatcher"], code="ANIMAL", description=f"Dog {i}", lat=47.601 + i * 0.001
            )
        with CaptureQueriesContext(connection) as many:
            board_snapshot()
        assert len(few) == len(many) == 6

    def test_rendering_the_board_reads_nothing_more_per_call(self, agency: dict[str, Any]) -> None:
        """The board loads only the fields its template reads (BOARD_FIELDS and
        BOARD_UNIT_FIELDS): one more field read would cost a query for every call or unit,
        and this count would grow."""
        from django.template.loader import render_to_string

        def render() -> tuple[str, int]:
            with CaptureQueriesContext(connection) as queries:
                body = render_to_string("calls/_board_body.html", {"board": board_snapshot()})
                board_map_points(board_snapshot())
            return body, len(queries)

        first = intake(agency["dispatcher"], description="Loud music")
        services.call_dispatch(actor=agency["dispatcher"], call=first, unit=agency["cso_unit"])
        intake(agency["dispatcher"], code="DISORD", description="Shouting")
        _, few = render()
        queued = [
            intake(agency["dispatcher"], code="ANIMAL", description=f"Dog {i}", lat=47.601)
            for i in range(4)
        ]
        worked = intake(agency["dispatcher"], code="PARKING", description="Blocked driveway")
        services.call_dispatch(
            actor=agency["dispatcher"], call=worked, unit=agency["cso_north_2_unit"]
        )
        relief = User.objects.create(
            username="relief",
            role="cso",
            first_name="Rae",
            last_name="Lief",
            team=Team.objects.get(name="North"),
        )
        Unit.objects.create(call_sign="U-relief", user=relief, lat=47.61, lon=-122.33)
        now = timezone.now()
        Shift.objects.create(user=relief, starts_at=now, ends_at=now + dt.timedelta(hours=8))
        body, many = render()
        assert few == many
        assert "Rae Lief" in body  # on shift: listed with their name
        assert "U-relief" in body
        assert f"dup? {queued[0].number}" in body  # the later dogs look like the first
        assert "Shouting" not in body  # a flagged call shows why, not what the caller said
        assert worked.number in body
        assert agency["cso_north_2_unit"].call_sign in body
        assert "beat A1" in body

    def test_long_lists_show_the_most_urgent_with_the_total(
        self, agency: dict[str, Any], client_for: Any, settings: Any
    ) -> None:
        settings.BEATBOOK_BOARD_LIST_LIMIT = 4
        calls = [
            intake(agency["dispatcher"], description=f"Call {i}", lat=47.601 + i * 0.002)
            for i in range(6)
        ]
        urgent = intake(agency["dispatcher"], code="ANIMAL", description="Dog in traffic")
        board = board_snapshot()
        assert board.queue_total == 7
        expected = sorted(calls + [urgent], key=lambda c: (c.priority, c.received_at))[:4]
        assert board.queue == expected
        page = client_for("dispatcher").get("/calls/board/").content.decode()
        assert "Queue (7)" in page
        assert "The 4 most urgent of 7 waiting." in page
        assert calls[-1].number not in page
        points = client_for("dispatcher").get("/calls/board/map.json").json()["calls"]
        assert len(points) == 7  # the map is not capped at the list's length


class TestFieldView:
    def test_shows_current_call_assigned_queue_and_team_queue(self, agency: dict[str, Any]) -> None:
        current = intake(agency["dispatcher"])
        waiting = intake(agency["dispatcher"], code="ANIMAL", description="Dog")
        services.call_dispatch(actor=agency["dispatcher"], call=current, unit=agency["cso_unit"])
        services.call_en_route(actor=agency["cso"], call=current)
        view = field_view(user=agency["cso"])
        assert view.current == current
        assert view.assigned == []
        assert view.nearby_queue == [waiting]
        assert field_view(user=agency["cso_other_team"]).nearby_queue == []

    def test_a_new_assignment_waits_in_the_list_until_the_cso_goes_en_route(
        self, agency: dict[str, Any]
    ) -> None:
        call = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        view = field_view(user=agency["cso"])
        assert view.current is None
        assert view.assigned == [call]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan guard reads EXPLAIN")
def test_the_duplicate_check_reads_the_index_of_open_calls(agency: dict[str, Any]) -> None:
    """Plan guard (B2): the statuses are written into the query's text so that PostgreSQL can
    match the partial index of open calls, even with the generic plan of a prepared statement;
    with them sent as parameters it could not, and every intake would read closed calls too."""
    from beatbook.calls.selectors import _duplicate_params, _duplicate_sql

    call = intake(agency["dispatcher"])
    params = _duplicate_params(call)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("EXPLAIN " + _duplicate_sql(), params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "calls_call_open_type_time" in plan, plan
    # Walked in order of arrival and stopped at the first match: no sort of every candidate.
    assert "Sort" not in plan, plan


class TestCallCountsNear:
    def test_many_windows_in_one_query_count_as_measuring_each_call(
        self, agency: dict[str, Any], monkeypatch: Any
    ) -> None:
        """Scattered calls against windows of different places, radii and dates: each count
        is what measuring every call by hand gives, whatever cells the windows share, and the
        cells go in batches (made small here) of one query each."""
        import random

        from beatbook.calls import selectors
        from beatbook.calls.models import CallRecord, CallType
        from beatbook.calls.selectors import NearWindow, call_counts_near_many
        from beatbook.places.geometry import h3_cell

        rng = random.Random(11)
        types = list(CallType.objects.order_by("code")[:3])
        now = timezone.now()
        records = []
        for i in range(400):
            lat, lon = 47.61 + rng.uniform(-0.01, 0.01), -122.33 + rng.uniform(-0.015, 0.015)
            records.append(
                CallRecord(
                    source="test",
                    source_id=str(i),
                    original_code="X",
                    original_description="" if i % 7 else "Unlisted thing",
                    call_type=None if i % 7 == 0 else types[i % 3],
                    received_at=now - dt.timedelta(hours=rng.uniform(0, 24 * 60)),
                    lat=lat,
                    lon=lon,
                    h3_cell=h3_cell(lat, lon),
                )
            )
        CallRecord.objects.bulk_create(records)
        windows = [
            NearWindow(
                47.61 + rng.uniform(-0.008, 0.008),
                -122.33 + rng.uniform(-0.012, 0.012),
                rng.choice([40, 150, 400, 900]),
                start=now - dt.timedelta(days=rng.uniform(20, 60)),
                end=now - dt.timedelta(days=rng.uniform(0, 20)),
            )
            for _ in range(12)
        ]
        expected = []
        for w in windows:
            counts: dict[str, int] = {}
            for r in records:
                if (
                    w.start <= r.received_at < w.end
                    and distance_m(
                        w.lat,
                        w.lon,
                        r.lat,
                        r.lon,  # type: ignore[arg-type]
                    )
                    <= w.radius_m
                ):
                    label = r.call_type.name if r.call_type else r.original_description
                    counts[label] = counts.get(label, 0) + 1
            expected.append(counts)
        assert sum(sum(c.values()) for c in expected) > 100  # the windows catch calls
        assert any("Unlisted thing" in c for c in expected)
        monkeypatch.setattr(selectors, "_PAIRS_PER_QUERY", 25)
        pairs = sum(len(selectors.cells_covering(w.lat, w.lon, w.radius_m)) for w in windows)
        with CaptureQueriesContext(connection) as queries:
            found = call_counts_near_many(windows)
        assert len(queries) == -(-pairs // 25) + 1  # and the types' names, once
        assert found == expected
        # Most first, then by name.
        for counts in found:
            assert list(counts) == sorted(counts, key=lambda k: (-counts[k], k))
        assert call_counts_near_many([]) == []
