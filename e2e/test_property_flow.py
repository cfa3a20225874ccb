"""A CSO books a found wallet from a call on the phone; it gets a label and goes into the
property room; the custody report PDF lists every step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdfium2
from playwright.sync_api import expect

from beatbook.calls import services as call_services
from beatbook.calls.tests.factories import intake
from beatbook.property.models import PropertyItem, StorageLocation


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
    for session in (cso, custodian):
        assert session.problems == []
