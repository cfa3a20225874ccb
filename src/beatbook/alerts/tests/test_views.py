from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from beatbook.alerts.models import Alert
from beatbook.alerts.tests.factories import draft, published
from beatbook.core.testing import assert_refused

pytestmark = pytest.mark.django_db


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "alert",
        "category": "Security",
        "event": "Car prowls",
        "headline": "Car prowls on Oak Street at night",
        "description": "Several cars were broken into overnight.",
        "urgency": "Expected",
        "severity": "Minor",
        "certainty": "Observed",
        "expires_at": (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


class TestStaffPages:
    def test_anonymous_and_wrong_roles_are_refused(
        self, client: Client, client_for: Any, agency: dict[str, Any]
    ) -> None:
        alert = draft(agency["cso"])
        for url in ("/alerts/", f"/alerts/{alert.pk}/", "/alerts/new/"):
            assert_refused(client.get(url))
        desk = client_for("dispatcher")
        assert desk.get("/alerts/").status_code == 200
        assert desk.get("/alerts/new/").status_code == 403
        assert desk.post("/alerts/new/", _form()).status_code == 403
        assert desk.post(f"/alerts/{alert.pk}/submit/").status_code == 403
        cso = client_for("cso")
        cso.post(f"/alerts/{alert.pk}/submit/")
        response = cso.post(f"/alerts/{alert.pk}/approve/")
        assert response.status_code == 403
        alert.refresh_from_db()
        assert alert.status == "submitted"

    def test_a_cso_drafts_through_the_form_and_errors_name_the_field(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        cso = client_for("cso")
        bad = cso.post("/alerts/new/", _form(headline="", headline_es="Robo", severity="Huge"))
        assert bad.status_code == 400
        page = bad.content.decode()
        assert "This field is required" in page
        assert "Give the Spanish description" in page
        assert not Alert.objects.exists()
        response = cso.post("/alerts/new/", _form(beats=[agency["b1"].pk]))
        alert = Alert.objects.get()
        assert response["Location"] == f"/alerts/{alert.pk}/"
        assert list(alert.beats.all()) == [agency["b1"]]

    def test_the_supervisor_sees_the_queue_and_approves(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        alert = draft(agency["cso"])
        client_for("cso").post(f"/alerts/{alert.pk}/submit/")
        supervisor = client_for("supervisor")
        assert alert.headline in supervisor.get("/alerts/").content.decode()
        supervisor.post(f"/alerts/{alert.pk}/approve/")
        alert.refresh_from_db()
        assert alert.status == "published"


class TestPortal:
    def test_live_alerts_show_without_staff_names_and_drafts_stay_hidden(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        live = published(agency["cso"], agency["supervisor"])
        hidden = draft(agency["cso"], headline="Draft about a suspect")
        page = client.get("/portal/alerts/").content.decode()
        assert live.headline in page
        assert hidden.headline not in page
        detail = client.get(f"/portal/alerts/{live.number}/").content.decode()
        assert "Tester" not in detail  # neither the author nor the approver is named
        assert "Pine St cerrada" in client.get("/es/portal/alerts/").content.decode()
