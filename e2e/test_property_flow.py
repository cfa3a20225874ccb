"""A CSO books a found wallet from a call on the phone; it gets a label and goes into the
property room; the custody report PDF lists every step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2
from django.utils import timezone
from playwright.sync_api import expect

from beatbook.calls import services as call_services
from beatbook.calls.tests.factories import intake
from beatbook.property.models import PropertyItem, StorageLocation
from beatbook.property.offline_verify import verify_export


def test_found_wallet_is_labelled_and_its_custody_report_lists_every_step(
    agency: dict[str, Any], open_session: Any, tmp_path: Path
) -> None:
    StorageLocation.objects.create(code="PR-A-01", room="Property room A")
    call = intake(agency["dispatcher"], code="PROPFND", description="Wallet on the bus bench")
    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    call_services.call_on_scene(actor=agency["cso"], call=call)

    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.page.get_by_role("link", name="Book property").click()
    cso.page.select_option("#id_category", value="25")
    cso.page.fill("#id_description", "Brown leather wallet, no cash")
    cso.page.select_option("#id_location", label="PR-A-01")
    cso.page.get_by_role("button", name="Book in and print label").click()
    item = PropertyItem.objects.get()
    expect(cso.page.locator("#label-code")).to_have_text(item.label_code)
    with cso.page.expect_download() as label:
        cso.page.get_by_role("link", name="Print label").click()
    assert label.value.suggested_filename == f"{item.number}-label.pdf"

    custodian = open_session()
    custodian.sign_in(agency["supervisor"])
    custodian.goto("/property/scan/")
    custodian.page.fill("#code", item.label_code)
    custodian.page.get_by_role("button", name="Open").click()
    custodian.page.fill("#out-reason", "Owner coming to collect")
    custodian.page.get_by_role("button", name="Check out").click()
    custodian.page.get_by_role("button", name="Check in").click()
    custodian.page.fill("#owner-name", "Owner Person")
    custodian.page.fill("#identity", "driver licence")
    custodian.page.get_by_role("button", name="Release").click()
    expect(custodian.page.locator("#item-status")).to_contain_text("Released to owner")
    expect(custodian.page.locator("#chain-state")).to_contain_text("verified")
    custodian.screenshot("30-property-released")
    with custodian.page.expect_download() as report:
        custodian.page.get_by_role("link", name="Chain-of-custody report (PDF)").click()
    path = tmp_path / "custody.pdf"
    report.value.save_as(path)
    page_text = pypdfium2.PdfDocument(path.read_bytes())[0].get_textpage().get_text_range()
    text = " ".join(page_text.split())  # table cells wrap
    for step in ("Intake", "Check-out", "Check-in", "Release to owner"):
        assert step in text
    with custodian.page.expect_download() as bundle:
        custodian.page.get_by_role("button", name="Download court export").click()
    assert bundle.value.suggested_filename == f"{item.number}-court-export.zip"
    bundle.value.save_as(tmp_path / "court.zip")
    assert verify_export((tmp_path / "court.zip").read_bytes()) == []
    for session in (cso, custodian):
        assert session.problems == []


def test_resident_lost_report_is_matched_and_the_item_returned(
    agency: dict[str, Any], open_session: Any
) -> None:
    from beatbook.property.services import item_intake

    shelf = StorageLocation.objects.create(code="PR-A-02", room="Property room A")
    item = item_intake(
        actor=agency["cso"],
        kind="found",
        category="75",
        description="Phone in a red case, cracked screen",
        location=shelf,
        address="1512 Pine St",
    )

    resident = open_session(phone=True)
    resident.goto("/portal/lost/")
    resident.page.select_option("#id_category", value="75")
    resident.page.fill("#id_description", "Red phone case, the screen is cracked")
    resident.page.fill("#id_lost_on", timezone.localdate().isoformat())
    resident.page.fill("#id_address", "1500 Pine St")
    resident.page.fill("#id_owner_name", "Dana Ruiz")
    resident.page.fill("#id_owner_email", "dana@example.org")
    resident.page.get_by_role("button", name="Send lost report").click()
    expect(resident.page.get_by_text("We are looking for it")).to_be_visible()
    resident.screenshot("31-lost-report-received")
    tracking = resident.page.url

    custodian = open_session()
    custodian.sign_in(agency["supervisor"])
    custodian.goto(f"/property/{item.pk}/")
    expect(custodian.page.locator("#possible-owners")).to_contain_text("Red phone case")
    custodian.screenshot("33-item-with-possible-owner")
    custodian.page.locator("#possible-owners").get_by_role("button", name="Confirm match").click()
    expect(custodian.page.locator("#lost-status")).to_have_text("Possible match found")
    custodian.page.fill("#identity", "WA driver licence")
    custodian.page.get_by_role("button", name="Return").click()
    expect(custodian.page.locator("#lost-status")).to_have_text("Returned")
    custodian.screenshot("32-lost-item-returned")

    resident.page.goto(tracking)
    expect(resident.page.get_by_text("Returned to you")).to_be_visible()
    resident.goto("/es/portal/found/")
    expect(resident.page.get_by_role("heading", name="Objetos encontrados")).to_be_visible()
    resident.screenshot("34-found-property-es")
    for session in (resident, custodian):
        assert session.problems == []
