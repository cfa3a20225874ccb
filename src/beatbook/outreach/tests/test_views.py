from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from beatbook.core.history import history_for
from beatbook.core.testing import assert_refused
from beatbook.outreach.choices import EventKind, RegistrationStatus
from beatbook.outreach.models import Event, Registration
from beatbook.outreach.tests.factories import event, register

pytestmark = pytest.mark.django_db


def _form(**overrides: Any) -> dict[str, Any]:
    start = timezone.localtime() + dt.timedelta(days=10)
    data = {
        "kind": "safety_fair",
        "title": "Oak Street safety fair",
        "title_es": "Feria de seguridad de Oak Street",
        "venue": "Oak Street school yard",
        "address": "1511 Oak Street",
        "starts_at": start.strftime("%Y-%m-%dT10:00"),
        "ends_at": start.strftime("%Y-%m-%dT13:00"),
        "capacity": "50",
        "is_public": "on",
        "registration_open": "on",
    }
    data.update(overrides)
    return data


class TestAccess:
    def test_anonymous_is_sent_to_sign_in_and_a_dispatcher_cannot_organise(
        self, client: Client, client_for: Any, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        for url in ("/outreach/events/", f"/outreach/events/{fair.pk}/", "/outreach/events/new/"):
            assert_refused(client.get(url))
        desk = client_for("dispatcher")
        assert desk.get("/outreach/events/").status_code == 200
        assert desk.get(f"/outreach/events/{fair.pk}/").status_code == 200
        assert desk.get("/outreach/events/new/").status_code == 403
        assert desk.post("/outreach/events/new/", _form()).status_code == 403
        assert (
            desk.post(f"/outreach/events/{fair.pk}/walk-ins/", {"walk_ins": 3}).status_code == 403
        )
        assert desk.get(f"/outreach/events/{fair.pk}/edit/").status_code == 403
        fair.refresh_from_db()
        assert fair.walk_ins == 0

    def test_a_cso_cannot_approve_a_block_party_request(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        party = event(agency["cso"], kind=EventKind.BLOCK_PARTY)
        request = register(party)
        url = f"/outreach/events/{party.pk}/registrations/{request.pk}/decide/"
        response = client_for("cso").post(url, {"approve": "yes"})
        assert response.status_code == 403
        request.refresh_from_db()
        assert request.status == RegistrationStatus.PENDING
        assert client_for("supervisor").post(url, {"approve": "yes"}).status_code == 302
        request.refresh_from_db()
        assert request.status == RegistrationStatus.CONFIRMED


class TestStaffPages:
    def test_a_coordinator_schedules_an_event_and_records_the_day(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        coordinator = client_for("analyst")
        response = coordinator.post("/outreach/events/new/", _form())
        created = Event.objects.get()
        assert response["Location"] == f"/outreach/events/{created.pk}/"
        assert (created.beat, created.capacity, created.organiser) == (
            agency["b1"],
            50,
            agency["analyst"],
        )
        coordinator.post(f"/outreach/events/{created.pk}/walk-ins/", {"walk_ins": "7"})
        coordinator.post(
            f"/outreach/events/{created.pk}/material/", {"kind": "bike_lock", "quantity": "25"}
        )
        page = coordinator.get(f"/outreach/events/{created.pk}/").content.decode()
        assert "7 walk-ins" in page
        assert "25 × Bicycle locks" in page
        assert "Calls within 400 m" in page
        verbs = [e.verb for e in history_for(created)]
        assert verbs == ["event scheduled", "walk-ins recorded", "materials recorded"]

    def test_bad_input_comes_back_next_to_its_field(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        cso = client_for("cso")
        start = timezone.localtime() + dt.timedelta(days=3)
        response = cso.post(
            "/outreach/events/new/",
            _form(
                address="1 Nowhere Boulevard",
                ends_at=(start - dt.timedelta(days=1)).strftime("%Y-%m-%dT10:00"),
                starts_at=start.strftime("%Y-%m-%dT10:00"),
            ),
        )
        assert response.status_code == 400
        assert "must end after it starts" in response.content.decode()
        response = cso.post("/outreach/events/new/", _form(address="1 Nowhere Boulevard"))
        assert response.status_code == 400
        assert "address table" in response.content.decode()
        assert not Event.objects.exists()
        fair = event(agency["cso"])
        response = cso.post(f"/outreach/events/{fair.pk}/walk-ins/", {"walk_ins": "-2"})
        assert response.status_code == 400
        response = cso.post(f"/outreach/events/{fair.pk}/cancel/", {"reason": ""})
        assert response.status_code == 400
        fair.refresh_from_db()
        assert not fair.is_cancelled

    def test_the_event_page_counts_calls_nearby_before_and_after(
        self, client_for: Any, agency: dict[str, Any]
    ) -> None:
        from beatbook.calls.models import CallRecord, CallType
        from beatbook.outreach.selectors import event_calls_around
        from beatbook.places.geometry import h3_cell

        fair = event(agency["cso"])
        noise = CallType.objects.get(code="NOISE")
        close, far = (fair.lat + 0.001, fair.lon), (fair.lat + 0.02, fair.lon)
        # Days from the start (negative) or from the end (positive) of the event.
        calls = [(-3, close), (-20, close), (-5, far), (-40, close), (4, close), (15, close)]
        for i, (days, (lat, lon)) in enumerate(calls):
            at = fair.starts_at if days < 0 else fair.ends_at
            CallRecord.objects.create(
                source="test",
                source_id=str(i),
                received_at=at + dt.timedelta(days=days),
                call_type=noise,
                original_code="NOISE",
                lat=lat,
                lon=lon,
                h3_cell=h3_cell(lat, lon),  # as every import and every closed call stores it
            )

        # Before it: the 30 days before, nothing after yet.
        around = event_calls_around(fair)
        assert (around.days, around.before_days) == (0, 30)
        assert (around.total_before, around.total_after) == (2, 0)  # 111 m in; 2.2 km, 40 d out
        assert around.rows == [(noise.name, 2, 0)]
        analyst = client_for("analyst")
        upcoming = analyst.get(f"/outreach/events/{fair.pk}/").content.decode()
        assert 'id="before-after-link"' not in upcoming
        assert 'id="calls-around-later"' in upcoming
        assert "<th>After</th>" not in upcoming
        # Ten days on, each side counts ten days: the call 20 days before is not set against
        # ten days after, and the one 15 days after has not been counted yet.
        with time_machine.travel(fair.ends_at + dt.timedelta(days=10, hours=1)):
            around = event_calls_around(fair)
            assert (around.days, around.total_before, around.total_after) == (10, 1, 1)
            assert not around.complete
            held = client_for("analyst").get(f"/outreach/events/{fair.pk}/").content.decode()
            assert "10 days before and after" in held
            assert "10 whole days have passed since the event ended" in held
            assert 'id="before-after-link"' in held  # against the city's trend
        with time_machine.travel(fair.ends_at + dt.timedelta(days=31)):
            around = event_calls_around(fair)
            assert (around.days, around.total_before, around.total_after) == (30, 2, 2)
            assert around.complete
            page = client_for("analyst").get(f"/outreach/events/{fair.pk}/").content.decode()
            assert "30 days before and after" in page
            assert 'id="calls-around-partial"' not in page


class TestPortal:
    def test_the_calendar_lists_public_events_only_without_anyones_details(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        hidden = event(agency["cso"], title="Staff planning meeting", is_public=False)
        register(fair, 1, name="Maria Resident", phone="206-555-0199")
        page = client.get("/portal/events/").content.decode()
        assert fair.title in page
        assert hidden.title not in page
        detail = client.get(f"/portal/events/{fair.number}/").content.decode()
        for private in ("Maria Resident", "resident1@example.org", "206-555-0199", "1510 Pine"):
            assert private not in page
            assert private not in detail
        assert "Tester" not in detail  # the organiser's name is not public either
        assert client.get(f"/portal/events/{hidden.number}/").status_code == 404
        assert client.get(f"/portal/events/{hidden.number}/event.ics").status_code == 404

    def test_the_spanish_calendar_shows_the_spanish_title(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        page = client.get("/es/portal/events/").content.decode()
        assert "Feria de seguridad de Pine Street" in page
        assert "Eventos comunitarios" in page
        assert fair.number in page

    def test_a_resident_registers_and_cancels_through_the_emailed_link(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"], capacity=2)
        url = f"/portal/events/{fair.number}/"
        response = client.post(url, {"name": "Ana", "email": "ana@example.org", "party_size": "2"})
        registration = Registration.objects.get()
        assert response["Location"] == f"/portal/registrations/{registration.token}/"
        manage = client.get(response["Location"])
        assert "Confirmed" in manage.content.decode()
        assert manage["Cache-Control"] == "private, no-store"
        full = client.get(url).content.decode()
        assert 'id="seats-left">0<' in full
        assert "Join the waiting list" in full
        again = client.post(url, {"name": "Ana", "email": "ana@example.org", "party_size": "1"})
        assert again.status_code == 400
        assert "already registered" in again.content.decode()
        bad = client.post(url, {"name": "", "email": "not-an-email", "party_size": "11"})
        assert bad.status_code == 400
        assert Registration.objects.count() == 1
        client.post(response["Location"])
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.CANCELLED
        assert client.get("/portal/registrations/not-a-token/").status_code == 404

    def test_a_robot_filling_the_hidden_field_registers_nobody(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        client.post(
            f"/portal/events/{fair.number}/",
            {"name": "Bot", "email": "bot@example.org", "party_size": "1", "website": "x"},
        )
        assert not Registration.objects.exists()
