from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from beatbook.animals import services
from beatbook.animals.exceptions import CaseStepRefused
from beatbook.animals.matching import animal_match_score, matches_for_case, matches_for_lost_animal
from beatbook.animals.models import LostAnimalReport
from beatbook.animals.tests.factories import shelter, stray_case

pytestmark = pytest.mark.django_db


def report_pet(client: Client, path: str = "/portal/lost-pet/", **overrides: Any) -> Any:
    data = {
        "species": "dog",
        "breed": "Labrador",
        "colour": "brown",
        "sex": "mn",
        "name": "Biscuit",
        "lost_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "owner_name": "Rosa Díaz",
        "owner_email": "rosa@example.org",
    }
    data.update(overrides)
    return client.post(path, data)


def test_resident_reports_a_lost_pet_in_spanish_and_follows_it(client: Client) -> None:
    form = client.get("/es/portal/lost-pet/").content.decode()
    assert "Reportar una mascota perdida" in form
    assert "Perro" in form
    response = report_pet(client, "/es/portal/lost-pet/")
    report = LostAnimalReport.objects.get()
    assert response.status_code == 302
    assert report.language == "es"
    page = client.get(response["Location"]).content.decode()
    assert report.number in page
    assert "Estamos buscando a su mascota" in page
    assert client.get("/portal/lost-pet/nope/").status_code == 404


def test_a_lost_pet_report_needs_a_way_to_reach_the_owner(client: Client) -> None:
    response = report_pet(client, "/es/portal/lost-pet/", owner_email="")
    assert response.status_code == 400
    assert "Indique un teléfono o un correo" in response.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    assert report_pet(client, lost_on=future).status_code == 400
    assert LostAnimalReport.objects.count() == 0


def test_ranking_explains_itself_and_a_chip_settles_it(
    client: Client, agency: dict[str, Any]
) -> None:
    report_pet(client)
    report = LostAnimalReport.objects.get()
    case = stray_case(agency, breed="Labrador mix", colour="brown", sex="m")
    services.case_capture(actor=agency["cso"], case=case)
    case.refresh_from_db()
    [match] = matches_for_lost_animal(report)
    assert match.case == case
    assert "same sex" in match.reasons
    assert "picked up 1 day(s) after it was lost" in match.reasons
    assert [m.report for m in matches_for_case(case)] == [report]
    # A cat never matches a dog; a different chip is a different animal.
    report.species = "cat"
    assert animal_match_score(report, case) is None
    report.species, report.microchip = "dog", "985112003456789"
    case.animal.microchip = "985112000000001"
    assert animal_match_score(report, case) is None
    case.animal.microchip = "985112003456789"
    chip = animal_match_score(report, case)
    assert chip is not None
    assert (chip.score, chip.reasons) == (100, ["same microchip"])


def test_a_female_stray_ranks_below_a_male_for_a_lost_male(
    client: Client, agency: dict[str, Any]
) -> None:
    report_pet(client)
    report = LostAnimalReport.objects.get()
    male = stray_case(agency, sex="m")
    services.case_capture(actor=agency["cso"], case=male)
    male.refresh_from_db()
    female = stray_case(agency, sex="f")
    female.refresh_from_db()
    male_score = animal_match_score(report, male)
    female_score = animal_match_score(report, female)
    assert male_score is not None
    assert female_score is not None
    assert male_score.score - female_score.score == 35
    assert "different sex" in female_score.reasons


def test_confirming_a_match_makes_the_reporter_the_owner_and_tells_them_where(
    client: Client, client_for: Any, agency: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    report_pet(client, "/es/portal/lost-pet/")
    report = LostAnimalReport.objects.get()
    case = stray_case(agency)
    cso = agency["cso"]
    services.case_capture(actor=cso, case=case)
    services.case_transport(actor=cso, case=case, shelter=shelter())
    services.case_impound(actor=cso, case=case, shelter_reference="A-9")
    desk = client_for("dispatcher")
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(f"/animals/lost/{report.pk}/match/", {"case": case.pk})
    report.refresh_from_db()
    case.refresh_from_db()
    assert (report.status, report.matched_case) == ("matched", case)
    assert case.animal.owner.email == "rosa@example.org"
    assert case.owner_notified_at is not None
    assert "Seattle Animal Shelter" in mail.outbox[0].body
    assert "Tenemos a su animal" in mail.outbox[0].subject
    track = client.get(f"/es/portal/lost-pet/{report.public_token}/").content.decode()
    assert "Seattle Animal Shelter" in track
    with pytest.raises(CaseStepRefused, match="is possible match found"):
        services.lost_animal_match_confirm(actor=cso, report=report, case=case)
    services.case_return(actor=cso, case=case, identity_checked="ID + vet record")
    report.refresh_from_db()
    assert report.status == "reunited"


def test_one_stray_matches_one_report(client: Client, agency: dict[str, Any]) -> None:
    report_pet(client)
    report_pet(client, owner_name="Someone Else", owner_email="else@example.org")
    first, second = LostAnimalReport.objects.order_by("id")
    case = stray_case(agency)
    services.case_capture(actor=agency["cso"], case=case)
    services.lost_animal_match_confirm(actor=agency["cso"], report=first, case=case)
    with pytest.raises(CaseStepRefused, match=f"already matched to {first.number}"):
        services.lost_animal_match_confirm(actor=agency["cso"], report=second, case=case)
    assert matches_for_lost_animal(second) == []


def test_the_public_list_of_held_animals_hides_chip_tag_name_and_markings(
    client: Client, agency: dict[str, Any]
) -> None:
    case = stray_case(
        agency, microchip="985112003456789", tag_number="SEA-777", name="Biscuit", markings="scar"
    )
    services.case_capture(actor=agency["cso"], case=case)
    services.case_transport(actor=agency["cso"], case=case, shelter=shelter())
    page = client.get("/portal/found-animals/?species=dog").content.decode()
    assert "Labrador mix" in page
    assert "Seattle Animal Shelter" in page
    for secret in ("985112003456789", "SEA-777", "Biscuit", "scar", case.call.address_text):
        assert secret not in page
    assert "Labrador mix" not in client.get("/portal/found-animals/?species=cat").content.decode()
    spanish = client.get("/es/portal/found-animals/").content.decode()
    assert "Perro" in spanish


def test_the_lost_forms_share_the_portals_flood_limits(client: Client, settings: Any) -> None:
    settings.BEATBOOK_PORTAL_PER_IP_PER_MINUTE = 1
    assert report_pet(client).status_code == 302
    again = report_pet(client, owner_name="Someone")
    assert again.status_code == 429
    assert again["Retry-After"] == "60"
    assert LostAnimalReport.objects.count() == 1
    lost_item = client.post(
        "/portal/lost/",
        {
            "category": "25",
            "description": "Wallet",
            "lost_on": timezone.localdate().isoformat(),
            "owner_name": "Dana",
        },
    )
    assert lost_item.status_code == 429
