from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from beatbook.animals import services
from beatbook.animals.choices import CaseStatus, Outcome
from beatbook.animals.exceptions import CaseStepRefused
from beatbook.animals.models import AnimalCase, BiteInvestigation
from beatbook.animals.tests.factories import shelter, stray_case
from beatbook.calls.tests.factories import intake
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for

pytestmark = pytest.mark.django_db


def test_a_case_opened_from_an_animal_call_takes_its_place_kind_and_cso(
    agency: dict[str, Any],
) -> None:
    case = stray_case(agency)
    assert case.number.startswith("ANC-")
    assert case.kind == "stray"
    assert case.handler == agency["cso"]
    assert case.summary == "Brown dog loose near the school"
    assert (case.lat, case.lon) == (case.call.lat, case.call.lon)
    assert case.block_text == case.call.block_text
    verbs = [e.verb for e in history_for(case)]
    assert verbs[:2] == ["case opened", "animal described"]
    described = history_for(case).get(verb="animal described").data
    assert described == {
        "species": "Dog",
        "breed": "Labrador mix",
        "colour": "brown",
        "sex": "Male",
        "vaccination": "Rabies status unknown",
    }
    services.animal_record(actor=agency["cso"], case=case, sex="mn", tag_number="SEA-1")
    corrected = history_for(case).filter(verb="animal described").last()
    assert corrected is not None
    assert corrected.data == {"sex": "Male → Male, neutered", "tag or licence": "SEA-1"}
    assert "animal case opened" in [e.verb for e in history_for(case.call)]


def test_bite_and_wildlife_calls_open_cases_of_their_kind(agency: dict[str, Any]) -> None:
    bite_call = intake(agency["dispatcher"], code="BITE", description="Dog bit a jogger")
    wild_call = intake(agency["dispatcher"], code="WILDLIFE", description="Raccoon in garage")
    assert services.case_open(actor=agency["dispatcher"], call=bite_call).kind == "bite"
    assert services.case_open(actor=agency["dispatcher"], call=wild_call).kind == "wildlife"


def test_only_animal_calls_open_cases_and_only_once(agency: dict[str, Any]) -> None:
    noise = intake(agency["dispatcher"], code="NOISE")
    with pytest.raises(ValidationFailed, match="not an animal call"):
        services.case_open(actor=agency["dispatcher"], call=noise)
    case = stray_case(agency)
    with pytest.raises(CaseStepRefused, match=f"already has open case {case.number}"):
        services.case_open(actor=agency["dispatcher"], call=case.call)
    assert AnimalCase.objects.count() == 1


