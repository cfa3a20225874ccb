from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beatbook.calls import services
from beatbook.calls.selectors import (
    board_snapshot,
    call_get,
    call_list,
    field_view,
    unit_recommendations,
)
from beatbook.calls.tests.factories import intake
from beatbook.core.exceptions import NotFound
from beatbook.core.testing import INSIDE_B1
from beatbook.roster.choices import UnitStatus

pytestmark = pytest.mark.django_db


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
        assert [r.unit.call_sign for r in ranked] == ["U-cso", "U-cso_north_2", "U-cso_other_team"]
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
        assert [r.unit.call_sign for r in unit_recommendations(call=second)] == ["U-cso_north_2"]

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
        assert len(few) == len(many) == 3


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
