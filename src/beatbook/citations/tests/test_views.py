from __future__ import annotations

from typing import Any

import pytest

from beatbook.citations.models import Citation
from beatbook.citations.tests.factories import ordinance
from beatbook.records.tests.test_views import pdf_first_page_ink

pytestmark = pytest.mark.django_db


def issue_form(ordinance_id: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "ordinance": ordinance_id,
        "plate": "ABC123",
        "plate_state": "WA",
        "vehicle_make": "Honda",
        "vehicle_colour": "Blue",
        "address": "1512 Pine St",
    }
    data.update(overrides)
    return data


def test_cso_issues_and_supervisor_voids(client_for: Any, agency: Any) -> None:
    rule = ordinance()
    cso, supervisor = client_for("cso"), client_for("supervisor")
    response = cso.post("/citations/new/", issue_form(rule.pk))
    citation = Citation.objects.get()
    assert response["Location"] == f"/citations/{citation.pk}/"
    page = cso.get(response["Location"]).content.decode()
    assert "$47.00" in page
    assert "Void this citation" not in page
    supervisor.post(f"/citations/{citation.pk}/void/", {"reason": "Wrong plate"})
    citation.refresh_from_db()
    assert citation.status == "void"


def test_form_errors_are_specific(client_for: Any, agency: Any) -> None:
    response = client_for("cso").post(
        "/citations/new/", issue_form(ordinance().pk, plate="", address="")
    )
    assert response.status_code == 400
    assert "plate" in response.content.decode()
    assert not Citation.objects.exists()


def test_history_shows_earlier_citations_for_the_plate(client_for: Any, agency: Any) -> None:
    client = client_for("cso")
    client.post("/citations/new/", issue_form(ordinance().pk))
    history = client.get("/citations/history/?plate=abc-123").content.decode()
    assert Citation.objects.get().number in history


def test_printable_notice_and_pdf(client_for: Any, agency: Any) -> None:
    client = client_for("cso")
    client.post("/citations/new/", issue_form(ordinance().pk))
    citation = Citation.objects.get()
    page = client.get(f"/citations/{citation.pk}/print.html").content.decode()
    assert "To contest" in page
    assert "To pay" in page
    pdf = client.get(f"/citations/{citation.pk}/print.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert pdf_first_page_ink(pdf.content) > 0.01


def test_desk_records_payment_but_cannot_issue(client_for: Any, agency: Any) -> None:
    client_for("cso").post("/citations/new/", issue_form(ordinance().pk))
    citation = Citation.objects.get()
    desk = client_for("dispatcher")
    assert desk.get("/citations/new/").status_code == 403
    desk.post(f"/citations/{citation.pk}/pay/")
    citation.refresh_from_db()
    assert citation.status == "paid"