def test_the_analyst_cannot_open_or_work_cases(agency: dict[str, Any]) -> None:
    call = intake(agency["dispatcher"], code="ANIMAL")
    with pytest.raises(PermissionDenied):
        services.case_open(actor=agency["analyst"], call=call)
    case = stray_case(agency)
    with pytest.raises(PermissionDenied):
        services.case_capture(actor=agency["dispatcher"], case=case)
    with pytest.raises(PermissionDenied):
        services.case_capture(actor=agency["analyst"], case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_stray_goes_to_the_shelter_and_the_owner_gets_an_email_in_their_language(
    agency: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    cso = agency["cso"]
    case = stray_case(agency)
    services.case_capture(actor=cso, case=case, note="Leashed at the playground")
    services.case_transport(actor=cso, case=case, shelter=shelter())
    services.case_impound(actor=cso, case=case, shelter_reference="A-2026-1177")
    services.owner_record(
        actor=agency["dispatcher"],
        case=case,
        name="Rosa Díaz",
        email="rosa@example.org",
        language="es",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.owner_notify(actor=agency["dispatcher"], case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.IMPOUNDED
    assert case.captured_at <= case.transport_at <= case.impounded_at <= case.owner_notified_at
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa@example.org"]
    assert "Seattle Animal Shelter" in message.body
    assert "A-2026-1177" in message.body
    assert "Tenemos a su animal" in message.subject  # Spanish, the owner's language
    services.case_return(actor=cso, case=case, identity_checked="licence + vet record")
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.CLOSED, Outcome.RETURNED_TO_OWNER)
    verbs = [e.verb for e in history_for(case)]
    for verb in (
        "animal captured",
        "on the way to shelter",
        "impounded",
        "owner recorded",
        "owner notice queued",
        "owner notice sent",
        "returned to owner",
    ):
        assert verb in verbs


def test_steps_out_of_order_are_refused_with_the_reason(agency: dict[str, Any]) -> None:
    cso = agency["cso"]
    case = stray_case(agency)
    with pytest.raises(CaseStepRefused, match="open; it cannot be impounded"):
        services.case_impound(actor=cso, case=case, shelter_reference="X1")
    with pytest.raises(CaseStepRefused, match="cannot be taken to a shelter"):
        services.case_transport(actor=cso, case=case, shelter=shelter())
    services.case_capture(actor=cso, case=case)
    with pytest.raises(CaseStepRefused, match="No owner is on file"):
        services.owner_notify(actor=cso, case=case)
    with pytest.raises(CaseStepRefused, match="captured; it cannot be captured"):
        services.case_capture(actor=cso, case=case)
    with pytest.raises(CaseStepRefused, match="Record the owner"):
        services.case_return(actor=cso, case=case, identity_checked="ID")
    services.case_transport(actor=cso, case=case, shelter=shelter())
    with pytest.raises(ValidationFailed, match="intake number"):
        services.case_impound(actor=cso, case=case, shelter_reference="  ")
    services.owner_record(actor=cso, case=case, name="Ann Lee", phone="206-555-0101")
    with pytest.raises(CaseStepRefused, match="cannot be returned"):
        services.case_return(actor=cso, case=case, identity_checked="ID")
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_TRANSPORT


def test_capture_needs_an_animal_and_an_inactive_shelter_is_refused(
    agency: dict[str, Any],
) -> None:
    cso = agency["cso"]
    call = intake(agency["dispatcher"], code="ANIMAL")
    case = services.case_open(actor=cso, call=call)
    with pytest.raises(CaseStepRefused, match="Describe the animal"):
        services.case_capture(actor=cso, case=case)
    services.animal_record(actor=cso, case=case, species="cat", colour="grey")
    services.case_capture(actor=cso, case=case)
    closed = shelter("Old County Pound", is_active=False)
    with pytest.raises(ValidationFailed, match="no longer takes animals"):
        services.case_transport(actor=cso, case=case, shelter=closed)


def test_return_in_the_field_needs_identity_and_closes_the_case(agency: dict[str, Any]) -> None:
    cso = agency["cso"]
    case = stray_case(agency, tag_number="SEA-20931")
    services.case_capture(actor=cso, case=case)
    services.owner_record(actor=cso, case=case, name="Ann Lee", phone="206-555-0101")
    with pytest.raises(ValidationFailed, match="how the owner proved"):
        services.case_return(actor=cso, case=case, identity_checked=" ")
    services.case_return(actor=cso, case=case, identity_checked="driver licence")
    case.refresh_from_db()
    assert case.outcome == Outcome.RETURNED_IN_FIELD
    with pytest.raises(CaseStepRefused, match="already closed"):
        services.case_close(actor=cso, case=case, outcome=Outcome.GONE_ON_ARRIVAL)


def test_a_chipped_animal_seen_before_brings_its_owner(agency: dict[str, Any]) -> None:
    cso = agency["cso"]
    first = stray_case(agency, microchip="985 112 003 456 789")
    services.owner_record(actor=cso, case=first, name="Ann Lee", phone="206-555-0101")
    services.case_close(actor=cso, case=first, outcome=Outcome.GONE_ON_ARRIVAL)
    call = intake(agency["dispatcher"], code="ANIMAL", description="Same dog again")
    second = services.case_open(actor=cso, call=call)
    animal = services.animal_record(
        actor=cso, case=second, species="dog", microchip="985112003456789"
    )
    assert animal.microchip == "985112003456789"
    assert animal.owner is not None
    assert animal.owner.name == "Ann Lee"
    assert "owner on file" in [e.verb for e in history_for(second)]


def test_bad_microchip_and_missing_owner_contact_are_refused(agency: dict[str, Any]) -> None:
    case = stray_case(agency)
    with pytest.raises(ValidationFailed, match="9 to 15"):
        services.animal_record(actor=agency["cso"], case=case, microchip="1234")
    with pytest.raises(ValidationFailed, match="phone number or an e-mail"):
        services.owner_record(actor=agency["cso"], case=case, name="Ann Lee")
    case.refresh_from_db()
    assert case.animal.microchip == ""
    assert case.animal.owner is None


def test_owner_without_email_is_phoned_and_the_call_is_recorded(agency: dict[str, Any]) -> None:
    cso = agency["cso"]
    case = stray_case(agency)
    services.case_capture(actor=cso, case=case)
    services.owner_record(actor=cso, case=case, name="Ann Lee", phone="206-555-0101")
    with pytest.raises(ValidationFailed, match="no e-mail address"):
        services.owner_notify(actor=cso, case=case)
    services.owner_notify(actor=cso, case=case, by_phone_note="Coming at 5 pm")
    case.refresh_from_db()
    assert case.owner_notified_at is not None
    assert mail.outbox == []
    entry = history_for(case).get(verb="owner phoned")
    assert entry.data == {"note": "Coming at 5 pm"}


def test_leaving_an_animal_with_the_shelter_needs_an_impound(agency: dict[str, Any]) -> None:
    cso = agency["cso"]
    case = stray_case(agency)
    services.case_capture(actor=cso, case=case)
    with pytest.raises(CaseStepRefused, match="Only an impounded animal"):
        services.case_close(actor=cso, case=case, outcome=Outcome.SHELTER_CUSTODY)
    with pytest.raises(ValidationFailed, match="Use Return to owner"):
        services.case_close(actor=cso, case=case, outcome=Outcome.RETURNED_TO_OWNER)
    services.case_transport(actor=cso, case=case, shelter=shelter())
    services.case_impound(actor=cso, case=case, shelter_reference="A-1")
    services.case_close(actor=cso, case=case, outcome=Outcome.SHELTER_CUSTODY, note="Unclaimed")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.close_note) == ("closed", "shelter", "Unclaimed")


# --- bites ---------------------------------------------------------------------------


def _bite_case(agency: dict[str, Any]) -> AnimalCase:
    call = intake(agency["dispatcher"], code="BITE", description="Dog bit a jogger's calf")
    call_services_dispatch(agency, call)
    case = services.case_open(actor=agency["cso"], call=call)
    services.animal_record(actor=agency["cso"], case=case, species="dog", colour="black")
    return case


def call_services_dispatch(agency: dict[str, Any], call: Any) -> None:
    from beatbook.calls import services as call_services

    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])


