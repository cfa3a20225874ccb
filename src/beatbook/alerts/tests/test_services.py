from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from beatbook.alerts import services
from beatbook.alerts.choices import AlertStatus
from beatbook.alerts.exceptions import AlertStepRefused
from beatbook.alerts.models import Subscription
from beatbook.alerts.tests.factories import draft, published
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for

pytestmark = pytest.mark.django_db


class TestApproval:
    def test_draft_submit_approve_publishes_with_the_approver_recorded(
        self, agency: dict[str, Any]
    ) -> None:
        alert = published(agency["cso"], agency["supervisor"])
        assert alert.status == AlertStatus.PUBLISHED
        assert alert.approved_by == agency["supervisor"]
        assert alert.published_at is not None
        assert alert.published_at.microsecond == 0
        assert [e.verb for e in history_for(alert)] == [
            "alert drafted",
            "alert submitted for approval",
            "alert approved and published",
        ]

    def test_only_supervisors_approve_and_never_their_own_alert(
        self, agency: dict[str, Any]
    ) -> None:
        alert = draft(agency["supervisor"])
        services.alert_submit(actor=agency["supervisor"], alert=alert)
        for role in ("cso", "analyst"):
            with pytest.raises(PermissionDenied):
                services.alert_approve(actor=agency[role], alert=alert)
        with pytest.raises(AlertStepRefused, match="Another supervisor"):
            services.alert_approve(actor=agency["supervisor"], alert=alert)
        assert services.alert_approve(actor=agency["admin"], alert=alert).status == "published"

    def test_a_dispatcher_cannot_draft(self, agency: dict[str, Any]) -> None:
        with pytest.raises(PermissionDenied):
            draft(agency["dispatcher"])

    def test_returned_alerts_are_edited_and_resubmitted_published_ones_are_not_editable(
        self, agency: dict[str, Any]
    ) -> None:
        alert = draft(agency["cso"])
        with pytest.raises(AlertStepRefused, match="draft, so it cannot be approved"):
            services.alert_approve(actor=agency["supervisor"], alert=alert)
        services.alert_submit(actor=agency["cso"], alert=alert)
        with pytest.raises(ValidationFailed):
            services.alert_return(actor=agency["supervisor"], alert=alert, note="")
        alert = services.alert_return(
            actor=agency["supervisor"], alert=alert, note="Say which blocks"
        )
        assert alert.status == AlertStatus.RETURNED
        alert = services.alert_update(
            actor=agency["cso"], alert=alert, headline="Pine St closed, 1500 block"
        )
        services.alert_submit(actor=agency["cso"], alert=alert)
        alert = services.alert_approve(actor=agency["supervisor"], alert=alert)
        with pytest.raises(AlertStepRefused):
            services.alert_update(actor=agency["cso"], alert=alert, headline="Changed later")

    def test_bad_values_are_refused_with_the_field(self, agency: dict[str, Any]) -> None:
        with pytest.raises(ValidationFailed) as caught:
            draft(agency["cso"], severity="Apocalyptic")
        assert caught.value.field == "severity"
        with pytest.raises(ValidationFailed, match="future"):
            draft(agency["cso"], expires_at=timezone.now() - dt.timedelta(minutes=1))

    def test_withdrawing_needs_a_reason_and_a_published_alert(self, agency: dict[str, Any]) -> None:
        alert = published(agency["cso"], agency["supervisor"])
        with pytest.raises(ValidationFailed):
            services.alert_cancel(actor=agency["supervisor"], alert=alert, reason=" ")
        with pytest.raises(PermissionDenied):
            services.alert_cancel(actor=agency["cso"], alert=alert, reason="done")
        alert = services.alert_cancel(actor=agency["supervisor"], alert=alert, reason="Done")
        assert alert.status == AlertStatus.CANCELLED
        with pytest.raises(AlertStepRefused):
            services.alert_cancel(actor=agency["supervisor"], alert=alert, reason="again")


