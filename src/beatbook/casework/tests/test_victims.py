"""Victim assistance (R40): confidential by default — only assigned staff and the
victim-services role know it exists; everyone else gets a 404 — with its checklist."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from beatbook.casework.models import VictimAssistance
from beatbook.casework.selectors import victim_assistance_visible_to
from beatbook.casework.services import victims as services
from beatbook.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.core.testing import login
from beatbook.records import services as record_services

pytestmark = pytest.mark.django_db
CANARY_NAME = "Philippa Vantablack"
CANARY_PHONE = "206-555-0199"
CANARY_DETAIL = "shelter-bed-canary-7731"


def victim(agency: dict[str, Any], role: str = "victim") -> Any:
    report = record_services.report_create(
        actor=agency["cso"], kind="incident", title="Assault in the park"
    )
    return record_services.report_person_add(
        actor=agency["cso"],
        report=report,
        role=role,
        name=CANARY_NAME,
        phone=CANARY_PHONE,
        is_confidential=True,
        confidentiality_reason="domestic_violence",
    )


def masked(page: bytes) -> bytes:
    """The page without its per-render CSRF token."""
    page = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", page)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


@pytest.fixture
def assistance(agency: dict[str, Any]) -> VictimAssistance:
    return services.victim_assistance_open(actor=agency["cso"], person=victim(agency))


def test_the_author_opens_it_and_is_assigned(
    agency: dict[str, Any], assistance: VictimAssistance
) -> None:
    assert list(assistance.assigned.all()) == [agency["cso"]]
    assert [e.verb for e in history_for(assistance)] == ["victim assistance opened"]


def test_only_for_a_victim_and_only_by_the_author_or_victim_staff(agency: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="named as a victim"):
        services.victim_assistance_open(actor=agency["cso"], person=victim(agency, role="witness"))
    person = victim(agency)
    with pytest.raises(NotFound):
        services.victim_assistance_open(actor=agency["cso_other_team"], person=person)
    with pytest.raises(PermissionDenied):
        services.victim_assistance_open(actor=agency["dispatcher"], person=person)
    services.victim_assistance_open(actor=agency["victim_services"], person=person)


def test_visible_to_assigned_staff_and_victim_services_only(
    agency: dict[str, Any], assistance: VictimAssistance
) -> None:
    for who in ("cso", "victim_services"):
        assert list(victim_assistance_visible_to(agency[who])) == [assistance]
    for who in ("cso_other_team", "supervisor", "admin", "analyst", "dispatcher"):
        assert list(victim_assistance_visible_to(agency[who])) == [], who


def test_an_unassigned_cso_gets_404_exactly_as_for_a_record_that_does_not_exist(
    agency: dict[str, Any], assistance: VictimAssistance
) -> None:
    other = login(Client(), agency["cso_other_team"])
    missing = other.get("/casework/victims/999999/")
    hidden = other.get(f"/casework/victims/{assistance.pk}/")
    assert hidden.status_code == missing.status_code == 404
    assert masked(hidden.content) == masked(missing.content)
    assert (
        other.post(f"/casework/victims/{assistance.pk}/step/", {"kind": "safety_plan"}).status_code
        == 404
    )
    assert CANARY_NAME not in other.get("/casework/victims/").content.decode()
    supervisor = login(Client(), agency["supervisor"])
    assert supervisor.get(f"/casework/victims/{assistance.pk}/").status_code == 404
    own = login(Client(), agency["cso"]).get(f"/casework/victims/{assistance.pk}/")
    assert own.status_code == 200
    assert CANARY_NAME in own.content.decode()
    advocate = login(Client(), agency["victim_services"]).get(f"/casework/victims/{assistance.pk}/")
    assert advocate.status_code == 200


def test_the_checklist_records_date_and_who(
    agency: dict[str, Any], assistance: VictimAssistance
) -> None:
    today = timezone.localdate()
    services.victim_step_record(
        actor=agency["cso"], assistance=assistance, kind="rights_notice", detail="Marsy's card"
    )
    services.victim_step_record(
        actor=agency["cso"],
        assistance=assistance,
        kind="safety_plan",
        done_on=today - dt.timedelta(days=1),
    )
    due = services.victim_step_record(
        actor=agency["cso"],
        assistance=assistance,
        kind="follow_up",
        due_on=today + dt.timedelta(days=3),
    )
    assert due.done_at is None
    assert due.done_by is None
    with pytest.raises(ValidationFailed, match="Say which resource"):
        services.victim_step_record(
            actor=agency["cso"], assistance=assistance, kind="resource_offered"
        )
    with pytest.raises(ValidationFailed, match="future"):
        services.victim_step_record(
            actor=agency["cso"],
            assistance=assistance,
            kind="safety_plan",
            done_on=today + dt.timedelta(days=1),
        )
    services.victim_assign(
        actor=agency["cso"], assistance=assistance, user=agency["victim_services"]
    )
    services.victim_step_done(actor=agency["victim_services"], step=due, detail="Called, safe")
    due.refresh_from_db()
    assert due.done_by == agency["victim_services"]
    assert due.detail == "Called, safe"
    steps = [(s.kind, s.done_by_id) for s in assistance.steps.all()]
    assert ("rights_notice", agency["cso"].pk) in steps
    assert ("follow_up", agency["victim_services"].pk) in steps
    with pytest.raises(NotFound):
        services.victim_step_record(
            actor=agency["cso_other_team"], assistance=assistance, kind="safety_plan"
        )


def test_release_needs_written_time_limited_consent(
    agency: dict[str, Any], assistance: VictimAssistance
) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationFailed, match="at most a year"):
        services.release_consent_record(
            actor=agency["cso"],
            assistance=assistance,
            scope="to the shelter",
            until=today + dt.timedelta(days=400),
        )
    with pytest.raises(ValidationFailed, match="future"):
        services.release_consent_record(
            actor=agency["cso"], assistance=assistance, scope="to the shelter", until=today
        )
    services.release_consent_record(
        actor=agency["cso"],
        assistance=assistance,
        scope="name and phone to Harbor Shelter",
        until=today + dt.timedelta(days=90),
    )
    assistance.refresh_from_db()
    assert assistance.release_consent_until == today + dt.timedelta(days=90)


def test_no_trace_of_the_victim_in_history_or_public_output(
    agency: dict[str, Any], assistance: VictimAssistance
) -> None:
    services.victim_step_record(
        actor=agency["cso"], assistance=assistance, kind="resource_offered", detail=CANARY_DETAIL
    )
    canaries = [CANARY_NAME, CANARY_PHONE, CANARY_DETAIL]
    canaries += [
        getattr(hashlib, algo)(c.encode()).hexdigest()
        for c in list(canaries)
        for algo in ("md5", "sha1", "sha256")
    ]
    stored = " ".join(f"{e.object_label} {e.data}" for e in history_for(assistance))
    public = Client()
    pages = [
        public.get(url).content.decode(errors="replace")
        for url in (
            "/portal/",
            "/portal/resources/",
            "/portal/reports/",
            "/open311/v2/requests.json",
            "/portal/events.ics",
            "/portal/alerts.atom",
        )
    ]
    analyst = login(Client(), agency["analyst"])
    pages.append(analyst.get("/analytics/casework/").content.decode())
    export = analyst.get("/analytics/open-data.csv")
    pages.append(b"".join(export.streaming_content).decode(errors="replace"))  # type: ignore[attr-defined]
    for canary in canaries:
        assert canary not in stored
        for page in pages:
            assert canary not in page


def test_follow_up_reminders_carry_a_count_and_a_link_only(
    agency: dict[str, Any], assistance: VictimAssistance
) -> None:
    from django.core import mail

    agency["cso"].email = "cso@example.org"
    agency["cso"].save()
    services.victim_step_record(
        actor=agency["cso"],
        assistance=assistance,
        kind="follow_up",
        detail=CANARY_DETAIL,
        due_on=timezone.localdate() + dt.timedelta(days=1),
    )
    assert services.victim_follow_ups_remind() == 0
    assert services.victim_follow_ups_remind(today=timezone.localdate() + dt.timedelta(days=1)) == 1
    (message,) = mail.outbox
    assert message.to == ["cso@example.org"]
    assert message.body.startswith("1 victim-assistance follow-up contact(s) are due.")
    for canary in (CANARY_NAME, CANARY_PHONE, CANARY_DETAIL):
        assert canary not in message.body
        assert canary not in message.subject
