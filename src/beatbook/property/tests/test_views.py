from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from beatbook.calls.tests.factories import intake
from beatbook.property.models import PropertyItem, StorageLocation
from beatbook.records.tests.test_views import pdf_first_page_ink

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(db: Any) -> StorageLocation:
    return StorageLocation.objects.create(code="PR-A-01", room="Property room A")


def book(client: Client, shelf: StorageLocation, **overrides: Any) -> Any:
    data = {
        "kind": "found",
        "category": "25",
        "description": "Brown leather wallet",
        "address": "1512 Pine St",
        "location": shelf.pk,
    }
    data.update(overrides)
    return client.post("/property/new/", data)


def test_book_in_from_a_call_scan_check_out_and_in(
    client_for: Any, agency: Any, shelf: Any
) -> None:
    call = intake(agency["dispatcher"], code="PROPFND", description="Wallet on bench")
    cso = client_for("cso")
    response = book(cso, shelf, call=call.pk, address="")
    item = PropertyItem.objects.get()
    assert response["Location"] == f"/property/{item.pk}/"
    assert item.call == call
    assert item.location == shelf
    assert cso.get(f"/property/scan/?code={item.label_code.lower()}")["Location"] == (
        f"/property/{item.pk}/"
    )
    assert cso.get("/property/scan/?code=NOPE").status_code == 404
    cso.post(f"/property/{item.pk}/check-out/", {"to": agency["cso"].pk, "reason": "Owner ID"})
    cso.post(f"/property/{item.pk}/check-in/", {"location": shelf.pk})
    page = cso.get(f"/property/{item.pk}/").content.decode()
    assert "verified" in page
    assert [e.kind for e in item.events.all()] == ["intake", "check_out", "check_in"]


def test_label_and_custody_report_pdfs(client_for: Any, agency: Any, shelf: Any) -> None:
    cso = client_for("cso")
    book(cso, shelf)
    item = PropertyItem.objects.get()
    for document in ("label", "custody"):
        pdf = cso.get(f"/property/{item.pk}/{document}.pdf")
        assert pdf.content.startswith(b"%PDF")
        assert pdf_first_page_ink(pdf.content) > 0.005


def test_refusals_come_back_as_messages(client_for: Any, agency: Any, shelf: Any) -> None:
    cso = client_for("cso")
    book(cso, shelf)
    item = PropertyItem.objects.get()
    page = cso.post(
        f"/property/{item.pk}/release/", {"owner_name": "X", "identity_checked": "ID"}, follow=True
    )
    assert "Your role may not release property" in page.content.decode()
    assert item.events.count() == 1


def test_other_roles_cannot_open_the_property_room(
    client_for: Any, agency: Any, shelf: Any
) -> None:
    book(client_for("cso"), shelf)
    item = PropertyItem.objects.get()
    for role in ("dispatcher", "analyst"):
        assert client_for(role).get(f"/property/{item.pk}/").status_code == 403


def test_evidence_never_appears_in_public_output(client_for: Any, agency: Any, shelf: Any) -> None:
    call = intake(agency["dispatcher"], code="PROPFND", description="Knife-free bag")
    book(
        client_for("cso"),
        shelf,
        kind="evidence",
        description="Evidence canary bag XJ-77",
        call=call.pk,
        address="",
    )
    public = Client()
    for path in [
        "/portal/reports/",
        "/portal/reports.json",
        "/open311/v2/requests.json",
        f"/portal/reports/{call.number}/",
    ]:
        assert "XJ-77" not in public.get(path).content.decode()
