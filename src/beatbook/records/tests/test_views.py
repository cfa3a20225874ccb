from __future__ import annotations

import csv
import io
from typing import Any

import pypdfium2
import pytest

from beatbook.calls.tests.factories import intake
from beatbook.records import services
from beatbook.records.models import IncidentReport

pytestmark = pytest.mark.django_db


def pdf_first_page_ink(content: bytes) -> float:
    """Share of non-white pixels on page one: a blank page gives 0."""
    page = pypdfium2.PdfDocument(content)[0]
    histogram = page.render(scale=0.5).to_pil().convert("L").histogram()
    return sum(histogram[:200]) / sum(histogram)


def approved_report(agency: dict[str, Any]) -> IncidentReport:
    call = intake(agency["dispatcher"], code="MVA", description="Fender bender on Pine")
    report = services.report_create(actor=agency["cso"], call=call)
    services.report_submit(actor=agency["cso"], report=report)
    services.report_approve(actor=agency["supervisor"], report=report)
    return report


class TestReportPages:
    def test_a_cso_starts_a_report_from_a_call_by_post_not_get(
        self, client_for: Any, agency: Any
    ) -> None:
        call = intake(agency["dispatcher"])
        client = client_for("cso")
        page = client.get(f"/reports/new/?call={call.pk}")
        assert page.status_code == 200
        assert not IncidentReport.objects.exists()
        response = client.post("/reports/new/", {"call": call.pk})
        report = IncidentReport.objects.get()
        assert response["Location"] == f"/reports/{report.pk}/"
        assert report.call == call

    def test_review_round_trip_through_the_pages(self, client_for: Any, agency: Any) -> None:
        cso, supervisor = client_for("cso"), client_for("supervisor")
        cso.post(
            "/reports/new/",
            {
                "kind": "incident",
                "title": "Graffiti",
                "address": "1512 Pine St",
                "narrative": "Tag on wall",
            },
        )
        report = IncidentReport.objects.get()
        cso.post(f"/reports/{report.pk}/submit/")
        queue = supervisor.get("/reports/review/").content.decode()
        assert report.number in queue
        supervisor.post(f"/reports/{report.pk}/return/", {"comment": "Photo please"})
        page = cso.get(f"/reports/{report.pk}/").content.decode()
        assert "Photo please" in page
        cso.post(
            f"/reports/{report.pk}/edit/",
            {"title": "Graffiti", "occurred_at": "2026-11-20T10:00", "narrative": "Tag, photo"},
        )
        cso.post(f"/reports/{report.pk}/submit/")
        supervisor.post(f"/reports/{report.pk}/approve/")
        report.refresh_from_db()
        assert report.status == "approved"
        refused = cso.post(
            f"/reports/{report.pk}/edit/",
            {"title": "x", "occurred_at": "2026-11-20T10:00", "narrative": ""},
            follow=True,
        )
        assert "locked" in refused.content.decode()

    def test_the_pdf_has_the_report_on_a_non_blank_page(self, client_for: Any, agency: Any) -> None:
        report = approved_report(agency)
        response = client_for("supervisor").get(f"/reports/{report.pk}/pdf/")
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert pdf_first_page_ink(response.content) > 0.01

    def test_confidential_people_are_masked_on_pages_and_pdfs_for_others(
        self, client_for: Any, agency: Any
    ) -> None:
        call = intake(agency["dispatcher"], code="CITASST", description="Help")
        report = services.report_create(actor=agency["cso"], call=call)
        services.report_person_add(
            actor=agency["cso"],
            report=report,
            role="victim",
            name="Valentina Hidden",
            is_confidential=True,
            confidentiality_reason="domestic_violence",
        )
        services.report_submit(actor=agency["cso"], report=report)
        services.report_approve(actor=agency["supervisor"], report=report)
        analyst = client_for("analyst").get(f"/reports/{report.pk}/").content.decode()
        assert "Valentina" not in analyst
        assert "[confidential]" in analyst
        assert (
            "Valentina" in client_for("supervisor").get(f"/reports/{report.pk}/").content.decode()
        )

    def test_other_teams_reports_answer_404(self, client_for: Any, agency: Any) -> None:
        report = approved_report(agency)
        assert client_for("cso_other_team").get(f"/reports/{report.pk}/").status_code == 404
        assert client_for("dispatcher").get(f"/reports/{report.pk}/").status_code == 403


class TestCsvExports:
    def test_reports_csv_follows_the_filters(self, client_for: Any, agency: Any) -> None:
        approved_report(agency)
        services.report_create(actor=agency["cso"], kind="incident", title="Draft one")
        response = client_for("supervisor").get("/reports/?status=approved&format=csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][0] == "number"
        assert len(rows) == 2
        assert rows[1][2] == "approved"

    def test_formulas_are_neutralised(self, client_for: Any, agency: Any) -> None:
        services.report_create(actor=agency["cso"], kind="incident", title='=HYPERLINK("x")')
        response = client_for("cso").get("/reports/?format=csv")
        body = b"".join(response.streaming_content).decode()
        assert "'=HYPERLINK" in body

    def test_calls_csv_is_scoped_like_the_list(self, client_for: Any, agency: Any) -> None:
        intake(agency["dispatcher"])
        intake(agency["dispatcher"], lat=47.59, lon=-122.33)
        body = b"".join(
            client_for("cso_other_team").get("/calls/?format=csv").streaming_content
        ).decode()
        assert len(body.strip().splitlines()) == 2  # header + the South call only


class TestActivityReportPages:
    def test_cso_opens_today_and_submits_supervisor_approves(
        self, client_for: Any, agency: Any
    ) -> None:
        cso, supervisor = client_for("cso"), client_for("supervisor")
        response = cso.get("/reports/dar/")
        assert response.status_code == 302
        dar_url = response["Location"]
        cso.post(dar_url + "submit/", {"remarks": "Quiet shift"})
        assert "Quiet shift" in supervisor.get(dar_url).content.decode()
        supervisor.post(dar_url + "approve/")
        assert "Approved" in cso.get(dar_url).content.decode()
        pdf = cso.get(dar_url + "pdf/")
        assert pdf.content.startswith(b"%PDF")
