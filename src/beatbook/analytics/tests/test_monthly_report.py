"""The monthly program report PDF: the month's figures, drawn, and refused to the wrong roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pypdfium2
import pytest

from beatbook.analytics.report import monthly_report
from beatbook.analytics.tests.programme import at, closed_call
from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call, CallRecord, CallType
from beatbook.calls.records import call_records_backfill

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


@pytest.fixture
def march(agency: dict[str, Any]) -> None:
    CallType.objects.filter(code="NOISE").update(sworn_minutes=60)
    unit, a1 = agency["cso_unit"], agency["a1"]
    for day in range(2, 9):
        closed_call(
            beat=a1,
            received=at(day, 14),
            unit=unit,
            dispatched=at(day, 14, 5),
            on_scene=at(day, 14, 20),
            closed=at(day, 14, 50),
        )
    closed_call(
        beat=a1,
        received=at(9, 23),
        status=CallStatus.ESCALATED,
        escalation_reason="Weapon seen on scene",
    )
    call_records_backfill()
    assert Call.objects.count() == 8


def test_the_month_in_one_pdf(march: None, client_for: Any) -> None:
    response = client_for("supervisor").get("/analytics/report.pdf?month=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="program-report-2026-03.pdf"' in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content).split())
    assert "Community Service Officer program: March 2026" in text
    # The record starts on 2 March: February and March 2025 are not on record, not empty.
    assert "Calls 8 the month before is not on record · a year before is not on record" in text
    assert "Handled without a sworn officer 7 of 8 88 %" in text
    assert "Sworn-officer hours saved 7" in text  # seven noise calls at 60 minutes
    assert "On scene within target 100 %" in text
    assert "Weapon seen on scene" in text  # escalations by reason, in the chart
    assert "Calls per week" in text
    assert "Workload by team" in text
    assert len(pypdfium2.PdfDocument(response.content)) >= 2


def test_earlier_months_compare_only_when_the_record_covers_them(march: None) -> None:
    assert (monthly_report(2026, 3)["last_month"], monthly_report(2026, 3)["last_year"]) == (
        None,
        None,
    )
    CallRecord.objects.create(
        source="city", source_id="1", received_at=at(1, 9) - dt.timedelta(days=400)
    )  # the city's history now starts in January 2025
    report = monthly_report(2026, 3)
    assert (report["total"], report["last_month"], report["last_year"]) == (8, 0, 0)
    assert report["year_change"] is None  # nothing to compare with, but on record


def test_bad_or_future_months_are_refused(client_for: Any) -> None:
    analyst = client_for("analyst")
    for month in ("", "2026-13", "March", "2999-01"):
        response = analyst.get(f"/analytics/report.pdf?month={month}")
        assert response.status_code == 400, month
        assert response.json()["field"] == "month"


def test_field_and_desk_roles_are_refused(client_for: Any) -> None:
    for role in ("cso", "dispatcher"):
        assert client_for(role).get("/analytics/report.pdf?month=2026-03").status_code == 403


def test_the_months_referrals_and_agreements_are_in_the_report(
    agency: dict[str, Any], client_for: Any
) -> None:
    """One referral made in March and accepted two days later; one agreement reached in
    March; a referral made in April is another month's."""
    import time_machine

    from beatbook.casework.services import mediation
    from beatbook.casework.tests.factories import case_open
    from beatbook.resources.services import referrals
    from beatbook.resources.tests.factories import directory_build, referral_made

    ids = directory_build()

    def refer() -> Any:
        return referral_made(agency["cso"], ids)

    with time_machine.travel(at(10, 12), tick=False):
        referral = refer()
    with time_machine.travel(at(12, 12), tick=False):
        referrals.referral_status_set(
            actor=referrals.provider_actor(referral), referral=referral, status="accepted"
        )
    with time_machine.travel(at(10, 12) + dt.timedelta(days=30), tick=False):
        refer()  # 9 April
    with time_machine.travel(at(14, 9), tick=False):
        case = case_open(agency)
        session = mediation.session_schedule(
            actor=agency["cso"], case=case, starts_at=at(15, 18), place="Community room"
        )
    with time_machine.travel(at(15, 19), tick=False):
        mediation.session_record(actor=agency["cso"], session=session, outcome="held")
        mediation.agreement_record(actor=agency["cso"], case=case, text="Quiet after ten.")
    response = client_for("analyst").get("/analytics/report.pdf?month=2026-03")
    text = " ".join(pdf_text(response.content).split())
    assert (
        "1 referral to services: 100 % answered by the provider (half within 2.0 days), "
        "0 % served so far."
    ) in text
    assert "1 mediation agreement reached; calls at their addresses:" in text
    assert f"{case.number} Noise" in text
    assert "Food" in text  # the referrals-by-need chart
    april = client_for("analyst").get("/analytics/report.pdf?month=2026-04")
    assert "1 referral to services: 0 % answered" in " ".join(pdf_text(april.content).split())


def test_the_months_hot_spots_are_mapped_over_the_beats(
    agency: dict[str, Any], client_for: Any
) -> None:
    """Twelve calls in one cell, two in each around it, one in each of forty cells further
    out, in March: one hot cell at least, drawn over the beats, counted in the line above."""
    import h3

    from beatbook.analytics import charts

    centre = h3.latlng_to_cell(47.61, -122.33, 9)
    quiet = [c for c in h3.grid_disk(centre, 5) if h3.grid_distance(centre, c) >= 3][:40]
    cells = [centre] * 12 + [c for c in h3.grid_ring(centre, 1) for _ in range(2)] + quiet
    CallRecord.objects.bulk_create(
        CallRecord(
            source="t",
            source_id=str(n),
            received_at=at(3 + n % 20, 12),
            original_code="X",
            h3_cell=cell,
        )
        for n, cell in enumerate(cells)
    )
    report = monthly_report(2026, 3)
    assert report["hot_cells"] >= 1
    assert report["cold_cells"] == 0
    svg = str(report["map_hot_spots"])
    assert f'fill="{charts.HOT[99]}"' in svg
    assert svg.count("<title>beat ") == 2  # the agency's two beats
    assert svg.count("<title>hot spot") == report["hot_cells"]
    april = monthly_report(2026, 4)
    assert (april["hot_cells"], april["cold_cells"]) == (0, 0)
    text = " ".join(
        pdf_text(client_for("analyst").get("/analytics/report.pdf?month=2026-03").content).split()
    )
    assert f"Hot spots {report['hot_cells']} hot and 0 cold cells this month" in text
