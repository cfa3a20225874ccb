"""A CSO writes a report from a call on a phone, with a photo; the supervisor returns it,
the CSO fixes it, the supervisor approves it and downloads the PDF. Then a citation is issued
on the phone and voided by the supervisor."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdfium2
from PIL import Image
from playwright.sync_api import expect

from beatbook.calls import services as call_services
from beatbook.calls.tests.factories import intake
from beatbook.citations.tests.factories import ordinance
from beatbook.records.models import IncidentReport
from beatbook.records.tests.test_views import pdf_first_page_ink

SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "scene.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_report_review_cycle_and_pdf(
    agency: dict[str, Any], open_session: Any, tmp_path: Path
) -> None:
    call = intake(
        agency["dispatcher"],
        code="MVA",
        description="Two cars touched at the light",
        caller_name="Pat Caller",
    )
    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    call_services.call_on_scene(actor=agency["cso"], call=call)

    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.page.get_by_role("button", name="Write report").click()
    report = IncidentReport.objects.get()
    expect(
        cso.page.get_by_role("heading", name=f"{report.number} · Non-injury collision")
    ).to_be_visible()
    cso.page.set_input_files("#id_attachment", str(photo(tmp_path)))
    cso.page.get_by_role("button", name="Upload").click()
    expect(cso.page.locator("#report-document")).to_contain_text("scene.jpg")
    cso.page.get_by_role("button", name="Submit for review").click()
    expect(cso.page.locator("#report-status")).to_have_text("Submitted for review")
    cso.screenshot("20-report-submitted-phone")

    supervisor = open_session()
    supervisor.sign_in(agency["supervisor"])
    supervisor.goto("/reports/review/")
    supervisor.page.get_by_role("link", name=report.number).click()
    supervisor.page.fill("#return-comment", "Add both drivers' insurance details")
    supervisor.page.get_by_role("button", name="Return to author").click()
    expect(supervisor.page.locator("#report-status")).to_have_text("Returned with comments")

    cso.page.reload()
    expect(cso.page.locator("#review-comments")).to_contain_text("insurance")
    cso.page.fill(
        "#id_narrative", "Two cars touched at the light. Insurance exchanged: Acme 123, Zenith 456."
    )
    cso.page.get_by_role("button", name="Save").click()
    cso.page.get_by_role("button", name="Submit for review").click()
    expect(cso.page.locator("#report-status")).to_have_text("Submitted for review")

    supervisor.page.reload()
    supervisor.page.get_by_role("button", name="Approve").click()
    expect(supervisor.page.locator("#report-status")).to_have_text("Approved")
    supervisor.screenshot("21-report-approved")
    with supervisor.page.expect_download() as download_info:
        supervisor.page.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    page_image = pypdfium2.PdfDocument(pdf_path.read_bytes())[0].render(scale=1).to_pil()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page_image.save(SCREENSHOTS / "22-report-pdf-page1.png")
    assert pdf_first_page_ink(pdf_path.read_bytes()) > 0.01
    for session in (cso, supervisor):
        assert session.problems == []


def test_cso_issues_a_parking_citation_and_a_supervisor_voids_it(
    agency: dict[str, Any], open_session: Any
) -> None:
    rule = ordinance()
    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.goto("/citations/new/")
    cso.page.select_option("#id_ordinance", value=str(rule.pk))
    cso.page.fill("#id_plate", "XYZ987")
    cso.page.fill("#id_vehicle_make", "Toyota")
    cso.page.fill("#id_address", "1512 Pine St")
    cso.page.get_by_role("button", name="Issue", exact=True).click()
    expect(cso.page.locator("#citation-fine")).to_have_text("$47.00")
    cso.screenshot("23-citation-issued-phone")

    supervisor = open_session()
    supervisor.sign_in(agency["supervisor"])
    supervisor.goto(cso.page.url.replace(cso.base_url, ""))
    supervisor.page.locator("#void-box summary").click()
    supervisor.page.fill("#void-reason", "Plate misread")
    supervisor.page.get_by_role("button", name="Void").click()
    expect(supervisor.page.locator("#citation-status")).to_have_text("Void")
    for session in (cso, supervisor):
        assert session.problems == []
