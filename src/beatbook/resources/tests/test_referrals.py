"""Referrals: consent first, every status change, the provider's link, and follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from beatbook.calls.tests.factories import intake
from beatbook.core.exceptions import InvalidTransition, PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.resources.choices import ConsentScope, ContactMethod, ReferralStatus
from beatbook.resources.exceptions import ReferralRefused
from beatbook.resources.models import Referral, Service, TaxonomyTerm
from beatbook.resources.services import referrals as services
from beatbook.resources.tests.factories import directory_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def ids() -> dict[str, str]:
    return directory_build()


def refer(actor: Any, ids: dict[str, str], **kwargs: Any) -> Referral:
    values: dict[str, Any] = {
        "resident_name": "Rosalind Test",
        "resident_phone": "206-555-0142",
        "need": TaxonomyTerm.objects.get(pk=ids["need_food"]),
        "service": Service.objects.get(pk=ids["food"]),
        "consent_scopes": [ConsentScope.CONTACT_SHARE, ConsentScope.PROVIDER_CONTACT],
        "consent_method": "verbal",
        "contact_method": ContactMethod.PROVIDER_EMAIL,
    }
    values.update(kwargs)
    return services.referral_create(actor=actor, **values)


def test_no_referral_without_consent(agency: dict[str, Any], ids: dict[str, str]) -> None:
    with pytest.raises(ReferralRefused, match="No referral without the resident's consent"):
        refer(agency["cso"], ids, consent_scopes=[])
    with pytest.raises(ReferralRefused):
        refer(agency["cso"], ids, consent_scopes=["anything the CSO likes"])
    assert Referral.objects.count() == 0


def test_emailing_the_provider_needs_consent_to_share_contact_details(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    with pytest.raises(ReferralRefused, match="needs their consent to share contact details"):
        refer(agency["cso"], ids, consent_scopes=[ConsentScope.PROVIDER_CONTACT])
    with pytest.raises(ValidationFailed, match="give a phone number or an email"):
        refer(agency["cso"], ids, resident_phone="", contact_method=ContactMethod.RESIDENT_CALLS)
    housing = Service.objects.get(pk=ids["housing"])
    with pytest.raises(ValidationFailed, match="has no email address"):
        refer(agency["cso"], ids, service=housing)
    with pytest.raises(ReferralRefused, match="is defunct"):
        refer(agency["cso"], ids, service=Service.objects.get(pk=ids["closed"]))
    assert Referral.objects.count() == 0


def test_a_referral_from_a_call_records_consent_and_emails_the_provider(
    agency: dict[str, Any], ids: dict[str, str], delivered: Any
) -> None:
    call = intake(
        agency["dispatcher"], code="WELFARE", description="Welfare check, no food at home"
    )
    with delivered():
        referral = refer(
            agency["cso"],
            ids,
            call=call,
            resident_email="rosalind@example.org",
            resident_language="es",
            note="Lives alone, no car",
            consent_scopes=[ConsentScope.CONTACT_SHARE],
        )
    assert referral.number.startswith("REF-")
    assert referral.consent_scopes == ["contact_share"]
    assert referral.status == ReferralStatus.SENT
    assert referral.follow_up_due == timezone.localdate() + dt.timedelta(days=7)
    assert [u.status for u in referral.updates.all()] == ["sent"]
    assert [e.verb for e in history_for(referral)] == ["referral made"]
    assert "referral made" in [e.verb for e in history_for(call)]
    to_provider, to_resident = mail.outbox
    assert to_provider.to == ["intake@pantry.example.org"]
    assert "Rosalind Test" in to_provider.body
    assert "206-555-0142" in to_provider.body
    # The details of the call were not agreed to: the CSO's note stays with us.
    assert "Lives alone" not in to_provider.body
    assert f"/portal/referral/{referral.provider_token}/" in to_provider.body
    assert to_resident.to == ["rosalind@example.org"]
    assert "Su derivación" in to_resident.subject


def test_every_status_change_is_kept_and_only_allowed_steps_happen(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    referral = refer(agency["cso"], ids)
    services.referral_status_set(
        actor=agency["cso"], referral=referral, status="accepted", note="Intake booked"
    )
    services.referral_status_set(actor=agency["analyst"], referral=referral, status="served")
    referral.refresh_from_db()
    assert referral.status == "served"
    assert [(u.status, u.note) for u in referral.updates.all()] == [
        ("sent", ""),
        ("accepted", "Intake booked"),
        ("served", ""),
    ]
    with pytest.raises(InvalidTransition, match="cannot become “Declined by the provider”"):
        services.referral_status_set(actor=agency["analyst"], referral=referral, status="declined")
    other = refer(agency["cso"], ids)
    for status in ("declined",):
        services.referral_status_set(actor=agency["cso"], referral=other, status=status)
    third = refer(agency["cso"], ids)
    services.referral_status_set(actor=agency["cso"], referral=third, status="unable_to_reach")
    fourth = refer(agency["cso"], ids)
    services.referral_status_set(actor=agency["cso"], referral=fourth, status="withdrawn")
    with pytest.raises(ValidationFailed):
        services.referral_status_set(
            actor=agency["cso"], referral=refer(agency["cso"], ids), status="lost"
        )


def test_another_cso_or_a_dispatcher_may_not_update_it(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    referral = refer(agency["cso"], ids)
    with pytest.raises(ReferralRefused, match="Only the CSO who made the referral"):
        services.referral_status_set(
            actor=agency["cso_other_team"], referral=referral, status="served"
        )
    with pytest.raises(PermissionDenied):
        services.referral_status_set(actor=agency["dispatcher"], referral=referral, status="served")
    with pytest.raises(PermissionDenied):
        refer(agency["dispatcher"], ids)


def test_the_provider_answers_through_the_link_and_the_cso_hears(
    agency: dict[str, Any], ids: dict[str, str], delivered: Any
) -> None:
    agency["cso"].email = "cso@example.org"
    agency["cso"].save()
    referral = refer(
        agency["cso"],
        ids,
        consent_scopes=[ConsentScope.PROVIDER_CONTACT],
        contact_method=ContactMethod.WARM_HANDOFF,
    )
    url = f"/portal/referral/{referral.provider_token}/"
    page = Client().get(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    # Contact details were not agreed to be shared: the page does not show them.
    assert "206-555-0142" not in page.content.decode()
    assert "did not agree to share their contact details" in page.content.decode()
    mail.outbox.clear()
    with delivered():
        done = Client().post(url, {"status": "accepted", "note": "Seen Tuesday"})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.updates.last().by_label == "provider Pine Street Pantry Society (link)"  # type: ignore[union-attr]
    assert mail.outbox[0].to == ["cso@example.org"]
    assert "Accepted" in mail.outbox[0].subject
    refused = Client().post(url, {"status": "withdrawn"})
    assert refused.status_code == 409
    assert Client().get("/portal/referral/not-a-token/").status_code == 404


def test_follow_up_reminders_go_once_to_the_cso(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    agency["cso"].email = "cso@example.org"
    agency["cso"].save()
    waiting = refer(agency["cso"], ids, contact_method=ContactMethod.WARM_HANDOFF)
    answered = refer(agency["cso"], ids, contact_method=ContactMethod.WARM_HANDOFF)
    services.referral_status_set(actor=agency["cso"], referral=answered, status="served")
    assert services.referral_follow_up_remind(today=timezone.localdate()) == 0
    later = timezone.localdate() + dt.timedelta(days=8)
    assert services.referral_follow_up_remind(today=later) == 1
    assert waiting.number in mail.outbox[0].body
    assert answered.number not in mail.outbox[0].body
    assert services.referral_follow_up_remind(today=later) == 0


def test_coordinators_hear_of_services_nobody_verified(
    agency: dict[str, Any], ids: dict[str, str]
) -> None:
    agency["analyst"].email = "coordinator@example.org"
    agency["analyst"].save()
    assert services.stale_services_warn() == 1
    assert "Eviction Prevention Clinic" in mail.outbox[0].body
    assert "Neighbourhood Food Bank" not in mail.outbox[0].body
