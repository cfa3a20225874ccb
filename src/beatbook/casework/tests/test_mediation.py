"""Mediation cases: opened from a call (which it clears), sessions, the agreement, its PDFs,
the 30- and 90-day follow-ups, and the calls at the address before and after."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from beatbook.calls.models import CallRecord, CallType
from beatbook.calls.tests.factories import intake
from beatbook.casework.exceptions import CaseStepRefused
from beatbook.casework.models import MediationSession
from beatbook.casework.selectors import address_calls, before_after
from beatbook.casework.services import mediation as services
from beatbook.casework.tests.factories import NEIGHBOURS, case_open, noise_call_on_scene
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.core.testing import login
from beatbook.places.geometry import h3_cell

pytestmark = pytest.mark.django_db


def soon(hours: int = 24) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def agreed(agency: dict[str, Any], case: Any) -> Any:
    session = services.session_schedule(
        actor=agency["cso"], case=case, starts_at=soon(), place="Community room"
    )
    services.session_record(actor=agency["cso"], session=session, outcome="held")
    return services.agreement_record(
        actor=agency["cso"], case=case, text="Music off by 22:00 on weeknights."
    )


def test_a_cso_clears_a_noise_call_by_opening_a_case(agency: dict[str, Any]) -> None:
    call = noise_call_on_scene(agency)
    case = case_open(agency, call=call, address="", clear_call=True)
    call.refresh_from_db()
    assert call.status == "cleared"
    assert call.disposition == "mediation"
    assert call.close_note == f"Mediation {case.number}"
    assert case.number.startswith("MED-")
    assert case.source == "call"
    assert case.mediator == agency["cso"]
    assert case.beat == call.beat
    assert (case.lat, case.lon) == (call.lat, call.lon)
    assert [(p.name, p.contact_preference) for p in case.parties.all()] == [
        ("Ada Upstairs", "phone"),
        ("Bo Downstairs", "email"),
    ]
    assert "mediation opened" in [e.verb for e in history_for(call)]


def test_a_walk_in_case_is_placed_from_its_address(agency: dict[str, Any]) -> None:
    case = case_open(agency)
    assert case.source == "walk_in"
    assert case.beat == agency["a1"]
    assert case.block_text == "1500 block of Pine St"


@pytest.mark.parametrize(
    ("parties", "message"),
    [
        (NEIGHBOURS[:1], "at least two parties"),
        ([NEIGHBOURS[0], {"name": "Cy", "contact_preference": "phone"}], "Cy prefers the phone"),
        ([NEIGHBOURS[0], {"name": "Di", "contact_preference": "email"}], "Di prefers email"),
    ],
)
def test_parties_must_be_reachable_the_way_they_chose(
    agency: dict[str, Any], parties: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        case_open(agency, parties=parties)


def test_a_dispatcher_may_not_open_cases(agency: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.mediation_open(
            actor=agency["dispatcher"],
            dispute_type="noise",
            summary="x",
            address="1520 Pine St",
            parties=NEIGHBOURS,
        )


def test_sessions_agreement_and_follow_ups(agency: dict[str, Any]) -> None:
    case = case_open(agency)
    with pytest.raises(ValidationFailed, match="in the future"):
        services.session_schedule(
            actor=agency["cso"],
            case=case,
            starts_at=timezone.now() - dt.timedelta(hours=1),
            place="Hall",
        )
    session = services.session_schedule(
        actor=agency["cso"], case=case, starts_at=soon(), place="Community room"
    )
    case.refresh_from_db()
    assert case.status == "scheduled"
    with pytest.raises(CaseStepRefused, match="Record the session"):
        services.agreement_record(actor=agency["cso"], case=case, text="Quiet after ten")
    services.session_record(actor=agency["cso"], session=session, outcome="held", notes="Both came")
    with pytest.raises(ValidationFailed):
        services.agreement_record(actor=agency["cso"], case=case, text="  ")
    services.agreement_record(actor=agency["cso"], case=case, text="Quiet after ten")
    case.refresh_from_db()
    assert case.status == "agreement"
    today = timezone.localdate()
    assert [(f.days_after, f.due_on) for f in case.follow_ups.all()] == [
        (30, today + dt.timedelta(days=30)),
        (90, today + dt.timedelta(days=90)),
    ]
    first, second = case.follow_ups.all()
    services.follow_up_record(actor=agency["cso"], follow_up=first, outcome="holding")
    case.refresh_from_db()
    assert case.status == "agreement"
    services.follow_up_record(
        actor=agency["cso"], follow_up=second, outcome="partly", note="Weekends still loud"
    )
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.closed_at is not None
    with pytest.raises(CaseStepRefused, match="is closed"):
        services.session_schedule(actor=agency["cso"], case=case, starts_at=soon(), place="Hall")
    verbs = [e.verb for e in history_for(case)]
    assert verbs == [
        "mediation opened",
        "session scheduled",
        "session recorded",
        "agreement recorded",
        "follow-up recorded",
        "follow-up recorded",
        "case closed",
    ]


def test_the_signed_copy_must_be_a_pdf_and_gets_our_name(
    agency: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    case = case_open(agency)
    with pytest.raises(CaseStepRefused):
        services.signed_agreement_attach(
            actor=agency["cso"], case=case, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4")
        )
    agreed(agency, case)
    fake = SimpleUploadedFile(
        "../../etc/scan.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    with pytest.raises(ValidationFailed, match="not a PDF"):
        services.signed_agreement_attach(actor=agency["cso"], case=case, upload=fake)
    real = SimpleUploadedFile(
        "../../etc/scan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
    )
    services.signed_agreement_attach(actor=agency["cso"], case=case, upload=real)
    case.refresh_from_db()
    assert case.signed_pdf.name == f"casework/agreements/{case.number}-signed.pdf"


def test_session_reminders_go_once_to_who_chose_email_and_the_mediator(
    agency: dict[str, Any],
) -> None:
    agency["cso"].email = "mediator@example.org"
    agency["cso"].save()
    case = case_open(agency)
    services.session_schedule(actor=agency["cso"], case=case, starts_at=soon(20), place="Room 2")
    services.session_schedule(
        actor=agency["cso"], case=case, starts_at=soon(24 * 5), place="Room 2"
    )
    assert services.session_reminders_send() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@example.org", "mediator@example.org"]
    assert "Room 2" in mail.outbox[0].body
    assert services.session_reminders_send() == 0
    assert MediationSession.objects.filter(reminded_at__isnull=False).count() == 1


def test_calls_at_the_address_before_and_after_the_agreement(agency: dict[str, Any]) -> None:
    here = intake(agency["dispatcher"], code="NOISE", address="1520 Pine St", lat=None, lon=None)
    case = case_open(agency, call=here)
    elsewhere = intake(
        agency["dispatcher"], code="NOISE", address="1590 Pine St", lat=None, lon=None
    )
    assert [c.pk for c in address_calls(case)] == [here.pk]
    assert elsewhere.pk not in [c.pk for c in address_calls(case)]
    agreed(agency, case)
    case.refresh_from_db()
    type_ = here.call_type
    assert before_after(case) == {
        "days": 0, "before": 0, "after": 0, "before_by_type": {}, "after_by_type": {}
    }  # fmt: skip
    for days in (-80, -40, -10, 5, 50, 70):
        CallRecord.objects.create(**record(case, type_, case.agreed_at + dt.timedelta(days=days)))
    CallRecord.objects.create(
        **record(case, type_, case.agreed_at - dt.timedelta(days=100))
    )  # too early
    CallRecord.objects.create(
        **record(case, type_, case.agreed_at - dt.timedelta(days=10), lat_shift=0.01)
    )  # 1 km off
    # Sixty days on, the 60 days before count against the 60 since: the calls 80 days
    # before and 70 after are outside the equal windows.
    with time_machine.travel(case.agreed_at + dt.timedelta(days=60, hours=1)):
        result = before_after(case)
        assert result is not None
        assert (result["days"], result["before"], result["after"]) == (60, 2, 2)
        detail = login(Client(), agency["cso"]).get(f"/casework/mediation/{case.pk}/")
        assert (
            "<strong>2</strong> calls in the 60 days before the agreement; "
            "<strong>2</strong> in the 60 days since (the same number of days each side"
        ) in detail.content.decode()
        # The analytics page's chart of it comes down as CSV, one row per agreement.
        analyst = login(Client(), agency["analyst"])
        response = analyst.get(
            "/analytics/export/mediation-before-after.csv",
            {"start": timezone.localdate(case.agreed_at).isoformat()},
        )
        assert response.status_code == 200
        rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert rows[0] == [
        "case", "dispute", "beat", "agreed", "days_each_side", "calls_before", "calls_since",
        "follow_up_days", "follow_up_outcome",
    ]  # fmt: skip
    assert rows[1:] == [
        [
            case.number,
            case.get_dispute_type_display(),
            case.beat.name,
            timezone.localdate(case.agreed_at).isoformat(),
            "60",
            "2",
            "2",
            "",  # no follow-up done yet
            "",
        ]
    ]
    # A call type narrows the agreements to those that came from a call of that type.
    for code, agreements in (("NOISE", 1), ("PARKING", 0)):
        response = analyst.get(
            "/analytics/export/mediation-before-after.csv",
            {"call_type": CallType.objects.get(code=code).pk},
        )
        assert len(b"".join(response.streaming_content).decode().splitlines()) == 1 + agreements
    cso = login(Client(), agency["cso"])
    assert cso.get("/analytics/export/mediation-before-after.csv").status_code == 403


def test_every_agreement_counts_though_the_table_lists_the_latest(
    agency: dict[str, Any], monkeypatch: Any
) -> None:
    from beatbook.analytics import casework as analytics_casework

    monkeypatch.setattr(analytics_casework, "MEDIATION_TABLE_ROWS", 1)
    cases = []
    for address in ("1520 Pine St", "1590 Pine St"):
        call = intake(agency["dispatcher"], code="NOISE", address=address, lat=None, lon=None)
        case = case_open(agency, call=call)
        agreed(agency, case)
        case.refresh_from_db()
        CallRecord.objects.create(
            **record(case, call.call_type, case.agreed_at - dt.timedelta(days=5))
        )
        cases.append(case)
    analyst = login(Client(), agency["analyst"])
    page = analyst.get("/analytics/casework/").content.decode()
    assert '<p class="big" id="mediation-cases">2</p>' in page
    assert "The latest 1 of 2 agreements" in page
    table = page.split('id="mediation-before-after"')[1]
    assert table.count("/casework/mediation/") == 1
    response = analyst.get("/analytics/export/mediation-before-after.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(c.number for c in cases)


def test_the_casework_page_asks_the_same_queries_for_one_agreement_or_many(
    agency: dict[str, Any], settings: Any
) -> None:
    """The calls at every agreement's address come in one query (they came two per
    agreement: over a city's history, 60 agreements took the page past two seconds)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Each page drawn whole: a kept selection form would spare the later ones its queries.
    settings.BEATBOOK_FIGURES_CACHE_SECONDS = 0

    analyst = login(Client(), agency["analyst"])
    counted = []
    for address in ("1520 Pine St", "1590 Pine St", "1510 Pine St"):
        call = intake(agency["dispatcher"], code="NOISE", address=address, lat=None, lon=None)
        case = case_open(agency, call=call)
        agreed(agency, case)
        case.refresh_from_db()
        CallRecord.objects.create(
            **record(case, call.call_type, case.agreed_at - dt.timedelta(days=3))
        )
        with CaptureQueriesContext(connection) as queries:
            page = analyst.get("/analytics/casework/").content.decode()
        counted.append(len(queries))
    assert counted[0] == counted[1] == counted[2]
    assert '<p class="big" id="mediation-cases">3</p>' in page


def record(case: Any, call_type: Any, at: dt.datetime, lat_shift: float = 0.0) -> dict[str, Any]:
    return {
        "source": "test",
        "source_id": f"{at.timestamp()}-{lat_shift}",
        "original_code": "NOISE",
        "call_type": call_type,
        "received_at": at,
        "lat": case.lat + lat_shift,
        "lon": case.lon,
        "h3_cell": h3_cell(case.lat + lat_shift, case.lon),  # as imports and closed calls do
    }
