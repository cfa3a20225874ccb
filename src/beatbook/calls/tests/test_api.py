from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from beatbook.accounts import services as account_services
from beatbook.calls.models import Call
from beatbook.calls.tests.factories import intake
from beatbook.core.testing import INSIDE_A1, INSIDE_B1, OUTSIDE

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(agency: dict[str, Any]) -> Any:
    """api("dispatcher") → a client that authenticates with that persona's API token."""

    def make(name: str) -> Client:
        _, raw = account_services.api_token_issue(
            actor=agency["admin"], user=agency[name], name="tests"
        )
        return Client(HTTP_AUTHORIZATION=f"Token {raw}")

    return make


def new_call(**overrides: Any) -> dict[str, Any]:
    body = {
        "call_type": "NOISE",
        "source": "phone",
        "description": "Loud party",
        "lat": INSIDE_A1[0],
        "lon": INSIDE_A1[1],
        "caller_name": "Ann Example",
        "caller_phone": "206-555-0100",
    }
    body.update(overrides)
    return body


class TestCallCreateApi:
    def test_creates_a_call_with_its_number_beat_and_triage(self, api: Any) -> None:
        response = api("dispatcher").post(
            "/api/v1/calls/", new_call(), content_type="application/json"
        )
        assert response.status_code == 201
        body = response.json()
        assert body["number"].startswith("CFS-")
        assert body["beat"] == "A1"
        assert body["status"] == "queued"
        assert body["needs_escalation"] is False
        flagged = api("dispatcher").post(
            "/api/v1/calls/", new_call(description="He has a gun"), content_type="application/json"
        )
        assert flagged.json()["needs_escalation"] is True
        assert flagged.json()["status"] == "received"
        assert "weapon" in flagged.json()["triage_reasons"][0]

    def test_same_idempotency_key_never_makes_two_calls(self, api: Any) -> None:
        client = api("dispatcher")
        first = client.post(
            "/api/v1/calls/",
            new_call(),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="phone-retry-1",
        )
        retry = client.post(
            "/api/v1/calls/",
            new_call(),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="phone-retry-1",
        )
        assert first.status_code == retry.status_code == 201
        assert retry.json()["number"] == first.json()["number"]
        assert retry["Idempotent-Replayed"] == "true"
        assert Call.objects.count() == 1
        other = client.post(
            "/api/v1/calls/",
            new_call(description="Different"),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="phone-retry-1",
        )
        assert other.status_code == 422
        assert other.json()["code"] == "idempotency_key_reused"

    def test_a_refused_create_can_be_retried_with_the_same_key(self, api: Any) -> None:
        client = api("dispatcher")
        bad = client.post(
            "/api/v1/calls/",
            new_call(lat=OUTSIDE[0], lon=OUTSIDE[1]),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k2",
        )
        assert bad.status_code == 400
        assert bad.json()["code"] == "outside_agency_area"
        assert "outside the agency's area" in bad.json()["detail"]
        good = client.post(
            "/api/v1/calls/",
            new_call(lat=OUTSIDE[0], lon=OUTSIDE[1]) | {"lat": INSIDE_A1[0], "lon": INSIDE_A1[1]},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k2",
        )
        # The refusal stored nothing, so the corrected request goes through under the same key.
        assert good.status_code == 201
        assert Call.objects.count() == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            (new_call(call_type="NOPE"), None),
            (new_call(lat=None, lon=None), "non_field_errors"),
            (new_call(source="carrier pigeon"), "source"),
            (new_call(lat=91), "lat"),
        ],
    )
    def test_bad_input_gets_a_specific_error_and_writes_nothing(
        self, api: Any, body: Any, field: str | None
    ) -> None:
        response = api("dispatcher").post("/api/v1/calls/", body, content_type="application/json")
        assert response.status_code in (400, 404)
        payload = response.json()
        assert set(payload) >= {"code", "detail"}
        if field:
            assert payload["code"] == "invalid_input"
            assert field in payload["fields"]
        assert Call.objects.count() == 0

    def test_analyst_may_read_but_not_create(self, api: Any) -> None:
        analyst = api("analyst")
        assert analyst.get("/api/v1/calls/").status_code == 200
        response = analyst.post("/api/v1/calls/", new_call(), content_type="application/json")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_call(agency: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    _, raw = account_services.api_token_issue(
        actor=agency["admin"], user=agency["dispatcher"], name="race"
    )
    statuses: list[int] = []

    def send() -> None:
        client = Client(HTTP_AUTHORIZATION=f"Token {raw}")
        statuses.append(
            client.post(
                "/api/v1/calls/",
                new_call(),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="race",
            ).status_code
        )
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Call.objects.count() == 1
    assert set(statuses) <= {201, 409}


class TestCallStepsApi:
    def test_dispatch_and_work_a_call_through_the_api(
        self, api: Any, agency: dict[str, Any]
    ) -> None:
        desk, field = api("dispatcher"), api("cso")
        call_id = desk.post("/api/v1/calls/", new_call(), content_type="application/json").json()[
            "id"
        ]
        recs = desk.get(f"/api/v1/calls/{call_id}/recommendations/").json()
        assert recs[0]["call_sign"] == "U-cso"
        assert recs[0]["reasons"]
        unit_id = recs[0]["unit_id"]
        assert (
            desk.post(
                f"/api/v1/calls/{call_id}/dispatch/",
                {"unit_id": unit_id},
                content_type="application/json",
            ).json()["status"]
            == "dispatched"
        )
        for step, status in (("en-route", "en_route"), ("on-scene", "on_scene")):
            response = field.post(
                f"/api/v1/calls/{call_id}/{step}/", {}, content_type="application/json"
            )
            assert response.json()["status"] == status
        refused = field.post(
            f"/api/v1/calls/{call_id}/clear/",
            {"disposition": "bogus"},
            content_type="application/json",
        )
        assert refused.status_code == 400
        assert "disposition" in refused.json()["fields"]
        cleared = field.post(
            f"/api/v1/calls/{call_id}/clear/",
            {"disposition": "advised", "note": "Quiet now"},
            content_type="application/json",
        )
        assert cleared.json()["status"] == "cleared"
        assert cleared.json()["closed_at"]

    def test_a_step_out_of_order_answers_409_with_the_reason(
        self, api: Any, agency: dict[str, Any]
    ) -> None:
        call = intake(agency["dispatcher"])
        response = api("dispatcher").post(
            f"/api/v1/calls/{call.pk}/on-scene/", {}, content_type="application/json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "call_transition_refused"
        assert "is queued" in response.json()["detail"]

    def test_cso_of_another_team_gets_404(self, api: Any, agency: dict[str, Any]) -> None:
        call = intake(agency["dispatcher"])
        response = api("cso_other_team").post(
            f"/api/v1/calls/{call.pk}/escalate/", {"reason": "x"}, content_type="application/json"
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_list_filters(self, api: Any, agency: dict[str, Any]) -> None:
        intake(agency["dispatcher"])
        intake(
            agency["dispatcher"],
            code="ANIMAL",
            description="Dog",
            lat=INSIDE_B1[0],
            lon=INSIDE_B1[1],
        )
        client = api("analyst")
        assert client.get("/api/v1/calls/?beat=B1").json()["count"] == 1
        assert client.get("/api/v1/calls/?call_type=NOISE").json()["count"] == 1
        assert client.get("/api/v1/calls/?status=queued").json()["count"] == 2
        assert client.get("/api/v1/calls/?status=cleared").json()["count"] == 0
        assert client.get("/api/v1/calls/?status=nonsense").status_code == 400
        assert client.get("/api/v1/calls/?page_size=100000").status_code == 200

    def test_units_status_and_position(self, api: Any, agency: dict[str, Any]) -> None:
        unit_id = agency["cso_unit"].pk
        cso = api("cso")
        response = cso.post(
            f"/api/v1/units/{unit_id}/position/",
            {"lat": 47.61, "lon": -122.33},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["lat"] == 47.61
        other = agency["cso_north_2_unit"].pk
        assert (
            cso.post(
                f"/api/v1/units/{other}/status/",
                {"status": "available"},
                content_type="application/json",
            ).status_code
            == 403
        )
        assert (
            api("cso_other_team")
            .post(
                f"/api/v1/units/{unit_id}/status/",
                {"status": "busy"},
                content_type="application/json",
            )
            .status_code
            == 404
        )
        assert api("dispatcher").post(
            f"/api/v1/units/{unit_id}/status/",
            {"status": "out_of_service"},
            content_type="application/json",
        ).json()["status"] == ("out_of_service")

    def test_call_types_and_schema(self, api: Any) -> None:
        client = api("cso")
        codes = {t["code"] for t in client.get("/api/v1/calls/types/").json()}
        assert {"NOISE", "PARKING", "TCCOLL", "TCEVENT", "DISORD"} <= codes
        schema = client.get("/api/schema/?format=json")
        assert schema.status_code == 200
        paths = schema.json()["paths"]
        assert "/api/v1/calls/{call_id}/dispatch/" in paths
        assert Client().get("/api/schema/").status_code in (401, 403)


def test_openapi_schema_generates_without_warnings(capsys: Any) -> None:
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    err = capsys.readouterr().err
    assert "Warning" not in err
    assert "Error" not in err
