from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call
from beatbook.calls.tests.factories import intake
from beatbook.core.testing import INSIDE_A1, OUTSIDE

pytestmark = pytest.mark.django_db


def intake_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "call_type": "",
        "source": "phone",
        "description": "Dog barking all night",
        "address": "1510 Pine St",
        "caller_name": "Ann Example",
        "caller_phone": "206-555-0101",
    }
    data.update(overrides)
    return data


@pytest.fixture
def noise_id() -> int:
    from beatbook.calls.models import CallType

    return CallType.objects.get(code="NOISE").pk


class TestCallIntakeView:
    def test_takes_a_call_and_shows_it(self, client_for: Any, noise_id: int) -> None:
        client = client_for("dispatcher")
        response = client.post("/calls/new/", intake_form(call_type=noise_id))
        call = Call.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/calls/{call.pk}/"
        page = client.get(response["Location"]).content.decode()
        assert call.number in page
        assert "Recommended units" in page
        assert "U-cso" in page

    def test_a_pin_outside_the_area_is_a_form_error(self, client_for: Any, noise_id: int) -> None:
        response = client_for("dispatcher").post(
            "/calls/new/",
            intake_form(call_type=noise_id, address="", lat=OUTSIDE[0], lon=OUTSIDE[1]),
        )
        assert response.status_code == 400
        assert "outside the agency&#x27;s area" in response.content.decode()
        assert not Call.objects.exists()

    def test_needs_an_address_or_a_pin(self, client_for: Any, noise_id: int) -> None:
        response = client_for("dispatcher").post(
            "/calls/new/", intake_form(call_type=noise_id, address="")
        )
        assert response.status_code == 400
        assert "Give an address or drop a pin" in response.content.decode()

    def test_cso_cannot_open_the_desk_form(self, client_for: Any) -> None:
        assert client_for("cso").get("/calls/new/").status_code == 403


