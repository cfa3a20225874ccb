"""Casework in the browser: a CSO settles a noise call by opening a mediation case for the two
neighbours and records their agreement; a CSO on a welfare check refers a resident to a food
bank found near the address, and the coordinator marks the referral served."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from beatbook.calls import services as call_services
from beatbook.calls.tests.factories import intake
from beatbook.casework.models import MediationCase
from beatbook.resources.models import Referral
from beatbook.resources.tests.factories import directory_build, package_with_tables


def on_scene(agency: dict[str, Any], **kwargs: Any) -> Any:
    call = intake(agency["dispatcher"], lat=None, lon=None, **kwargs)
    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    call_services.call_on_scene(actor=agency["cso"], call=call)
    return call


def test_a_noise_call_is_cleared_into_a_mediation_with_an_agreement(
    agency: dict[str, Any], open_session: Any
) -> None:
    call = on_scene(agency, code="NOISE", description="Music every night", address="1520 Pine St")
    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.goto("/calls/field/")
    cso.page.get_by_role("link", name="Open a mediation case").first.click()
    expect(cso.page.locator("#id_dispute_type")).to_have_value("noise")
    cso.page.fill("#id_summary", "Music after midnight; stomping on the stairs.")
    cso.page.fill("#id_form-0-name", "Ada Upstairs")
    cso.page.fill("#id_form-0-role", "tenant, unit 2")
    cso.page.fill("#id_form-0-phone", "206-555-0111")
    cso.page.fill("#id_form-1-name", "Bo Downstairs")
    cso.page.fill("#id_form-1-role", "tenant, unit 1")
    cso.page.fill("#id_form-1-email", "bo@example.org")
    cso.page.select_option("#id_form-1-contact_preference", "email")
    cso.page.select_option("#id_form-1-language", "es")
    cso.page.get_by_role("button", name="Open case").click()
    expect(cso.page.locator("h1")).to_contain_text("Noise")
    case = MediationCase.objects.get()
    call.refresh_from_db()
    assert call.status == "cleared"
    assert call.disposition == "mediation"

    when = timezone.localtime() + dt.timedelta(days=2)
    cso.page.fill("#id_starts_at", when.strftime("%Y-%m-%dT18:30"))
    cso.page.fill("#id_place", "Community Center, room 2")
    cso.page.get_by_role("button", name="Schedule").click()
    expect(cso.page.locator("h1 .pill")).to_have_text("Session scheduled")
    cso.page.select_option("#sessions select[name=outcome]", "held")
    cso.page.get_by_role("button", name="Record session").click()
    cso.page.fill("#id_agreement_text", "Music off by 22:00 on weeknights; rugs on the stairs.")
    cso.page.get_by_role("button", name="Record agreement").click()
    expect(cso.page.locator("h1 .pill")).to_have_text("Agreement reached: following up")
    expect(cso.page.locator("#follow-ups")).to_contain_text("30 days")
    expect(cso.page.locator("#follow-ups")).to_contain_text("90 days")
    expect(cso.page.locator("#address-calls")).to_contain_text(call.number)
    cso.screenshot("54-casework-mediation-agreement-phone")
    case.refresh_from_db()
    assert case.status == "agreement"
    assert case.parties.count() == 2
    assert cso.problems == []
    # A month on, the coordinator sees the agreement among the program's figures: the
    # cleared call at that address counts in the 31 days before it, against none since.
    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=True):
        coordinator = open_session()
        coordinator.sign_in(agency["analyst"])
        coordinator.goto("/analytics/casework/")
        expect(coordinator.page.locator("#mediation-cases")).to_have_text("1")
        row = coordinator.page.locator("#mediation-before-after tbody tr").first
        expect(row).to_contain_text(case.number)
        cells = row.locator("td")
        expect(cells.nth(4)).to_have_text("31")  # days each side
        expect(cells.nth(5)).to_have_text("1")
        expect(cells.nth(6)).to_have_text("0")
        coordinator.screenshot("61-analytics-mediation-before-after")
        assert coordinator.problems == []


def test_a_welfare_check_becomes_a_food_bank_referral_the_coordinator_marks_served(
    agency: dict[str, Any], open_session: Any
) -> None:
    directory_build()
    call = on_scene(
        agency,
        code="WELFARE",
        description="Neighbour worried, no food in the house",
        address="1510 Pine St",
        caller_name="Rosalind Test",
        caller_phone="206-555-0142",
    )
    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.goto("/calls/field/")
    cso.page.get_by_role("link", name="Refer to a service").first.click()
    expect(cso.page.locator("main")).to_contain_text(f"Referring from {call.number}")
    cso.page.select_option("#id_need", label="Food")
    cso.page.get_by_role("button", name="Search").click()
    result = cso.page.locator("li.result").first
    expect(result).to_contain_text("Neighbourhood Food Bank")
    expect(result).to_contain_text("0.3 km")  # 1510 Pine St to 47.6125, -122.333: 282 m
    cso.screenshot("55-resources-search-near-call-phone")
    result.get_by_role("link", name="Refer").click()
    expect(cso.page.locator("#id_resident_name")).to_have_value("Rosalind Test")
    cso.page.get_by_label("Share my name and contact details with the provider").check()
    cso.page.get_by_label("The provider may contact me").check()
    cso.page.select_option("#id_contact_method", "provider_email")
    cso.page.get_by_role("button", name="Make the referral").click()
    expect(cso.page.locator("h1 .pill")).to_have_text("Sent, waiting for the provider")
    referral = Referral.objects.get()
    assert referral.call == call
    assert referral.consent_scopes == ["contact_share", "provider_contact"]

    coordinator = open_session()
    coordinator.sign_in(agency["analyst"])
    coordinator.page.get_by_role("link", name="Resources").click()
    coordinator.page.get_by_role("link", name="Referrals").click()
    coordinator.page.get_by_role("link", name=referral.number).click()
    coordinator.page.select_option("#id_status", "served")
    coordinator.page.fill("#id_note", "Picked up a week of groceries")
    coordinator.page.get_by_role("button", name="Record").click()
    expect(coordinator.page.locator("h1 .pill")).to_have_text("Served")
    coordinator.screenshot("56-resources-referral-served")
    coordinator.goto("/analytics/casework/")
    expect(coordinator.page.locator("#referrals-served")).to_have_text("100 %")
    coordinator.screenshot("57-analytics-referrals-mediation")
    referral.refresh_from_db()
    assert referral.status == "served"
    assert cso.problems == []
    assert coordinator.problems == []


def test_residents_find_help_in_spanish(agency: dict[str, Any], open_session: Any) -> None:
    directory_build()
    resident = open_session(phone=True)
    resident.goto("/es/portal/")
    resident.page.get_by_role("link", name="Buscar ayuda").click()
    resident.page.select_option("#id_need", label="Comida")
    resident.page.fill("#id_near", "1510 Pine St")
    resident.page.get_by_role("button", name="Buscar").click()
    expect(resident.page.locator("li.result")).to_have_count(1)
    expect(resident.page.locator("li.result")).to_contain_text("Neighbourhood Food Bank")
    resident.screenshot("58-portal-find-help-es-phone")
    assert resident.problems == []


def test_a_cso_opens_victim_assistance_from_the_report_and_ticks_the_checklist(
    agency: dict[str, Any], open_session: Any
) -> None:
    from beatbook.records import services as record_services

    report = record_services.report_create(actor=agency["cso"], kind="incident", title="Harassment")
    record_services.report_person_add(
        actor=agency["cso"],
        report=report,
        role="victim",
        name="Jordan Example",
        is_confidential=True,
        confidentiality_reason="stalking",
    )
    cso = open_session()
    cso.sign_in(agency["cso"])
    cso.goto(f"/reports/{report.pk}/")
    cso.page.get_by_role("button", name="Open assistance").click()
    expect(cso.page.locator("h1")).to_contain_text("Confidential")
    cso.page.select_option("#id_kind", "rights_notice")
    cso.page.fill("#id_detail", "Victim rights card")
    cso.page.get_by_role("button", name="Record", exact=True).click()
    cso.page.select_option("#id_kind", "follow_up")
    cso.page.fill("#id_due_on", (timezone.localdate() + dt.timedelta(days=3)).isoformat())
    cso.page.get_by_role("button", name="Record", exact=True).click()
    expect(cso.page.locator("li[data-kind=rights_notice]")).to_contain_text("Victim rights card")
    expect(cso.page.locator("li[data-kind=follow_up]")).to_contain_text("due")
    cso.screenshot("59-casework-victim-checklist")
    assert cso.problems == []

    other = open_session()
    other.sign_in(agency["cso_other_team"])
    other.goto(cso.page.url.removeprefix(cso.base_url))
    expect(other.page.locator("h1")).to_have_text("Not found")


def test_the_coordinator_imports_a_fuller_hsds_package_and_is_told_what_was_left_out(
    agency: dict[str, Any], open_session: Any, tmp_path: Any
) -> None:
    directory_build()
    package = tmp_path / "county-211.zip"
    package.write_bytes(package_with_tables(funding="id,organization_id,source\n"))
    coordinator = open_session()
    coordinator.sign_in(agency["analyst"])
    coordinator.goto("/resources/directory/")
    coordinator.page.set_input_files("#id_file", str(package))
    coordinator.page.get_by_role("button", name="Import").click()
    expect(coordinator.page.locator(".msg-success")).to_contain_text("Imported 3 services")
    expect(coordinator.page.locator(".msg-warning")).to_contain_text(
        "Left out, as Beatbook keeps no such records: funding."
    )
    coordinator.screenshot("60-resources-import-left-out")
    assert coordinator.problems == []
