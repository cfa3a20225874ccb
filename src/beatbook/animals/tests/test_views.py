from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from beatbook.animals.models import AnimalCase
from beatbook.animals.tests.factories import shelter, stray_case
from beatbook.calls import services as call_services
from beatbook.calls.tests.factories import intake

pytestmark = pytest.mark.django_db


def test_the_desk_opens_a_case_from_a_call_and_the_cso_works_it_through_the_pages(
    client_for: Any, agency: dict[str, Any]
) -> None:
    call = intake(agency["dispatcher"], code="ANIMAL", description="Husky loose on Pine")
    desk = client_for("dispatcher")
    form = desk.get(f"/animals/new/?call={call.pk}").content.decode()
    assert call.number in form
    response = desk.post("/animals/new/", {"call": call.pk})
    case = AnimalCase.objects.get()
    assert response["Location"] == f"/animals/{case.pk}/"
    assert case.kind == "stray"
    cso = client_for("cso")
    cso.post(
        f"/animals/{case.pk}/animal/save/",
        {
            "species": "dog",
            "breed": "Husky",
            "colour": "grey",
            "sex": "f",
            "vaccination": "unknown",
        },
    )
    cso.post(f"/animals/{case.pk}/capture/", {"note": "Leashed"})
    cso.post(f"/animals/{case.pk}/transport/", {"shelter": shelter().pk})
    cso.post(f"/animals/{case.pk}/impound/", {"shelter_reference": "A-55"})
    case.refresh_from_db()
    assert (case.status, case.shelter_reference, str(case.animal)) == (
        "impounded",
        "A-55",
        "grey Husky",
    )
    page = cso.get(f"/animals/{case.pk}/").content.decode()
    assert "Impounded at the shelter" in page
    assert "intake A-55" in page
    listing = desk.get("/animals/").content.decode()
    assert case.number in listing
    csv = b"".join(desk.get("/animals/?format=csv").streaming_content).decode()
    assert csv.splitlines()[1].startswith(f"{case.number},stray,impounded")
    call_page = desk.get(f"/calls/{call.pk}/").content.decode()
    assert f"/animals/{case.pk}/" in call_page


def test_form_errors_come_back_on_the_field_and_nothing_is_written(
    client_for: Any, agency: dict[str, Any]
) -> None:
    case = stray_case(agency)
    cso = client_for("cso")
    response = cso.post(
        f"/animals/{case.pk}/animal/save/",
        {"species": "dog", "sex": "u", "vaccination": "unknown", "microchip": "12"},
    )
    assert response.status_code == 400
    assert "9 to 15 letters and digits" in response.content.decode()
    response = cso.post(f"/animals/{case.pk}/owner/save/", {"name": "Ann", "language": "en"})
    assert response.status_code == 400
    assert "phone number or an e-mail" in response.content.decode()
    case.refresh_from_db()
    assert case.animal.microchip == ""
    assert case.animal.owner is None
    response = cso.post("/animals/new/", {"address": "", "kind": "stray", "summary": "x"})
    assert response.status_code == 400
    assert AnimalCase.objects.count() == 1


def test_refused_steps_come_back_as_messages(client_for: Any, agency: dict[str, Any]) -> None:
    case = stray_case(agency)
    page = client_for("cso").post(
        f"/animals/{case.pk}/impound/", {"shelter_reference": "A-1"}, follow=True
    )
    assert "it cannot be impounded now" in page.content.decode()
    page = client_for("dispatcher").post(f"/animals/{case.pk}/capture/", {}, follow=True)
    assert "Your role may not record captures" in page.content.decode()
    case.refresh_from_db()
    assert case.status == "open"


def test_the_analyst_is_refused_every_animal_page(client_for: Any, agency: dict[str, Any]) -> None:
    case = stray_case(agency)
    analyst = client_for("analyst")
    for path in ("/animals/", "/animals/new/", f"/animals/{case.pk}/", "/animals/lost/"):
        assert analyst.get(path).status_code == 403
    assert analyst.post(f"/animals/{case.pk}/capture/").status_code == 403
    assert Client().get(f"/animals/{case.pk}/").status_code in (302, 403)


def test_the_bite_form_sets_the_quarantine(client_for: Any, agency: dict[str, Any]) -> None:
    call = intake(agency["dispatcher"], code="BITE", description="Dog bit a child")
    cso = client_for("cso")
    cso.post("/animals/new/", {"call": call.pk})
    case = AnimalCase.objects.get()
    bitten = timezone.localtime() - dt.timedelta(hours=3)
    response = cso.post(
        f"/animals/{case.pk}/bite/save/",
        {
            "victim_name": "Sam Ortiz",
            "victim_is_minor": "on",
            "bitten_at": bitten.strftime("%Y-%m-%dT%H:%M"),
            "body_part": "hand",
            "skin_broken": "on",
            "vaccination": "unknown",
            "quarantine_place": "shelter",
        },
    )
    assert response.status_code == 302
    page = cso.get(f"/animals/{case.pk}/").content.decode()
    ends = (bitten.date() + dt.timedelta(days=10)).isoformat()
    assert ends in page
    assert "Sam Ortiz (minor)" in page
    assert ends in cso.get("/animals/").content.decode()  # observations under way


def test_field_view_links_an_animal_call_to_its_case(
    client_for: Any, agency: dict[str, Any]
) -> None:
    case = stray_case(agency)
    call_services.call_en_route(actor=agency["cso"], call=case.call)
    call_services.call_on_scene(actor=agency["cso"], call=case.call)
    page = client_for("cso").get("/calls/field/").content.decode()
    assert f"/animals/{case.pk}/" in page
