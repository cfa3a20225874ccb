"""Mediation pages: a CSO opens a case from the call, schedules, records the agreement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from beatbook.casework.models import MediationCase
from beatbook.casework.tests.factories import case_open, noise_call_on_scene
from beatbook.core.testing import login

pytestmark = pytest.mark.django_db


def party_post(**extra: Any) -> dict[str, Any]:
    data = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-0-name": "Ada Upstairs",
        "form-0-role": "upstairs",
        "form-0-phone": "206-555-0111",
        "form-0-contact_preference": "phone",
        "form-0-language": "en",
        "form-1-name": "Bo Downstairs",
        "form-1-role": "downstairs",
        "form-1-email": "bo@example.org",
        "form-1-contact_preference": "email",
        "form-1-language": "es",
        "form-2-contact_preference": "phone",
        "form-2-language": "en",
    }
    data.update(extra)
    return data


def test_a_cso_opens_a_case_from_the_call_page(agency: dict[str, Any]) -> None:
    call = noise_call_on_scene(agency)
    cso = login(Client(), agency["cso"])
    call_page = cso.get(f"/calls/{call.pk}/").content.decode()
    assert f'href="/casework/mediation/new/?call={call.pk}"' in call_page
    assert f'href="/resources/?call={call.pk}"' in call_page
    form = cso.get("/casework/mediation/new/", {"call": call.pk}).content.decode()
    assert 'value="noise" selected' in form
    post = party_post(
        dispute_type="noise",
        summary="Music at night",
        address=call.address_text,
        mediator=agency["cso"].pk,
        call=call.pk,
        clear_call="on",
    )
    one_party = {**post, "form-1-name": ""}
    refused = cso.post("/casework/mediation/new/", one_party)
    assert refused.status_code == 400
    assert "A mediation needs at least two parties." in refused.content.decode()
    made = cso.post("/casework/mediation/new/", post)
    case = MediationCase.objects.get()
    assert made["Location"] == f"/casework/mediation/{case.pk}/"
    call.refresh_from_db()
    assert call.disposition == "mediation"
    assert f'href="/casework/mediation/{case.pk}/">{case.number}</a> · mediation' in (
        cso.get(f"/calls/{call.pk}/").content.decode()
    )
    detail = cso.get(made["Location"]).content.decode()
    assert "Bo Downstairs" in detail
    assert call.number in detail  # the address's call history


def test_steps_show_their_refusals_on_the_case(agency: dict[str, Any]) -> None:
    case = case_open(agency)
    cso = login(Client(), agency["cso"])
    early = cso.post(f"/casework/mediation/{case.pk}/agreement/", {"agreement_text": "Quiet"})
    assert early.status_code == 400
    assert "Record the session where the parties met" in early.content.decode()
    when = timezone.localtime() + dt.timedelta(days=1)
    cso.post(
        f"/casework/mediation/{case.pk}/session/",
        {"starts_at": when.strftime("%Y-%m-%dT%H:%M"), "place": "Room 2"},
    )
    session = case.sessions.get()
    cso.post(f"/casework/mediation/{case.pk}/session-outcome/{session.pk}/", {"outcome": "held"})
    done = cso.post(
        f"/casework/mediation/{case.pk}/agreement/", {"agreement_text": "Quiet after ten"}
    )
    assert done.status_code == 302
    pdf = cso.get(f"/casework/mediation/{case.pk}/agreement.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    case.refresh_from_db()
    assert case.status == "agreement"
    assert case.follow_ups.count() == 2
    # Analysts and supervisors go from the agreed case to its before-and-after comparison.
    link = (
        f"/analytics/before-after/?address=1520%20Pine%20St&amp;radius=40"
        f"&amp;date={timezone.localdate(case.agreed_at).isoformat()}"
    )
    # From the day after: on the day itself there is nothing after it yet to compare.
    supervisor = login(Client(), agency["supervisor"])
    today = supervisor.get(f"/casework/mediation/{case.pk}/").content.decode()
    assert link not in today
    assert 'id="before-after-later"' in today
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        cso, supervisor = (login(Client(), agency[role]) for role in ("cso", "supervisor"))
        assert link not in cso.get(f"/casework/mediation/{case.pk}/").content.decode()
        assert link in supervisor.get(f"/casework/mediation/{case.pk}/").content.decode()
        comparison = supervisor.get(link.replace("&amp;", "&"))
        assert comparison.status_code == 200
        assert "within 40 m of" in comparison.content.decode()


def test_a_dispatcher_and_victim_services_cannot_open_mediation(agency: dict[str, Any]) -> None:
    for who in ("dispatcher", "victim_services"):
        client = login(Client(), agency[who])
        assert client.get("/casework/mediation/new/").status_code == 403
        assert client.post("/casework/mediation/new/", party_post()).status_code == 403
    assert MediationCase.objects.count() == 0


def test_a_case_opened_from_a_referral_starts_with_the_resident(agency: dict[str, Any]) -> None:
    from beatbook.resources.models import Service, TaxonomyTerm
    from beatbook.resources.tests.factories import directory_build, referral_made

    ids = directory_build()
    referral = referral_made(
        agency["cso"],
        ids,
        resident_name="Lena Landlord",
        resident_phone="206-555-0160",
        need=TaxonomyTerm.objects.get(pk=ids["need_housing"]),
        service=Service.objects.get(pk=ids["housing"]),
        note="Dispute with tenant over repairs",
    )
    cso = login(Client(), agency["cso"])
    form = cso.get("/casework/mediation/new/", {"referral": referral.pk}).content.decode()
    assert 'value="Lena Landlord"' in form
    post = party_post(
        dispute_type="landlord_tenant",
        summary="Repairs",
        address="1530 Pine St",
        mediator=agency["cso"].pk,
        referral=referral.pk,
    )
    assert cso.post("/casework/mediation/new/", post).status_code == 302
    case = MediationCase.objects.get()
    assert case.source == "referral"
    assert case.referral == referral
    other = login(Client(), agency["cso_other_team"])
    assert other.get("/casework/mediation/new/", {"referral": referral.pk}).status_code == 404
