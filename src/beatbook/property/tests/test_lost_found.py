from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from beatbook.property.matching import matches_for_item, matches_for_report
from beatbook.property.models import LostReport, PropertyItem, StorageLocation
from beatbook.property.tests.test_views import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(db: Any) -> StorageLocation:
    return StorageLocation.objects.create(code="PR-A-01", room="Property room A")


def report_lost(client: Client, **overrides: Any) -> Any:
    data = {
        "category": "25",
        "description": "Brown leather wallet with a library card",
        "lost_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "address": "1512 Pine St",
        "owner_name": "Dana Ruiz",
        "owner_email": "dana@example.org",
    }
    data.update(overrides)
    return client.post("/portal/lost/", data)


def test_resident_reports_a_loss_and_follows_it_by_private_link(client: Client) -> None:
    response = report_lost(client)
    report = LostReport.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/portal/lost/{report.public_token}/")
    # No street data loaded here: the words are kept for staff, without a map point.
    assert (report.address_text, report.lat) == ("1512 Pine St", None)
    page = client.get(response["Location"]).content.decode()
    assert report.number in page
    assert client.get("/portal/lost/not-a-real-token/").status_code == 404


def test_bad_lost_report_input_is_refused_field_by_field(client: Client) -> None:
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = report_lost(client, description="", lost_on=future)
    assert response.status_code == 400
    assert LostReport.objects.count() == 0
    response = report_lost(client, lost_on=future)
    assert response.status_code == 400
    assert "future" in response.content.decode()
    assert LostReport.objects.count() == 0


def test_public_found_list_never_shows_descriptions(
    client: Client, client_for: Any, agency: Any, shelf: Any
) -> None:
    book(client_for("cso"), shelf)
    book(client_for("cso"), shelf, kind="evidence", description="Knife in bag")
    page = client.get("/portal/found/").content.decode()
    item = PropertyItem.objects.get(kind="found")
    assert "Brown leather wallet" not in page
    assert "Knife" not in page
    assert item.get_category_display() in page
    assert item.block_text in page

    found_on = timezone.localdate(item.found_at)
    week = found_on - dt.timedelta(days=found_on.weekday())
    assert f"{week:%m/%d/%Y}" in page  # the week it was found, not the day
    if week != found_on:
        assert f"{found_on:%m/%d/%Y}" not in page
    later = (found_on + dt.timedelta(days=1)).isoformat()
    assert item.block_text not in client.get(f"/portal/found/?since={later}").content.decode()
    assert item.block_text not in client.get("/portal/found/?area=Elm").content.decode()
    assert item.block_text in client.get("/portal/found/?area=pine").content.decode()
    # Impossible dates and junk are ignored, not a server error.
    assert client.get("/portal/found/?since=2026-02-30&category=xx").status_code == 200


def test_matching_ranks_the_right_item_and_says_why(
    client: Client, client_for: Any, agency: Any, shelf: Any
) -> None:
    cso = client_for("cso")
    book(cso, shelf, description="Phone, black Samsung", category="09")
    book(cso, shelf)  # the wallet
    report_lost(client)
    report = LostReport.objects.get()
    wallet = PropertyItem.objects.get(description="Brown leather wallet")
    ranked = matches_for_report(report)
    assert [m.item for m in ranked] == [wallet]
    assert any("same category" in reason for reason in ranked[0].reasons)
    assert [m.report for m in matches_for_item(wallet)] == [report]


def test_confirm_notify_and_return_to_owner(
    client: Client,
    client_for: Any,
    agency: Any,
    shelf: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cso = client_for("cso")
    book(cso, shelf)
    report_lost(client)
    report = LostReport.objects.get()
    wallet = PropertyItem.objects.get()
    detail = cso.get(f"/property/lost/{report.pk}/").content.decode()
    assert wallet.number in detail
    assert "Confirm match" in detail
    with django_capture_on_commit_callbacks(execute=True):
        cso.post(f"/property/lost/{report.pk}/match/", {"item": wallet.pk})
    report.refresh_from_db()
    assert report.status == LostReport.Status.MATCHED
    assert report.matched_item == wallet
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.org"]
    link = re.search(r"https?://\S+/lost/\S+/", mail.outbox[0].body)
    assert link
    assert report.public_token in link.group(0)

    # A CSO may not hand property over (R13); a supervisor may, with an identity check.
    assert (
        cso.post(f"/property/lost/{report.pk}/return/", {"identity_checked": "DL"}).status_code
        == 403
    )
    supervisor = client_for("supervisor")
    supervisor.post(f"/property/lost/{report.pk}/return/", {"identity_checked": ""})
    report.refresh_from_db()
    assert report.status == LostReport.Status.MATCHED
    supervisor.post(f"/property/lost/{report.pk}/return/", {"identity_checked": "WA DL"})
    report.refresh_from_db()
    wallet.refresh_from_db()
    assert report.status == LostReport.Status.RETURNED
    assert wallet.status == "released"
    assert wallet.events.last().kind == "release"
    assert "Returned" in client.get(f"/portal/lost/{report.public_token}/").content.decode()


def test_match_refused_for_evidence_and_twice(
    client: Client, client_for: Any, agency: Any, shelf: Any
) -> None:
    cso = client_for("cso")
    book(cso, shelf, kind="evidence")
    report_lost(client)
    report = LostReport.objects.get()
    evidence = PropertyItem.objects.get()
    response = cso.post(f"/property/lost/{report.pk}/match/", {"item": evidence.pk}, follow=True)
    assert "not found property" in response.content.decode()
    report.refresh_from_db()
    assert report.status == LostReport.Status.OPEN


def test_lost_reports_are_staff_only(client: Client, client_for: Any, agency: Any) -> None:
    report_lost(client)
    report = LostReport.objects.get()
    assert client.get("/property/lost/").status_code in (302, 403)
    for role in ("dispatcher", "analyst"):
        response = client_for(role).get(f"/property/lost/{report.pk}/")
        assert response.status_code == 403, role
        assert "Dana" not in response.content.decode()


def test_an_item_is_matched_to_one_report_at_a_time(
    client: Client, client_for: Any, agency: Any, shelf: Any
) -> None:
    cso = client_for("cso")
    book(cso, shelf)
    report_lost(client)
    report_lost(client, owner_name="Second Claimant", owner_email="")
    first, second = LostReport.objects.order_by("pk")
    wallet = PropertyItem.objects.get()
    cso.post(f"/property/lost/{first.pk}/match/", {"item": wallet.pk})
    response = cso.post(f"/property/lost/{second.pk}/match/", {"item": wallet.pk}, follow=True)
    assert f"already matched to {first.number}" in response.content.decode()
    second.refresh_from_db()
    assert second.status == LostReport.Status.OPEN
