"""Writes in animal control. Each step checks the case's state under a row lock, stamps the
time, and lands in the case's history."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import default_task_backend

from beatbook.accounts.models import User
from beatbook.animals.choices import (
    KIND_FOR_CALL_TYPE,
    CaseKind,
    CaseStatus,
    Outcome,
    QuarantinePlace,
    QuarantineResult,
    Vaccination,
)
from beatbook.animals.exceptions import CaseStepRefused
from beatbook.animals.models import (
    Animal,
    AnimalCase,
    BiteInvestigation,
    LostAnimalReport,
    Owner,
    Shelter,
)
from beatbook.animals.tasks import owner_notice_task, quarantine_reminder_task
from beatbook.calls.models import Call
from beatbook.core.actors import SYSTEM, Actor
from beatbook.core.exceptions import ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.numbering import number_next
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.places.selectors import location_resolve, place_or_words

DESK = {Role.CSO, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}  # open, owners, notices
FIELD = {Role.CSO, Role.SUPERVISOR, Role.ADMIN}  # capture, transport, impound, return, bites
ANIMAL_FIELDS = (
    "species",
    "breed",
    "colour",
    "sex",
    "name",
    "markings",
    "tag_number",
    "microchip",
    "vaccination",
    "vaccination_expires",
)


def _lock(case: AnimalCase) -> AnimalCase:
    return (
        AnimalCase.objects.select_for_update(of=("self",))
        .select_related("animal__owner", "shelter", "call")
        .get(pk=case.pk)
    )


def _require_status(case: AnimalCase, allowed: set[str], doing: str) -> None:
    if case.status not in allowed:
        raise CaseStepRefused(
            f"{case.number} is {case.get_status_display().lower()}; it cannot be {doing} now."
        )


def _is_animal_call(call: Call) -> bool:
    return (
        call.call_type.code in KIND_FOR_CALL_TYPE
        or call.call_type.referral_division == "animal_services"
    )


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    kind: str = "",
    summary: str = "",
    call: Call | None = None,
    address: str = "",
    handler: User | None = None,
) -> AnimalCase:
    """Open a case, usually from an animal call: its place, summary and CSO come with it."""
    require_role(actor, DESK, action="open animal cases")
    if call is not None:
        if not _is_animal_call(call):
            raise ValidationFailed(
                f"{call.number} is a {call.call_type.name.lower()} call, not an animal call.",
                field="call",
            )
        existing = call.animal_cases.exclude(status=CaseStatus.CLOSED).first()
        if existing is not None:
            raise CaseStepRefused(f"{call.number} already has open case {existing.number}.")
        kind = kind or KIND_FOR_CALL_TYPE.get(call.call_type.code, "")
        summary = summary.strip() or call.description[:1000]
        if handler is None and call.assigned_unit_id is not None:
            handler = call.assigned_unit.user  # type: ignore[union-attr]
        lat, lon = call.lat, call.lon
        address_text, block = call.address_text, call.block_text
    elif address.strip():
        place = location_resolve(address=address)
        lat, lon, address_text, block = place.lat, place.lon, place.address_text, place.block_text
    else:
        raise ValidationFailed("Give the call or the address.", field="address")
    if kind not in CaseKind.values:
        raise ValidationFailed("Choose stray, bite, welfare, wildlife or nuisance.", field="kind")
    if not summary.strip():
        raise ValidationFailed("Say what the case is about.", field="summary")
    if handler is None and isinstance(actor, User) and actor.role == Role.CSO:
        handler = actor
    case = AnimalCase(
        number=number_next(prefix="ANC"),
        kind=kind,
        call=call,
        summary=summary.strip(),
        address_text=address_text,
        block_text=block,
        lat=lat,
        lon=lon,
        opened_by=actor if isinstance(actor, User) else None,
        handler=handler,
    )
    validate(case)
    case.save()
    history_record(
        obj=case, actor=actor, verb="case opened", data={"call": call.number if call else ""}
    )
    if call is not None:
        history_record(obj=call, actor=actor, verb="animal case opened", data={"case": case.number})
    return case


def _known_owner(animal: Animal) -> Owner | None:
    """A licensed or chipped animal seen before brings its owner with it."""
    for field in ("microchip", "tag_number"):
        value = getattr(animal, field)
        if value:
            earlier = (
                Animal.objects.filter(**{field: value}, owner__isnull=False)
                .exclude(pk=animal.pk)
                .select_related("owner")
                .first()
            )
            if earlier is not None:
                return earlier.owner
    return None


def _described(animal: Animal) -> dict[str, str]:
    """The animal as a reader of its history sees it: field labels and choice labels."""
    described = {}
    with translation.override("en"):  # the record reads the same whoever's language
        for name in ANIMAL_FIELDS:
            field = Animal._meta.get_field(name)
            assert isinstance(field, models.Field)
            value = getattr(animal, name)
            shown = dict(field.flatchoices).get(value, value) if field.choices else value
            described[str(field.verbose_name)] = "" if shown is None else str(shown)
    return described


@transaction.atomic
def animal_record(*, actor: Actor, case: AnimalCase, **fields: Any) -> Animal:
    """Describe the case's animal (or correct the description); the changes go to history."""
    require_role(actor, FIELD | {Role.DISPATCHER}, action="describe animals")
    case = _lock(case)
    unknown = set(fields) - set(ANIMAL_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown animal field(s): {', '.join(sorted(unknown))}.")
    if fields.get("microchip"):
        chip = "".join(ch for ch in str(fields["microchip"]) if ch.isalnum())
        if not 9 <= len(chip) <= 15:
            raise ValidationFailed(
                "A microchip number has 9 to 15 letters and digits.", field="microchip"
            )
        fields["microchip"] = chip.upper()
    animal = case.animal or Animal()
    before = _described(animal) if animal.pk else dict.fromkeys(_described(animal), "")
    had_owner = animal.owner_id is not None
    for name, value in fields.items():
        setattr(animal, name, value.strip() if isinstance(value, str) else value)
    validate(animal)
    if animal.owner_id is None:
        animal.owner = _known_owner(animal)
    animal.save()
    after = _described(animal)
    changed = {
        label: f"{before[label]} → {after[label]}" if before[label] else after[label]
        for label in after
        if before[label] != after[label]
    }
    if case.animal_id is None:
        case.animal = animal
        case.save(update_fields=["animal", "updated_at"])
    history_record(obj=case, actor=actor, verb="animal described", data=changed)
    if animal.owner is not None and not had_owner:
        history_record(
            obj=case, actor=actor, verb="owner on file", data={"owner": animal.owner.name}
        )
    return animal


@transaction.atomic
def owner_record(
    *,
    actor: Actor,
    case: AnimalCase,
    name: str,
    phone: str = "",
    email: str = "",
    address: str = "",
    language: str = "",
) -> Owner:
    require_role(actor, DESK, action="record owners")
    case = _lock(case)
    if case.animal is None:
        raise CaseStepRefused("Describe the animal before naming its owner.")
    if not name.strip():
        raise ValidationFailed("Give the owner's name.", field="name")
    if not (phone.strip() or email.strip()):
        raise ValidationFailed("Give a phone number or an e-mail address.", field="phone")
    owner = Owner(
        name=name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        language=language[:8],
    )
    validate(owner)
    owner.save()
    case.animal.owner = owner
    case.animal.save(update_fields=["owner", "updated_at"])
    history_record(obj=case, actor=actor, verb="owner recorded", data={"owner": owner.name})
    return owner


@transaction.atomic
def case_capture(*, actor: Actor, case: AnimalCase, note: str = "") -> AnimalCase:
    require_role(actor, FIELD, action="record captures")
    case = _lock(case)
    _require_status(case, {CaseStatus.OPEN}, "captured")
    if case.animal is None:
        raise CaseStepRefused("Describe the animal before recording its capture.")
    case.status, case.captured_at, case.capture_note = (
        CaseStatus.CAPTURED,
        timezone.now(),
        note.strip()[:500],
    )
    case.save(update_fields=["status", "captured_at", "capture_note", "updated_at"])
    history_record(obj=case, actor=actor, verb="animal captured", data={"note": case.capture_note})
    return case


@transaction.atomic
def case_transport(*, actor: Actor, case: AnimalCase, shelter: Shelter) -> AnimalCase:
    require_role(actor, FIELD, action="transport animals")
    case = _lock(case)
    _require_status(case, {CaseStatus.CAPTURED}, "taken to a shelter")
    if not shelter.is_active:
        raise ValidationFailed(f"{shelter} no longer takes animals.", field="shelter")
    case.status, case.transport_at, case.shelter = CaseStatus.IN_TRANSPORT, timezone.now(), shelter
    case.save(update_fields=["status", "transport_at", "shelter", "updated_at"])
    history_record(
        obj=case, actor=actor, verb="on the way to shelter", data={"shelter": str(shelter)}
    )
    return case


@transaction.atomic
def case_impound(*, actor: Actor, case: AnimalCase, shelter_reference: str) -> AnimalCase:
    """The shelter has taken the animal in; its intake number lets the owner find it."""
    require_role(actor, FIELD, action="record impounds")
    case = _lock(case)
    _require_status(case, {CaseStatus.IN_TRANSPORT}, "impounded")
    if not shelter_reference.strip():
        raise ValidationFailed("Give the shelter's intake number.", field="shelter_reference")
    case.status, case.impounded_at = CaseStatus.IMPOUNDED, timezone.now()
    case.shelter_reference = shelter_reference.strip()[:40]
    case.save(update_fields=["status", "impounded_at", "shelter_reference", "updated_at"])
    history_record(
        obj=case, actor=actor, verb="impounded", data={"intake number": case.shelter_reference}
    )
    return case


@transaction.atomic
def owner_notify(*, actor: Actor, case: AnimalCase, by_phone_note: str = "") -> AnimalCase:
    """Tell the owner where the animal is: an e-mail in their language, or a phone call the
    clerk has made (recorded with what was said)."""
    require_role(actor, DESK, action="notify owners")
    case = _lock(case)
    _require_status(
        case,
        {CaseStatus.CAPTURED, CaseStatus.IN_TRANSPORT, CaseStatus.IMPOUNDED},
        "notified to an owner",
    )
    owner = case.animal.owner if case.animal else None
    if owner is None:
        raise CaseStepRefused("No owner is on file for this animal.")
    if by_phone_note.strip():
        history_record(
            obj=case, actor=actor, verb="owner phoned", data={"note": by_phone_note.strip()[:500]}
        )
    elif owner.email:
        case_id = case.pk
        transaction.on_commit(lambda: owner_notice_task.enqueue(case_id=case_id))
        history_record(obj=case, actor=actor, verb="owner notice queued", data={"to": owner.email})
    else:
        raise ValidationFailed(
            f"{owner.name} has no e-mail address: phone them and note what was said.",
            field="by_phone_note",
        )
    case.owner_notified_at = timezone.now()
    case.save(update_fields=["owner_notified_at", "updated_at"])
    return case


def owner_notice_send(*, case_id: int) -> int:
    case = AnimalCase.objects.filter(pk=case_id).select_related("animal__owner", "shelter").first()
    owner = case.animal.owner if case and case.animal else None
    if case is None or owner is None or not owner.email:
        return 0
    with translation.override(owner.language or "en"):
        context = {"case": case, "owner": owner, "agency": settings.BEATBOOK_AGENCY_NAME}
        body = render_to_string("animals/email/owner_notice_body.txt", context)
        subject = render_to_string("animals/email/owner_notice_subject.txt", context).strip()
    sent = send_mail(subject, body, None, [owner.email])
    history_record(obj=case, actor=SYSTEM, verb="owner notice sent", data={"messages": sent})
    return sent


@transaction.atomic
def case_return(*, actor: Actor, case: AnimalCase, identity_checked: str) -> AnimalCase:
    """Give the animal back: in the field straight after capture, or from the shelter."""
    require_role(actor, FIELD, action="return animals")
    case = _lock(case)
    _require_status(case, {CaseStatus.CAPTURED, CaseStatus.IMPOUNDED}, "returned to an owner")
    if case.animal is None or case.animal.owner is None:
        raise CaseStepRefused("Record the owner before returning the animal.")
    if not identity_checked.strip():
        raise ValidationFailed(
            "Say how the owner proved who they are and that the animal is theirs.",
            field="identity_checked",
        )
    in_field = case.status == CaseStatus.CAPTURED
    case.status, case.closed_at = CaseStatus.CLOSED, timezone.now()
    case.outcome = Outcome.RETURNED_IN_FIELD if in_field else Outcome.RETURNED_TO_OWNER
    case.close_note = f"Identity: {identity_checked.strip()}"[:500]
    case.save(update_fields=["status", "closed_at", "outcome", "close_note", "updated_at"])
    LostAnimalReport.objects.filter(
        matched_case=case, status=LostAnimalReport.Status.MATCHED
    ).update(status=LostAnimalReport.Status.REUNITED, updated_at=timezone.now())
    history_record(
        obj=case,
        actor=actor,
        verb="returned to owner",
        data={"owner": case.animal.owner.name, "identity_checked": identity_checked.strip()},
    )
    return case


@transaction.atomic
def case_close(*, actor: Actor, case: AnimalCase, outcome: str, note: str = "") -> AnimalCase:
    require_role(actor, FIELD, action="close animal cases")
    case = _lock(case)
    if case.status == CaseStatus.CLOSED:
        raise CaseStepRefused(f"{case.number} is already closed.")
    if outcome in (Outcome.RETURNED_TO_OWNER, Outcome.RETURNED_IN_FIELD):
        raise ValidationFailed("Use Return to owner, which checks identity.", field="outcome")
    if outcome not in Outcome.values:
        raise ValidationFailed("Choose how the case ended.", field="outcome")
    bite = BiteInvestigation.objects.filter(case=case).first()
    if bite is not None and not bite.result:
        raise CaseStepRefused(
            f"The bite quarantine runs until {bite.quarantine_ends:%Y-%m-%d}; "
            "record its result before closing."
        )
    if outcome == Outcome.SHELTER_CUSTODY and case.status != CaseStatus.IMPOUNDED:
        raise CaseStepRefused("Only an impounded animal can be left with the shelter.")
    case.status, case.outcome, case.closed_at = CaseStatus.CLOSED, outcome, timezone.now()
    case.close_note = note.strip()[:500]
    case.save(update_fields=["status", "outcome", "closed_at", "close_note", "updated_at"])
    LostAnimalReport.objects.filter(
        matched_case=case, status=LostAnimalReport.Status.MATCHED
    ).update(status=LostAnimalReport.Status.OPEN, matched_case=None, updated_at=timezone.now())
    history_record(obj=case, actor=actor, verb="case closed", data={"outcome": outcome})
    return case


# --- bites ----------------------------------------------------------------------------


@transaction.atomic
def bite_record(
    *,
    actor: Actor,
    case: AnimalCase,
    victim_name: str,
    bitten_at: dt.datetime,
    body_part: str,
    vaccination: str,
    quarantine_place: str,
    victim_phone: str = "",
    victim_is_minor: bool = False,
    skin_broken: bool = True,
    medical_care: bool = False,
    certificate: str = "",
    quarantine_days: int | None = None,
) -> BiteInvestigation:
    """The bite, the animal's rabies status and its observation period (10 days by default),
    with a reminder to the handler on the day it ends."""
    require_role(actor, FIELD, action="investigate bites")
    case = _lock(case)
    if case.kind != CaseKind.BITE:
        raise CaseStepRefused(f"{case.number} is not a bite case.")
    if BiteInvestigation.objects.filter(case=case).exists():
        raise CaseStepRefused(f"{case.number} already has its bite investigation.")
    if bitten_at > timezone.now():
        raise ValidationFailed("The bite cannot be in the future.", field="bitten_at")
    if vaccination not in Vaccination.values:
        raise ValidationFailed("Give the animal's rabies vaccination status.", field="vaccination")
    if quarantine_place not in QuarantinePlace.values:
        raise ValidationFailed("Say where the animal is observed.", field="quarantine_place")
    days = settings.BEATBOOK_BITE_QUARANTINE_DAYS if quarantine_days is None else quarantine_days
    if not 1 <= days <= 180:
        raise ValidationFailed("Quarantine lasts 1 to 180 days.", field="quarantine_days")
    starts = timezone.localdate(bitten_at)
    bite = BiteInvestigation(
        case=case,
        victim_name=victim_name.strip(),
        victim_phone=victim_phone.strip(),
        victim_is_minor=victim_is_minor,
        bitten_at=bitten_at,
        body_part=body_part.strip(),
        skin_broken=skin_broken,
        medical_care=medical_care,
        vaccination=vaccination,
        certificate=certificate.strip(),
        quarantine_place=quarantine_place,
        quarantine_starts=starts,
        quarantine_days=days,
        quarantine_ends=starts + dt.timedelta(days=days),
    )
    validate(bite)
    bite.save()
    if case.animal is not None and case.animal.vaccination != vaccination:
        case.animal.vaccination = vaccination
        case.animal.save(update_fields=["vaccination", "updated_at"])
    history_record(
        obj=case,
        actor=actor,
        verb="bite recorded",
        data={"quarantine_ends": bite.quarantine_ends.isoformat(), "vaccination": vaccination},
    )
    bite_id, ends = bite.pk, bite.quarantine_ends
    transaction.on_commit(lambda: _reminder_schedule(bite_id=bite_id, ends=ends))
    return bite


def _reminder_schedule(*, bite_id: int, ends: dt.date) -> None:
    """With a worker that can defer (the database backend), the reminder waits in the queue
    for the morning the quarantine ends; `beatbook animals remind` is the daily safety net."""
    if not default_task_backend.supports_defer:
        return
    tz = timezone.get_current_timezone()
    at = dt.datetime.combine(ends, dt.time(8, 0), tzinfo=tz)
    quarantine_reminder_task.using(run_after=at).enqueue(bite_id=bite_id)


def quarantine_reminders_send(
    *, today: dt.date | None = None, bite_ids: list[int] | None = None
) -> int:
    """E-mail the handler of every quarantine that has ended and not been reminded of, once."""
    today = today or timezone.localdate()
    due = BiteInvestigation.objects.filter(
        quarantine_ends__lte=today, reminder_sent_at__isnull=True, result=""
    )
    if bite_ids is not None:
        due = due.filter(pk__in=bite_ids)
    sent = 0
    for bite_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            bite = (
                BiteInvestigation.objects.select_for_update(of=("self",))
                .select_related("case__handler", "case__opened_by", "case__animal")
                .get(pk=bite_id)
            )
            if bite.reminder_sent_at is not None:
                continue
            case = bite.case
            to = sorted(
                {u.email for u in (case.handler, case.opened_by) if u is not None and u.email}
                | ({settings.BEATBOOK_ANIMAL_CONTROL_EMAIL} - {""})
            )
            context = {
                "bite": bite,
                "case": case,
                "url": settings.BEATBOOK_PUBLIC_URL.rstrip("/")
                + reverse("animals:case_detail", kwargs={"case_id": case.pk}),
            }
            subject = f"Quarantine ends: {case.number} ({bite.quarantine_ends:%Y-%m-%d})"
            body = render_to_string("animals/email/quarantine_reminder.txt", context)
            messages = send_mail(subject, body, None, to) if to else 0
            bite.reminder_sent_at = timezone.now()
            bite.save(update_fields=["reminder_sent_at", "updated_at"])
            history_record(obj=case, actor=SYSTEM, verb="quarantine reminder sent", data={"to": to})
            sent += messages
    return sent


@transaction.atomic
def quarantine_result(*, actor: Actor, case: AnimalCase, result: str) -> BiteInvestigation:
    require_role(actor, FIELD, action="record quarantine results")
    bite = BiteInvestigation.objects.select_for_update().filter(case=case).first()
    if bite is None:
        raise CaseStepRefused(f"{case.number} has no bite investigation.")
    if bite.result:
        raise CaseStepRefused(f"The quarantine already ended: {bite.get_result_display()}.")
    if result not in QuarantineResult.values or not result:
        raise ValidationFailed("Choose the result of the observation.", field="result")
    if result == QuarantineResult.HEALTHY and timezone.localdate() < bite.quarantine_ends:
        raise CaseStepRefused(
            f"The animal can be released healthy only when the observation ends "
            f"({bite.quarantine_ends:%Y-%m-%d})."
        )
    bite.result, bite.result_at = result, timezone.now()
    bite.save(update_fields=["result", "result_at", "updated_at"])
    history_record(obj=case, actor=actor, verb="quarantine ended", data={"result": result})
    return bite


# --- lost and found animals -----------------------------------------------------------


@transaction.atomic
def lost_animal_report_create(
    *,
    actor: Actor,
    species: str,
    colour: str,
    lost_on: dt.date,
    owner_name: str,
    breed: str = "",
    sex: str = "u",
    name: str = "",
    microchip: str = "",
    tag_number: str = "",
    description: str = "",
    address: str = "",
    owner_email: str = "",
    owner_phone: str = "",
    language: str = "",
) -> LostAnimalReport:
    # Residents read these on the portal, in their language.
    if lost_on > timezone.localdate():
        raise ValidationFailed(gettext("The date cannot be in the future."), field="lost_on")
    if not (owner_email.strip() or owner_phone.strip()):
        raise ValidationFailed(
            gettext("Give a phone number or an e-mail address so we can reach you."),
            field="owner_phone",
        )
    lat, lon, address_text = place_or_words(address)
    report = LostAnimalReport(
        number=number_next(prefix="LAN"),
        public_token=secrets.token_urlsafe(24),
        species=species,
        breed=breed.strip(),
        colour=colour.strip(),
        sex=sex,
        name=name.strip(),
        microchip="".join(ch for ch in microchip if ch.isalnum()).upper(),
        tag_number=tag_number.strip(),
        description=description.strip(),
        lost_on=lost_on,
        address_text=address_text,
        lat=lat,
        lon=lon,
        owner_name=owner_name.strip(),
        owner_email=owner_email.strip(),
        owner_phone=owner_phone.strip(),
        language=language[:8],
    )
    validate(report)
    report.save()
    history_record(obj=report, actor=actor, verb="lost animal report received")
    return report


@transaction.atomic
def lost_animal_match_confirm(
    *, actor: Actor, report: LostAnimalReport, case: AnimalCase
) -> LostAnimalReport:
    """Staff agree the stray is probably the lost pet: the reporter becomes the animal's owner
    on file and is told where it is."""
    require_role(actor, DESK, action="confirm matches")
    report = LostAnimalReport.objects.select_for_update().get(pk=report.pk)
    case = _lock(case)
    if report.status != LostAnimalReport.Status.OPEN:
        raise CaseStepRefused(f"{report.number} is {report.get_status_display().lower()}.")
    if case.animal is None or case.status not in {
        CaseStatus.CAPTURED,
        CaseStatus.IN_TRANSPORT,
        CaseStatus.IMPOUNDED,
    }:
        raise CaseStepRefused(f"{case.number} does not hold an animal that could be returned.")
    claimed = case.lost_reports.filter(status=LostAnimalReport.Status.MATCHED).first()
    if claimed is not None:
        raise CaseStepRefused(f"{case.number} is already matched to {claimed.number}.")
    if case.animal.owner_id is None:
        owner = Owner.objects.create(
            name=report.owner_name,
            phone=report.owner_phone,
            email=report.owner_email,
            address=report.address_text,
            language=report.language,
        )
        case.animal.owner = owner
        case.animal.save(update_fields=["owner", "updated_at"])
    report.status, report.matched_case = LostAnimalReport.Status.MATCHED, case
    report.save(update_fields=["status", "matched_case", "updated_at"])
    history_record(obj=report, actor=actor, verb="match confirmed", data={"case": case.number})
    history_record(
        obj=case, actor=actor, verb="matched to lost report", data={"report": report.number}
    )
    if case.animal.owner is not None and case.animal.owner.email:
        owner_notify(actor=actor, case=case)
    return report
