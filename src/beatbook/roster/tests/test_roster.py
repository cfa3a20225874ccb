from __future__ import annotations

from typing import Any

import pytest

from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.roster import services
from beatbook.roster.exceptions import AlarmAlreadyAcknowledged, NoOpenPatrol, PatrolAlreadyOpen
from beatbook.roster.models import EmergencyAlarm, PatrolLog
from beatbook.roster.selectors import alarm_list_active

pytestmark = pytest.mark.django_db


class TestPatrols:
    def test_start_checkpoint_end(self, agency: dict[str, Any]) -> None:
        unit, cso = agency["cso_unit"], agency["cso"]
        patrol = services.patrol_start(actor=cso, unit=unit, beat=agency["a1"])
        with pytest.raises(PatrolAlreadyOpen):
            services.patrol_start(actor=cso, unit=unit, beat=agency["a1"])
        services.checkpoint_add(
            actor=cso, unit=unit, label="Cal Anderson Park", note="Lights out by the tennis courts"
        )
        with pytest.raises(ValidationFailed):
            services.checkpoint_add(actor=cso, unit=unit, label="  ")
        services.patrol_end(actor=cso, unit=unit, notes="Quiet")
        patrol.refresh_from_db()
        assert patrol.ended_at
        assert patrol.checkpoints.get().label == "Cal Anderson Park"
        assert [h.verb for h in history_for(patrol)] == [
            "patrol started",
            "checkpoint logged",
            "patrol ended",
        ]
        with pytest.raises(NoOpenPatrol):
            services.patrol_end(actor=cso, unit=unit)

    def test_a_cso_cannot_run_another_units_patrol(self, agency: dict[str, Any]) -> None:
        with pytest.raises(PermissionDenied):
            services.patrol_start(
                actor=agency["cso"], unit=agency["cso_north_2_unit"], beat=agency["a1"]
            )

    def test_field_page_patrol_flow(self, client_for: Any) -> None:
        client = client_for("cso")
        client.post("/roster/me/patrol-start/", {"beat": "A1"})
        client.post("/roster/me/checkpoint/", {"label": "School gate", "note": "Locked"})
        page = client.get("/calls/field/").content.decode()
        assert "Patrolling beat <strong>A1</strong>" in page
        assert "School gate" in page
        client.post("/roster/me/patrol-end/", {"notes": ""})
        assert not PatrolLog.objects.filter(ended_at__isnull=True).exists()
        bad = client.post("/roster/me/patrol-start/", {"beat": "ZZ"}, follow=True)
        assert "No beat named" in bad.content.decode()


class TestEmergencyAlarm:
    def test_raise_shows_until_acknowledged(self, agency: dict[str, Any], client_for: Any) -> None:
        response = client_for("cso").post(
            "/roster/me/emergency/", {"lat": 47.61, "lon": -122.33}, HTTP_ACCEPT="application/json"
        )
        assert response.json() == {"status": "ok"}
        alarm = alarm_list_active().get()
        assert (alarm.lat, alarm.unit) == (47.61, agency["cso_unit"])
        with pytest.raises(PermissionDenied):
            services.alarm_acknowledge(actor=agency["cso_north_2"], alarm=alarm)
        client_for("dispatcher").post(f"/roster/alarms/{alarm.pk}/acknowledge/")
        alarm.refresh_from_db()
        assert alarm.acknowledged_by == agency["dispatcher"]
        assert not alarm_list_active().exists()
        with pytest.raises(AlarmAlreadyAcknowledged, match="Already acknowledged by"):
            services.alarm_acknowledge(actor=agency["supervisor"], alarm=alarm)

    def test_only_the_cso_in_danger_raises_their_alarm(self, agency: dict[str, Any]) -> None:
        with pytest.raises(PermissionDenied):
            services.alarm_raise(actor=agency["dispatcher"], unit=agency["cso_unit"])
        assert not EmergencyAlarm.objects.exists()


def test_unit_status_rules(agency: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed):
        services.unit_status_set(actor=agency["cso"], unit=agency["cso_unit"], status="napping")
    with pytest.raises(PermissionDenied):
        services.unit_status_set(
            actor=agency["cso"], unit=agency["cso_north_2_unit"], status="available"
        )
    unit = services.unit_status_set(
        actor=agency["cso"], unit=agency["cso_unit"], status="out_of_service"
    )
    assert history_for(unit).last().data == {
        "from": "available",
        "to": "out_of_service",
        "reason": "",
    }
