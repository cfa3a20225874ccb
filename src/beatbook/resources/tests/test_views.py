"""The directory and referral pages, for residents (both languages) and staff."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from beatbook.calls.models import CallType
from beatbook.calls.tests.factories import intake
from beatbook.core.models import AuditEntry
from beatbook.core.testing import login
from beatbook.resources import hsds
from beatbook.resources.models import Referral, Service, TaxonomyTerm
from beatbook.resources.services.directory import directory_package_zip
from beatbook.resources.tests.factories import (
    directory_build,
    package_with_tables,
    referral_made,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids(agency: dict[str, Any]) -> dict[str, str]:
    return directory_build()


def test_residents_search_in_spanish_by_need_place_and_language(ids: dict[str, str]) -> None:
    page = Client().get(
        "/es/portal/resources/",
        {"need": ids["need_food"], "near": "1510 Pine St", "language": "es"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Encuentre ayuda cerca de usted" in html
    assert f'<option value="{ids["need_food"]}" selected>Comida</option>' in html
    assert "Neighbourhood Food Bank" in html
    assert "Eviction Prevention Clinic" not in html
    assert "1 servicio encontrado" in html
    assert "primero los más cercanos a 1500 block of Pine St" in html
    assert 'href="tel:206-555-0100"' in html


def test_an_address_the_agency_does_not_know_is_a_form_error(ids: dict[str, str]) -> None:
    page = Client().get("/portal/resources/", {"near": "1 Nowhere Boulevard"})
    assert page.status_code == 200
    assert "No street like “1 Nowhere Boulevard” is in the agency&#x27;s address table." in (
        page.content.decode()
    )
    assert "Neighbourhood Food Bank" not in page.content.decode()


def test_a_cso_refers_from_a_call_and_consent_is_required(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    call = intake(
        agency["dispatcher"],
        code="WELFARE",
        caller_name="Rosalind Test",
        caller_phone="206-555-0142",
    )
    cso = login(Client(), agency["cso"])
    search = cso.get("/resources/", {"call": call.pk})
    html = search.content.decode()
    assert f'Referring from <a href="/calls/{call.pk}/">{call.number}</a>' in html
    assert html.index("Neighbourhood Food Bank") < html.index("Eviction Prevention Clinic")
    form = cso.get("/resources/refer/", {"service": ids["food"], "call": call.pk})
    assert 'value="Rosalind Test"' in form.content.decode()
    post = {
        "service": ids["food"],
        "need": ids["need_food"],
        "call": call.pk,
        "resident_name": "Rosalind Test",
        "resident_phone": "206-555-0142",
        "resident_language": "en",
        "consent_method": "verbal",
        "contact_method": "warm_handoff",
    }
    refused = cso.post("/resources/refer/", post)
    assert refused.status_code == 400
    assert "No referral without the resident&#x27;s consent" in refused.content.decode()
    assert Referral.objects.count() == 0
    made = cso.post(
        "/resources/refer/", {**post, "consent_scopes": ["contact_share", "provider_contact"]}
    )
    referral = Referral.objects.get()
    assert made.status_code == 302
    assert made["Location"] == f"/resources/referrals/{referral.pk}/"
    assert referral.call == call
    detail = cso.get(made["Location"])
    assert "Share my name and contact details with the provider" in detail.content.decode()
    other = login(Client(), agency["cso_other_team"])
    assert other.get(made["Location"]).status_code == 404
    assert referral.number not in other.get("/resources/referrals/").content.decode()
    coordinator = login(Client(), agency["analyst"])
    served = coordinator.post(made["Location"], {"status": "served", "note": "Picked up groceries"})
    assert served.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "served"
    final = coordinator.get(made["Location"]).content.decode()
    assert "Final: nothing more to record." in final
    again = coordinator.post(made["Location"], {"status": "declined"})
    assert again.status_code == 400
    assert "Select a valid choice" in again.content.decode()
    outcomes = coordinator.get("/analytics/casework/").content.decode()
    assert '<p class="big" id="referrals-total">1</p>' in outcomes
    assert '<p class="big" id="referrals-served">100 %</p>' in outcomes


def test_a_dispatcher_searches_but_may_not_refer(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    desk = login(Client(), agency["dispatcher"])
    assert desk.get("/resources/").status_code == 200
    assert desk.get("/resources/refer/", {"service": ids["food"]}).status_code == 403
    assert desk.get("/resources/directory/").status_code == 403


def test_a_cso_marks_a_service_verified(agency: dict[str, Any], ids: dict[str, str]) -> None:
    cso = login(Client(), agency["cso"])
    cso.post(f"/resources/services/{ids['housing']}/")
    assert Service.objects.get(pk=ids["housing"]).assured_date == timezone.localdate()


def test_the_coordinator_imports_and_exports_hsds(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    coordinator = login(Client(), agency["analyst"])
    exported = coordinator.get("/resources/directory/hsds.json")
    document = json.loads(exported.content)
    assert hsds.validation_errors(document, hsds.package_schema()) == []
    assert exported["Content-Disposition"] == 'attachment; filename="hsds-services.json"'
    package = coordinator.get("/resources/directory/hsds.zip")
    assert zipfile.ZipFile(io.BytesIO(package.content)).read("datapackage.json")
    document["contents"][0]["status"] = "open"
    bad = SimpleUploadedFile(
        "dir.json", json.dumps(document).encode(), content_type="application/json"
    )
    refused = coordinator.post("/resources/directory/", {"file": bad})
    assert refused.status_code == 400
    assert "contents/0/status: &#x27;open&#x27; is not one of" in refused.content.decode()
    good = SimpleUploadedFile("dir.zip", directory_package_zip(), content_type="application/zip")
    imported = coordinator.post("/resources/directory/", {"file": good})
    assert imported.status_code == 302
    page = coordinator.get("/resources/directory/").content.decode()
    assert "Imported 3 services, 2 organisations, 2 locations." in page
    assert "Eviction Prevention Clinic" in page  # never verified: on the list
    assert "Left out" not in page


def test_tables_the_directory_does_not_keep_are_named_not_dropped_silently(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    package = package_with_tables(
        funding="id,organization_id,source\n", accessibility="id,location_id,description\n"
    )
    coordinator = login(Client(), agency["analyst"])
    upload = SimpleUploadedFile("211.zip", package, content_type="application/zip")
    assert coordinator.post("/resources/directory/", {"file": upload}).status_code == 302
    page = coordinator.get("/resources/directory/").content.decode()
    assert "Imported 3 services" in page
    assert "Left out, as Beatbook keeps no such records: accessibility, funding." in page
    entry = AuditEntry.objects.filter(verb="directory_imported").latest("pk")
    assert entry.data["skipped_tables"] == ["accessibility", "funding"]


def test_a_cso_refers_from_their_incident_report(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    from beatbook.records import services as record_services

    report = record_services.report_create(
        actor=agency["cso"], kind="incident", title="Family in a car"
    )
    cso = login(Client(), agency["cso"])
    page = cso.get(f"/reports/{report.pk}/").content.decode()
    assert f'href="/resources/?report={report.pk}"' in page
    search = cso.get("/resources/", {"report": report.pk}).content.decode()
    assert f"&amp;report={report.pk}" in search
    made = cso.post(
        "/resources/refer/",
        {
            "service": ids["housing"],
            "need": ids["need_housing"],
            "report": report.pk,
            "resident_name": "Sam Car",
            "resident_phone": "206-555-0150",
            "resident_language": "en",
            "consent_scopes": ["provider_contact"],
            "consent_method": "written",
            "contact_method": "resident_calls",
        },
    )
    assert made.status_code == 302
    assert Referral.objects.get().report == report
    other = login(Client(), agency["cso_other_team"])
    other.post(
        "/resources/refer/",
        {
            "service": ids["housing"],
            "need": ids["need_housing"],
            "report": report.pk,
            "resident_name": "X",
            "resident_phone": "1",
            "resident_language": "en",
            "consent_scopes": ["provider_contact"],
            "consent_method": "verbal",
            "contact_method": "resident_calls",
        },
    )
    # Another team's CSO cannot attach a referral to a report they may not see.
    assert Referral.objects.filter(report=report).count() == 1


def test_referral_outcomes_follow_the_dates_and_beat_chosen(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    call = intake(agency["dispatcher"], code="WELFARE")
    referral_made(agency["cso"], ids, call=call)
    analyst = login(Client(), agency["analyst"])
    today = timezone.localdate()

    def total(**params: Any) -> str:
        page = analyst.get("/analytics/casework/", params).content.decode()
        return page.split('id="referrals-total">')[1].split("<")[0]

    assert total() == "1"
    assert (
        total(
            start=(today - dt.timedelta(days=40)).isoformat(),
            end=(today - dt.timedelta(days=10)).isoformat(),
        )
        == "0"
    )
    assert total(beat=agency["a1"].pk) == "1"  # the call was in A1
    assert total(beat=agency["b1"].pk) == "0"
    assert total(call_type=call.call_type_id) == "1"  # a welfare check
    assert total(call_type=CallType.objects.get(code="NOISE").pk) == "0"

    def export(figure: str, **params: Any) -> list[str]:
        response = analyst.get(f"/analytics/export/{figure}.csv", params)
        return b"".join(response.streaming_content).decode().splitlines()

    by_need = export("referrals-by-need")
    assert by_need[0] == "need,referrals,served,waiting"
    need = TaxonomyTerm.objects.get(pk=ids["need_food"]).name
    assert by_need[1:] == [f"{need},1,0,1"]
    assert export("referrals-by-need", beat=agency["b1"].pk) == ["need,referrals,served,waiting"]
    by_status = export("referrals-by-status")
    assert by_status[0] == "status,referrals"
    counts = dict(csv.reader(by_status[1:]))
    assert counts["Sent, waiting for the provider"] == "1"
    assert sum(int(n) for n in counts.values()) == 1
    partial = analyst.get("/analytics/casework/", {"beat": agency["b1"].pk}, HTTP_HX_REQUEST="true")
    assert (
        partial.content.decode()
        .lstrip()
        .startswith('<nav class="tabs" aria-label="Analytics pages"')
    )
