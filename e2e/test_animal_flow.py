"""A stray-dog call becomes an animal case: the CSO describes and captures the dog and takes it
to the shelter; the desk records the owner and e-mails them where it is."""

from __future__ import annotations

from typing import Any

from django.core import mail
from playwright.sync_api import expect

from beatbook.animals.models import AnimalCase, Shelter
from beatbook.calls import services as call_services
from beatbook.calls.tests.factories import intake


def test_stray_dog_call_becomes_a_case_the_dog_goes_to_the_shelter_and_the_owner_is_told(
    agency: dict[str, Any], open_session: Any
) -> None:
    Shelter.objects.create(name="Seattle Animal Shelter", phone="206-386-7387")
    call = intake(agency["dispatcher"], code="ANIMAL", description="Brown dog running loose")
    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    call_services.call_en_route(actor=agency["cso"], call=call)
    call_services.call_on_scene(actor=agency["cso"], call=call)

    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.page.get_by_role("link", name="Open animal case").click()
    expect(cso.page.get_by_text(call.number)).to_be_visible()
    cso.page.get_by_role("button", name="Open case").click()
    expect(cso.page.locator("#case-status")).to_have_text("Open")
    cso.page.select_option("#id_species", value="dog")
    cso.page.fill("#id_breed", "Labrador mix")
    cso.page.fill("#id_colour", "brown")
    cso.page.select_option("#id_sex", value="m")
    cso.page.fill("#id_tag_number", "SEA-55120")
    cso.page.get_by_role("button", name="Save animal").click()
    expect(cso.page.locator("#case-animal")).to_contain_text("Labrador mix")
    cso.page.fill("#capture-note", "Leashed by the school gate")
    cso.page.get_by_role("button", name="Captured").click()
    cso.page.select_option("#shelter", label="Seattle Animal Shelter")
    cso.page.get_by_role("button", name="On the way").click()
    cso.page.fill("#shelter-ref", "A-26-0117")
    cso.page.get_by_role("button", name="Impounded").click()
    expect(cso.page.locator("#case-status")).to_have_text("Impounded at the shelter")
    cso.screenshot("35-animal-case-impounded-phone")

    case = AnimalCase.objects.get()
    desk = open_session()
    desk.sign_in(agency["dispatcher"])
    desk.goto(f"/animals/{case.pk}/")
    desk.page.locator("summary", has_text="Owner").click()
    desk.page.fill("#id_name", "Rosa Díaz")
    desk.page.fill("#id_email", "rosa@example.org")
    desk.page.select_option("#id_language", value="es")
    desk.page.get_by_role("button", name="Save owner").click()
    expect(desk.page.locator("#case-owner")).to_contain_text("Rosa Díaz")
    desk.page.get_by_role("button", name="E-mail Rosa Díaz").click()
    expect(desk.page.locator("#owner-notified")).to_be_visible()
    expect(desk.page.locator("#case-history")).to_contain_text("owner notice sent")
    desk.screenshot("36-animal-case-owner-notified")
    desk.goto("/animals/?status=")
    expect(desk.page.locator("#case-table")).to_contain_text(case.number)
    desk.screenshot("38-animal-cases")
    [notice] = mail.outbox
    assert notice.to == ["rosa@example.org"]
    assert "Seattle Animal Shelter" in notice.body
    assert "A-26-0117" in notice.body
    for session in (cso, desk):
        assert session.problems == []


def test_resident_reports_a_lost_pet_and_sees_the_animals_held(
    agency: dict[str, Any], open_session: Any
) -> None:
    resident = open_session(phone=True)
    resident.goto("/es/portal/lost-pet/")
    resident.page.select_option("#id_species", value="cat")
    resident.page.fill("#id_colour", "gris")
    resident.page.fill("#id_lost_on", "2026-01-05")
    resident.page.fill("#id_owner_name", "Luis Mora")
    resident.page.fill("#id_owner_phone", "206-555-0199")
    resident.page.get_by_role("button", name="Enviar reporte de mascota perdida").click()
    expect(resident.page.locator("#lost-status")).to_have_text("Estamos buscando a su mascota")
    resident.screenshot("37-lost-pet-es")
    resident.goto("/es/portal/found-animals/")
    expect(
        resident.page.get_by_role("heading", name="Animales bajo nuestro cuidado")
    ).to_be_visible()
    assert resident.problems == []