def _record_bite(agency: dict[str, Any], case: AnimalCase, **kwargs: Any) -> BiteInvestigation:
    fields: dict[str, Any] = {
        "victim_name": "Jo Park",
        "bitten_at": timezone.now() - dt.timedelta(hours=2),
        "body_part": "left calf",
        "vaccination": "unknown",
        "quarantine_place": "home",
    }
    fields.update(kwargs)
    return services.bite_record(actor=agency["cso"], case=case, **fields)


def test_a_bite_starts_a_ten_day_quarantine_and_updates_the_animal(
    agency: dict[str, Any],
) -> None:
    case = _bite_case(agency)
    bite = _record_bite(agency, case, vaccination="expired")
    bitten_on = timezone.localdate(bite.bitten_at)
    assert bite.quarantine_days == 10
    assert bite.quarantine_ends == bitten_on + dt.timedelta(days=10)
    case.refresh_from_db()
    assert case.animal.vaccination == "expired"
    assert history_for(case).get(verb="bite recorded").data["quarantine_ends"] == (
        bite.quarantine_ends.isoformat()
    )
    with pytest.raises(CaseStepRefused, match="already has its bite"):
        _record_bite(agency, case)


def test_bite_refusals(agency: dict[str, Any], settings: Any) -> None:
    stray = stray_case(agency)
    with pytest.raises(CaseStepRefused, match="not a bite case"):
        _record_bite(agency, stray)
    case = _bite_case(agency)
    with pytest.raises(ValidationFailed, match="future"):
        _record_bite(agency, case, bitten_at=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed, match="1 to 180"):
        _record_bite(agency, case, quarantine_days=0)
    with pytest.raises(PermissionDenied):
        services.bite_record(
            actor=agency["dispatcher"],
            case=case,
            victim_name="x",
            bitten_at=timezone.now(),
            body_part="hand",
            vaccination="unknown",
            quarantine_place="home",
        )
    settings.BEATBOOK_BITE_QUARANTINE_DAYS = 14
    assert _record_bite(agency, case).quarantine_days == 14