class TestSubscriptions:
    def test_double_opt_in_then_only_alerts_for_the_chosen_beats(
        self, client: Client, agency: dict[str, Any], delivered: Any
    ) -> None:
        with delivered():
            north = services.subscription_request(email="Ana@Example.org", beats=[agency["a1"]])
            everything = services.subscription_request(
                email="bo@example.org", beats=[], language="es"
            )
            south = services.subscription_request(email="cy@example.org", beats=[agency["b1"]])
        assert [m.to for m in mail.outbox] == [
            ["ana@example.org"],
            ["bo@example.org"],
            ["cy@example.org"],
        ]
        confirm = f"/portal/alerts/confirm/{north.token}/"
        assert confirm in mail.outbox[0].body
        assert "/es/portal/alerts/confirm/" in mail.outbox[1].body
        assert client.get(confirm).status_code == 200  # a link scanner's GET confirms nothing
        north.refresh_from_db()
        assert north.confirmed_at is None
        client.post(confirm)
        client.post(f"/es/portal/alerts/confirm/{everything.token}/")
        mail.outbox.clear()
        with delivered():
            published(agency["cso"], agency["supervisor"], beats=[agency["a1"]])
        assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
        spanish = next(m for m in mail.outbox if m.to == ["bo@example.org"])
        assert "Pine St cerrada" in spanish.subject
        assert spanish.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert (
            f"/alerts/unsubscribe/{everything.token}/" in spanish.extra_headers["List-Unsubscribe"]
        )
        assert south.confirmed_at is None

    def test_one_click_unsubscribe_from_the_mail_client_needs_no_page(
        self, agency: dict[str, Any], delivered: Any
    ) -> None:
        subscription = services.subscription_request(email="ana@example.org", beats=[])
        services.subscription_confirm(token=subscription.token)
        mail_client = Client(enforce_csrf_checks=True)
        response = mail_client.post(
            f"/portal/alerts/unsubscribe/{subscription.token}/",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        subscription.refresh_from_db()
        assert not subscription.is_active
        mail.outbox.clear()
        with delivered():
            published(agency["cso"], agency["supervisor"])
        assert mail.outbox == []
        assert mail_client.get("/portal/alerts/unsubscribe/nonsense/").status_code == 404

    def test_the_portal_form_sends_the_confirmation_and_refuses_a_bad_address(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        bad = client.post("/portal/alerts/subscribe/", {"email": "not-an-address"})
        assert bad.status_code == 400
        assert not Subscription.objects.exists()
        ok = client.post(
            "/portal/alerts/subscribe/", {"email": "ana@example.org", "beats": [agency["a1"].pk]}
        )
        assert ok.status_code == 200
        assert Subscription.objects.get().email == "ana@example.org"
        robot = client.post(
            "/portal/alerts/subscribe/", {"email": "bot@example.org", "website": "spam"}
        )
        assert robot.status_code == 200
        assert Subscription.objects.count() == 1


def test_asking_again_changes_the_beats_only_once_the_new_link_is_followed(
    agency: dict[str, Any], delivered: Any
) -> None:
    first = services.subscription_request(email="ana@example.org", beats=[agency["a1"]])
    services.subscription_confirm(token=first.token)
    second = services.subscription_request(email="Ana@example.org", beats=[agency["b1"]])
    assert second.pk != first.pk
    mail.outbox.clear()
    with delivered():
        published(agency["cso"], agency["supervisor"], beats=[agency["a1"]])
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]  # still the A1 choice
    services.subscription_confirm(token=second.token)
    first.refresh_from_db()
    assert not first.is_active
    mail.outbox.clear()
    with delivered():
        published(agency["cso"], agency["supervisor"], beats=[agency["a1"]], headline="Again")
    assert mail.outbox == []
    with delivered():
        published(agency["cso"], agency["supervisor"], beats=[agency["b1"]], headline="Oak")
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
