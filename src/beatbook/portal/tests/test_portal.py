from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from beatbook.calls import services as call_services
from beatbook.calls.choices import CallSource, CallStatus
from beatbook.calls.models import Call, CallPhoto, CallSupporter
from beatbook.core.testing import INSIDE_A1, OUTSIDE
from beatbook.portal.models import PortalSubmission

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 60, 60))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"  # Make
    exif[0x8825] = {2: (47.0, 36.0, 0.0), 1: "N"}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def report(client: Client, code: str = "VEHABND", lang: str = "", **overrides: Any) -> Any:
    data = {
        "description": "Grey sedan, flat tyres, covered in leaves",
        "address": "1534 Pine St",
        "q_DAYS": "gt7",
        "q_PLATE": "ABC123",
        "idempotency_key": "key-1",
        "name": "Rosalind Canary",
        "email": "rosalind.canary@example.org",
        "phone": "206-555-0199",
    }
    data.update(overrides)
    prefix = f"/{lang}" if lang else ""
    return client.post(f"{prefix}/portal/report/{code}/", data)


class TestReporting:
    def test_a_report_enters_the_calls_flow_and_gives_a_tracking_link(self, agency: Any) -> None:
        client = Client()
        response = report(client)
        call = Call.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/portal/track/{call.public_token}/"
        assert len(call.public_token) >= 32
        assert call.source == CallSource.PORTAL
        assert call.status == CallStatus.QUEUED
        assert call.answers == {"DAYS": "gt7", "PLATE": "ABC123"}
        assert call.beat.name == "A1"
        page = client.get(response["Location"]).content.decode()
        assert call.number in page
        assert "1500 block of Pine St" in page
        assert "Rosalind" not in page
        assert "206-555-0199" not in page

    def test_spanish_pages_and_spanish_updates(
        self, agency: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        client = Client()
        home = client.get("/es/portal/").content.decode()
        assert "Informar un problema" in home
        assert "Vehículo abandonado" in home
        form = client.get("/es/portal/report/VEHABND/").content.decode()
        assert "¿Cuánto tiempo lleva ahí?" in form
        assert "Más de una semana" in form
        report(client, lang="es")
        call = Call.objects.get()
        assert call.contact_language == "es"
        track = client.get(f"/es/portal/track/{call.public_token}/").content.decode()
        assert "Recibido: en espera de un agente" in track
        assert "cuadra 1500 de Pine St" in track
        # The labels are memoised per language: English right after Spanish stays English.
        english = client.get(f"/portal/track/{call.public_token}/").content.decode()
        assert "Received: waiting for a community service officer" in english
        assert "1500 block of Pine St" in english
        with django_capture_on_commit_callbacks(execute=True):
            call_services.call_dispatch(
                actor=agency["dispatcher"], call=call, unit=agency["cso_unit"]
            )
        message = mail.outbox[-1]
        assert message.to == ["rosalind.canary@example.org"]
        assert "va en camino" in message.subject
        assert f"/es/portal/track/{call.public_token}/" in message.body

    def test_required_questions_and_location_are_checked(self, agency: Any) -> None:
        response = report(Client(), q_DAYS="", address="")
        body = response.content.decode()
        assert response.status_code == 400
        assert "Tell us where" in body
        assert "This field is required" in body
        assert not Call.objects.exists()

    def test_a_place_outside_the_agency_is_refused(self, agency: Any) -> None:
        response = report(Client(), address="", lat=OUTSIDE[0], lon=OUTSIDE[1])
        assert response.status_code == 400
        assert "outside the agency" in response.content.decode()

    def test_emergency_wording_stops_the_report(self, agency: Any) -> None:
        response = report(Client(), description="A man with a knife is breaking the windows")
        body = response.content.decode()
        assert response.status_code == 400
        assert "Call 911 now" in body
        assert not Call.objects.exists()
        assert PortalSubmission.objects.get().outcome == "emergency"

    def test_a_retried_submission_never_makes_two_calls(self, agency: Any) -> None:
        client = Client()
        first = report(client)
        second = report(client)
        assert first["Location"] == second["Location"]
        assert Call.objects.count() == 1

    def test_honeypot_submissions_are_dropped_and_logged(self, agency: Any) -> None:
        response = report(Client(), website="http://spam.example")
        assert response.status_code == 302
        assert response["Location"] == "/portal/report/thanks/"
        assert not Call.objects.exists()
        assert PortalSubmission.objects.get().outcome == "honeypot"

    @override_settings(BEATBOOK_PORTAL_PER_IP_PER_MINUTE=2)
    def test_per_address_rate_limit_answers_429_with_retry_after(self, agency: Any) -> None:
        client = Client()
        for i in range(2):
            assert report(client, idempotency_key=f"k{i}").status_code == 302
        limited = report(client, idempotency_key="k3")
        assert limited.status_code == 429
        assert limited["Retry-After"] == "60"
        assert Call.objects.count() == 2

    def test_forms_need_their_csrf_token(self, agency: Any) -> None:
        assert report(Client(enforce_csrf_checks=True)).status_code == 403

    def test_non_public_categories_are_not_reportable(self, agency: Any) -> None:
        assert Client().get("/portal/report/DISORD/").status_code == 404


class TestPhotos:
    def test_photos_are_stripped_of_exif_and_get_thumbnails(self, agency: Any) -> None:
        client = Client()
        upload = SimpleUploadedFile("car.jpg", jpeg_with_gps(), content_type="image/jpeg")
        report(client, photos=[upload])
        photo = CallPhoto.objects.get()
        with photo.image.open("rb") as f:
            stored = f.read()
        assert b"CanaryCam" not in stored
        assert not Image.open(io.BytesIO(stored)).getexif()
        call = photo.call
        thumb = client.get(f"/portal/track/{call.public_token}/photos/{photo.pk}/thumb/")
        assert thumb.status_code == 200
        assert max(Image.open(io.BytesIO(thumb.content)).size) <= 320
        assert client.get(f"/portal/track/wrong-token/photos/{photo.pk}/thumb/").status_code == 404

    def test_a_file_that_is_not_an_image_is_refused(self, agency: Any) -> None:
        fake = SimpleUploadedFile(
            "car.jpg", b"<html><script>x</script></html>", content_type="image/jpeg"
        )
        response = report(Client(), photos=[fake])
        assert response.status_code == 400
        assert "not a photo" in response.content.decode()
        assert not Call.objects.exists()

    def test_at_most_three_photos(self, agency: Any) -> None:
        photos = [
            SimpleUploadedFile(f"p{i}.jpg", jpeg_with_gps(), content_type="image/jpeg")
            for i in range(4)
        ]
        response = report(Client(), photos=photos)
        assert response.status_code == 400
        assert not Call.objects.exists()


class TestDuplicatesAndSupport:
    def test_nearby_open_reports_are_offered_and_joining_adds_a_supporter(
        self, agency: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        client = Client()
        report(client)
        call = Call.objects.get()
        nearby = client.get(
            "/portal/nearby/", {"type": "VEHABND", "lat": call.lat, "lon": call.lon}
        ).json()["reports"]
        assert [r["reference"] for r in nearby] == [call.number]
        assert "Rosalind" not in str(nearby)
        other = Client()
        page = other.post(nearby[0]["support_url"], {"email": "neighbour@example.org"})
        assert page.status_code == 302
        assert CallSupporter.objects.get(call=call).email == "neighbour@example.org"
        assert Call.objects.count() == 1
        with django_capture_on_commit_callbacks(execute=True):
            call_services.call_dispatch(
                actor=agency["dispatcher"], call=call, unit=agency["cso_unit"]
            )
        assert {m.to[0] for m in mail.outbox} == {
            "rosalind.canary@example.org",
            "neighbour@example.org",
        }

    def test_other_kinds_and_far_away_reports_are_not_offered(self, agency: Any) -> None:
        report(Client())
        assert (
            Client()
            .get("/portal/nearby/", {"type": "NOISE", "lat": INSIDE_A1[0], "lon": INSIDE_A1[1]})
            .json()["reports"]
            == []
        )
        assert (
            Client()
            .get("/portal/nearby/", {"type": "VEHABND", "lat": 47.58, "lon": -122.33})
            .json()["reports"]
            == []
        )
        assert Client().get("/portal/nearby/", {"type": "VEHABND"}).status_code == 400


class TestTrackingAndPublicPages:
    def test_unknown_tokens_get_the_same_404(self, agency: Any) -> None:
        import secrets

        responses = [
            Client().get(f"/portal/track/{secrets.token_urlsafe(24)}/") for _ in range(200)
        ]
        assert {r.status_code for r in responses} == {404}
        assert len({len(r.content) for r in responses}) == 1

    def test_status_changes_show_on_the_tracking_page_with_public_notes(self, agency: Any) -> None:
        client = Client()
        track = report(client)["Location"]
        call = Call.objects.get()
        call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
        call_services.call_on_scene(actor=agency["cso"], call=call)
        call_services.call_note_add(
            actor=agency["cso"], call=call, text="Vehicle tagged today", is_public=True
        )
        call_services.call_note_add(
            actor=agency["cso"], call=call, text="Owner is J. Doe", is_public=False
        )
        call_services.call_clear(actor=agency["cso"], call=call, disposition="citation")
        page = client.get(track).content.decode()
        assert "Resolved: a citation was issued" in page
        assert "Vehicle tagged today" in page
        assert "J. Doe" not in page
        assert "U-cso" not in page
        assert "Tester" not in page

    def test_find_my_cso_names_the_team_and_how_to_reach_it(self, agency: Any) -> None:
        team = agency["north"]
        team.contact_phone, team.contact_email = "206-555-0142", "north@example.org"
        team.save()
        page = Client().get("/portal/find-my-cso/", {"address": "1512 Pine St"})
        body = page.content.decode()
        assert "beat A1" in body
        assert "North" in body
        assert "206-555-0142" in body
        missing = Client().get("/portal/find-my-cso/", {"address": "1 Nowhere Lane"})
        assert missing.status_code == 400

    def test_public_list_and_map_leave_out_sensitive_and_personal_data(self, agency: Any) -> None:
        from beatbook.calls.tests.factories import intake

        report(Client())
        intake(agency["dispatcher"], code="DISORD", description="Bar fight, Ann Secret")
        intake(agency["dispatcher"], code="WELFARE", description="Man with a knife")
        listing = Client().get("/portal/reports/").content.decode()
        points = Client().get("/portal/reports.json").json()["reports"]
        assert len(points) == 1
        assert points[0]["place"] == "1500 block of Pine St"
        assert "Ann Secret" not in listing
        assert "knife" not in listing
        assert "Disturbance" not in listing


class TestStaffSideOfResidentReports:
    def test_staff_see_answers_photos_link_and_can_post_public_notes(
        self, agency: Any, client_for: Any
    ) -> None:
        upload = SimpleUploadedFile("car.jpg", jpeg_with_gps(), content_type="image/jpeg")
        report(Client(), photos=[upload])
        call = Call.objects.get()
        desk = client_for("dispatcher")
        page = desk.get(f"/calls/{call.pk}/").content.decode()
        assert "How long has it been there?" in page
        assert "More than a week" in page
        assert f"/portal/track/{call.public_token}/" in page
        photo = call.photos.get()
        assert desk.get(f"/calls/{call.pk}/photos/{photo.pk}/")["Content-Type"] == "image/jpeg"
        assert (
            client_for("cso_other_team").get(f"/calls/{call.pk}/photos/{photo.pk}/").status_code
            == 404
        )
        desk.post(f"/calls/{call.pk}/note/", {"text": "Tow truck booked", "is_public": "on"})
        assert (
            "Tow truck booked"
            in Client().get(f"/portal/track/{call.public_token}/").content.decode()
        )


def test_oversized_requests_are_refused_before_reading(agency: Any) -> None:
    response = Client().post(
        "/portal/report/VEHABND/",
        data=b"x",
        content_type="text/plain",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.django_db(transaction=True)
def test_racing_retries_of_one_form_make_one_call(agency_tx: Any) -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    statuses: list[int] = []

    def send() -> None:
        statuses.append(report(Client(), idempotency_key="same-form").status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Call.objects.count() == 1
    assert set(statuses) == {302}