class TestCallActionsFromPages:
    def test_dispatcher_assigns_and_cso_works_the_call(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        call = intake(agency["dispatcher"])
        desk, field = client_for("dispatcher"), client_for("cso")
        desk.post(f"/calls/{call.pk}/dispatch/", {"unit_id": agency["cso_unit"].pk})
        field_page = field.get("/calls/field/").content.decode()
        assert call.number in field_page
        assert "En route" in field_page
        field.post(f"/calls/{call.pk}/en-route/")
        field.post(f"/calls/{call.pk}/on-scene/")
        field.post(f"/calls/{call.pk}/note/", {"text": "Owner agreed to keep the dog in"})
        field.post(f"/calls/{call.pk}/clear/", {"disposition": "advised"})
        call.refresh_from_db()
        assert call.status == CallStatus.CLEARED
        detail = desk.get(f"/calls/{call.pk}/").content.decode()
        for verb in ("dispatched", "marked en route", "marked on scene", "note added", "cleared"):
            assert verb in detail
        assert "Owner agreed" in detail

    def test_a_refused_step_comes_back_with_the_reason(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        call = intake(agency["dispatcher"])
        client = client_for("dispatcher")
        response = client.post(f"/calls/{call.pk}/clear/", {"disposition": "advised"}, follow=True)
        assert "is queued, so it cannot be cleared" in response.content.decode()

    def test_analyst_cannot_act_on_calls(self, client_for: Any, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        response = client_for("analyst").post(
            f"/calls/{call.pk}/cancel/", {"reason": "x"}, follow=True
        )
        assert "Your role may not cancel calls" in response.content.decode()
        call.refresh_from_db()
        assert call.status == CallStatus.QUEUED

    def test_forms_need_a_csrf_token(self, client_for: Any, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        client = client_for("dispatcher", csrf=True)
        assert client.post(f"/calls/{call.pk}/cancel/", {"reason": "x"}).status_code == 403


class TestBoard:
    def test_live_part_shows_the_queue_units_and_alarms(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        queued = intake(agency["dispatcher"])
        flagged = intake(agency["dispatcher"], code="WELFARE", description="Man with a knife")
        field = client_for("cso")
        field.post("/roster/me/emergency/", {"lat": INSIDE_A1[0], "lon": INSIDE_A1[1]})
        body = client_for("supervisor").get("/calls/board/live/").content.decode()
        assert queued.number in body
        assert flagged.number in body
        assert "EMERGENCY" in body
        assert "U-cso" in body

    def test_live_part_query_count_is_pinned(
        self, client_for: Any, agency: dict[str, Any], django_assert_max_num_queries: Any
    ) -> None:
        for i in range(8):
            intake(agency["dispatcher"], description=f"Call {i}", lat=47.601 + i * 0.002)
        client = client_for("dispatcher")
        client.get("/calls/board/live/")
        with django_assert_max_num_queries(12):
            client.get("/calls/board/live/")

    def test_map_points_are_json(self, client_for: Any, agency: dict[str, Any]) -> None:
        intake(agency["dispatcher"])
        data = client_for("dispatcher").get("/calls/board/map.json").json()
        assert len(data["calls"]) == 1
        assert len(data["units"]) == 3

    def test_call_list_filters_and_pages(self, client_for: Any, agency: dict[str, Any]) -> None:
        intake(agency["dispatcher"])
        client = client_for("analyst")
        assert "CFS-" in client.get("/calls/?status=open").content.decode()
        assert "No calls match" in client.get("/calls/?beat=B1").content.decode()


class TestListQueryCounts:
    def test_call_list_page_and_api_do_not_grow_with_rows(
        self, client_for: Any, agency: dict[str, Any], django_assert_max_num_queries: Any
    ) -> None:
        from beatbook.accounts import services as account_services

        for i in range(12):
            intake(agency["dispatcher"], description=f"Call {i}", lat=47.601 + i * 0.0015)
        page = client_for("analyst")
        _, raw = account_services.api_token_issue(
            actor=agency["admin"], user=agency["analyst"], name="pin"
        )
        from django.test import Client

        api = Client(HTTP_AUTHORIZATION=f"Token {raw}")
        page.get("/calls/")
        with django_assert_max_num_queries(10):
            assert page.get("/calls/").status_code == 200
        with django_assert_max_num_queries(6):
            assert api.get("/api/v1/calls/").json()["count"] == 12


def test_supervisor_overrides_a_false_flag_from_the_call_page(
    client_for: Any, agency: dict[str, Any]
) -> None:
    call = intake(agency["dispatcher"], code="CITASST", description="Kid hurt his knee, wants mum")
    page = client_for("supervisor").get(f"/calls/{call.pk}/").content.decode()
    assert "Override triage" in page
    client_for("supervisor").post(
        f"/calls/{call.pk}/override-triage/", {"reason": "Scraped knee, not an emergency"}
    )
    call.refresh_from_db()
    assert call.status == CallStatus.QUEUED
    assert client_for("dispatcher").post(f"/calls/{call.pk}/fly-away/").status_code == 404


class TestLiveRegionsAnswer204WhenNothingChanged:
    def test_board(self, client_for: Any, agency: dict[str, Any], settings: Any) -> None:
        import re

        settings.BEATBOOK_BOARD_REFRESH_SECONDS = 0  # every change rendered at once

        client = client_for("dispatcher")
        page = client.get("/calls/board/").content.decode()
        assert page.count('id="board-live"') == 1
        version = re.search(r'"X-Live-Version": "(\w+)"', page).group(1)
        assert client.get("/calls/board/live/", HTTP_X_LIVE_VERSION=version).status_code == 204
        intake(agency["dispatcher"])
        changed = client.get("/calls/board/live/", HTTP_X_LIVE_VERSION=version)
        assert changed.status_code == 200
        assert "CFS-" in changed.content.decode()

    def test_field_view(self, client_for: Any, agency: dict[str, Any]) -> None:
        import re

        from beatbook.calls import services

        client = client_for("cso")
        page = client.get("/calls/field/").content.decode()
        version = re.search(r'"X-Live-Version": "(\w+)"', page).group(1)
        assert client.get("/calls/field/", HTTP_X_LIVE_VERSION=version).status_code == 204
        call = intake(agency["dispatcher"])
        services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        assert (
            call.number in client.get("/calls/field/", HTTP_X_LIVE_VERSION=version).content.decode()
        )


class TestBoardIsRenderedOncePerChange:
    def test_dispatchers_share_one_render_until_something_changes(
        self, client_for: Any, agency: dict[str, Any], monkeypatch: Any
    ) -> None:
        from django.core.cache import cache

        from beatbook.calls import views

        cache.clear()
        renders = []
        real = views.board_snapshot
        monkeypatch.setattr(views, "board_snapshot", lambda **kw: renders.append(1) or real(**kw))
        first = intake(agency["dispatcher"])
        desk, supervisor = client_for("dispatcher"), client_for("supervisor")
        one = desk.get("/calls/board/live/").content.decode()
        two = supervisor.get("/calls/board/live/").content.decode()
        assert first.number in one
        assert first.number in two
        assert len(renders) == 1
        second = intake(agency["dispatcher"], code="ANIMAL", description="Dog")
        with time_machine.travel(dt.timedelta(seconds=1.5)):  # past the refresh interval
            # a busy board: this poll gets the last render and renders after its response …
            assert second.number not in desk.get("/calls/board/live/").content.decode()
            assert len(renders) == 2
            # … which every later poll gets
            assert second.number in supervisor.get("/calls/board/live/").content.decode()
        assert len(renders) == 2
        points = desk.get("/calls/board/map.json").json()["calls"]
        assert {p["number"] for p in points} == {first.number, second.number}
        assert supervisor.get("/calls/board/map.json").json()["calls"] == points
        assert len(renders) == 3  # the map's points, once for both

    def test_an_alarm_shows_at_once_with_each_users_own_csrf_token(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        from beatbook.roster import services as roster_services

        desk = client_for("dispatcher")
        desk.get("/calls/board/live/")
        roster_services.alarm_raise(
            actor=agency["cso"], unit=agency["cso_unit"], lat=47.611, lon=-122.331
        )
        page = desk.get("/calls/board/live/").content.decode()
        assert "EMERGENCY · U-cso" in page
        assert page.count("csrfmiddlewaretoken") == 1


class TestBoardRendersAtMostOncePerRefreshInterval:
    """Ten intakes a second would otherwise mean ten renders a second (B8)."""

    def test_a_poll_soon_after_a_render_gets_it_and_the_next_poll_catches_up(
        self, client_for: Any, agency: dict[str, Any], monkeypatch: Any, settings: Any
    ) -> None:
        import re

        from django.core.cache import cache

        from beatbook.calls import views

        settings.BEATBOOK_BOARD_REFRESH_SECONDS = 1.0
        cache.clear()
        renders = []
        real = views.board_snapshot
        monkeypatch.setattr(views, "board_snapshot", lambda **kw: renders.append(1) or real(**kw))
        desk = client_for("dispatcher")
        first = intake(agency["dispatcher"])
        with time_machine.travel(dt.datetime(2026, 12, 4, 12, 0, tzinfo=dt.UTC), tick=False):
            shown = desk.get("/calls/board/live/").content.decode()
            old_version = re.search(r'"X-Live-Version": "(\w+)"', shown).group(1)
            second = intake(agency["dispatcher"], code="ANIMAL", description="Dog")
            held = desk.get("/calls/board/live/", HTTP_X_LIVE_VERSION=old_version)
            assert held.status_code == 200  # the board changed: not a 204 …
            assert first.number in held.content.decode()
            assert second.number not in held.content.decode()  # … but the last render
            assert len(renders) == 1
            # the version it names is the render's, so the next poll asks again
            assert f'"X-Live-Version": "{old_version}"' in held.content.decode()
        at = dt.datetime(2026, 12, 4, 12, 0, 1, 500000, tzinfo=dt.UTC)
        with time_machine.travel(at, tick=False):
            # past the interval on a busy board: still the last render, and the new one made
            # after the response, for the next poll
            again = desk.get("/calls/board/live/", HTTP_X_LIVE_VERSION=old_version)
            assert second.number not in again.content.decode()
            assert len(renders) == 2
            caught_up = desk.get("/calls/board/live/", HTTP_X_LIVE_VERSION=old_version)
            assert second.number in caught_up.content.decode()
            assert len(renders) == 2
        with time_machine.travel(dt.datetime(2026, 12, 4, 12, 0, 9, tzinfo=dt.UTC), tick=False):
            # a quiet board (last render seconds ago) renders in the poll: shown at once
            fourth = intake(agency["dispatcher"], code="ANIMAL", description="Cat up a tree")
            assert fourth.number in desk.get("/calls/board/live/").content.decode()
            assert len(renders) == 3
            # a full page load is never held back (a dispatcher's own change shows at once)
            third = intake(agency["dispatcher"], code="NOISE", description="Drums")
            assert third.number in desk.get("/calls/board/").content.decode()

    def test_while_another_process_renders_a_poll_gets_the_last_render(
        self, client_for: Any, agency: dict[str, Any], settings: Any
    ) -> None:
        from django.core.cache import cache

        from beatbook.calls import views

        settings.BEATBOOK_BOARD_REFRESH_SECONDS = 1.0
        cache.clear()
        desk = client_for("dispatcher")
        first = intake(agency["dispatcher"])
        assert first.number in desk.get("/calls/board/live/").content.decode()
        second = intake(agency["dispatcher"], code="ANIMAL", description="Dog")
        with time_machine.travel(dt.timedelta(seconds=1.5)):  # busy: due for a new render
            cache.add(views.BOARD_RENDERING, 1, timeout=10)  # someone else is rendering
            page = desk.get("/calls/board/live/").content.decode()
            assert first.number in page
            assert second.number not in page
            assert cache.get(views.BOARD_RENDERING) == 1  # the other process's claim stands
            cache.delete(views.BOARD_RENDERING)
            assert second.number not in desk.get("/calls/board/live/").content.decode()
            assert cache.get(views.BOARD_RENDERING) is None  # this one rendered, gave it back
            assert second.number in desk.get("/calls/board/live/").content.decode()