def test_an_ended_quarantine_reminds_the_handler_once(
    agency: dict[str, Any], settings: Any
) -> None:
    settings.BEATBOOK_ANIMAL_CONTROL_EMAIL = "animals@example.org"
    agency["cso"].email = "cso@example.org"
    agency["cso"].save()
    case = _bite_case(agency)
    bite = _record_bite(agency, case)
    assert (
        services.quarantine_reminders_send(today=bite.quarantine_ends - dt.timedelta(days=1)) == 0
    )
    assert services.quarantine_reminders_send(today=bite.quarantine_ends) == 1
    assert sorted(mail.outbox[0].to) == ["animals@example.org", "cso@example.org"]
    assert case.number in mail.outbox[0].subject
    assert f"/animals/{case.pk}/" in mail.outbox[0].body
    assert services.quarantine_reminders_send(today=bite.quarantine_ends) == 0
    assert len(mail.outbox) == 1
    bite.refresh_from_db()
    assert bite.reminder_sent_at is not None


def test_a_deferring_task_backend_gets_the_reminder_for_the_morning_it_ends(
    agency: dict[str, Any], monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scheduled: list[Any] = []

    class Deferring:
        supports_defer = True

    class Task:
        def using(self, run_after: dt.datetime) -> Any:
            scheduled.append(run_after)
            return self

        def enqueue(self, bite_id: int) -> None:
            scheduled.append(bite_id)

    monkeypatch.setattr(services, "default_task_backend", Deferring())
    monkeypatch.setattr(services, "quarantine_reminder_task", Task())
    case = _bite_case(agency)
    with django_capture_on_commit_callbacks(execute=True):
        bite = _record_bite(agency, case)
    at, bite_id = scheduled
    assert bite_id == bite.pk
    assert timezone.localtime(at).date() == bite.quarantine_ends
    assert timezone.localtime(at).hour == 8


def test_quarantine_result_and_closing_a_bite_case(agency: dict[str, Any]) -> None:
    cso = agency["cso"]
    case = _bite_case(agency)
    bite = _record_bite(agency, case)
    with pytest.raises(CaseStepRefused, match="runs until"):
        services.case_close(actor=cso, case=case, outcome=Outcome.RESOLVED)
    with pytest.raises(CaseStepRefused, match="only when the observation ends"):
        services.quarantine_result(actor=cso, case=case, result="healthy")
    BiteInvestigation.objects.filter(pk=bite.pk).update(
        quarantine_ends=timezone.localdate() - dt.timedelta(days=1)
    )
    services.quarantine_result(actor=cso, case=case, result="healthy")
    with pytest.raises(CaseStepRefused, match="already ended"):
        services.quarantine_result(actor=cso, case=case, result="died")
    services.case_close(actor=cso, case=case, outcome=Outcome.RESOLVED)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_symptoms_can_end_the_observation_early(agency: dict[str, Any]) -> None:
    case = _bite_case(agency)
    _record_bite(agency, case)
    bite = services.quarantine_result(actor=agency["cso"], case=case, result="symptoms")
    assert bite.result == "symptoms"


def test_the_daily_command_sends_due_reminders(agency: dict[str, Any]) -> None:
    from io import StringIO

    from django.core.management import call_command

    agency["cso"].email = "cso@example.org"
    agency["cso"].save()
    case = _bite_case(agency)
    bite = _record_bite(agency, case)
    BiteInvestigation.objects.filter(pk=bite.pk).update(quarantine_ends=timezone.localdate())
    out = StringIO()
    call_command("animals", "remind", stdout=out)
    assert "1 quarantine reminder(s) sent." in out.getvalue()
    assert mail.outbox[0].to == ["cso@example.org"]
