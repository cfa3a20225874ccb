"""Mediation casework: a dispute opened from a call, a referral or a walk-in; its parties and
how each wants to be reached; sessions with reminders; the agreement (text, a PDF to sign,
the signed scan); follow-ups 30 and 90 days after it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from beatbook.casework.choices import (
    CaseSource,
    CaseStatus,
    ContactPreference,
    FollowUpOutcome,
    SessionOutcome,
)
from beatbook.casework.exceptions import CaseStepRefused
from beatbook.casework.models import (
    MediationCase,
    MediationFollowUp,
    MediationParty,
    MediationSession,
)
from beatbook.core.actors import Actor, SystemActor
from beatbook.core.exceptions import ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.numbering import number_next
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role

MEDIATION_STAFF = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
MAX_AGREEMENT_PDF_BYTES = 10 * 1024 * 1024


def _party(case: MediationCase, party: dict[str, Any]) -> MediationParty:
    preference = party.get("contact_preference") or ContactPreference.PHONE
    record = MediationParty(
        case=case,
        name=str(party.get("name", "")).strip(),
        role=str(party.get("role", "")).strip() or "party",
        phone=str(party.get("phone", "")).strip(),
        email=str(party.get("email", "")).strip().lower(),
        contact_preference=preference,
        language=party.get("language") or "en",
        interpreter_needed=bool(party.get("interpreter_needed")),
    )
    if preference in (ContactPreference.PHONE, ContactPreference.TEXT) and not record.phone:
        raise ValidationFailed(
            f"{record.name or 'A party'} prefers the phone: add a number.", field="parties"
        )
    if preference == ContactPreference.EMAIL and not record.email:
        raise ValidationFailed(
            f"{record.name or 'A party'} prefers email: add an address.", field="parties"
        )
    validate(record)
    return record


def _place(case: MediationCase, address: str, call: Any) -> None:
    from beatbook.places.selectors import location_resolve

    if call is not None and (not address or address == call.address_text):
        case.address_text = call.address_text or call.block_text
        case.block_text, case.lat, case.lon, case.beat = (
            call.block_text,
            call.lat,
            call.lon,
            call.beat,
        )
        return
    place = location_resolve(address=address)
    case.address_text, case.block_text = place.address_text, place.block_text
    case.lat, case.lon, case.beat = place.lat, place.lon, place.beat


@transaction.atomic
def mediation_open(
    *,
    actor: Actor,
    dispute_type: str,
    summary: str,
    parties: list[dict[str, Any]],
    address: str = "",
    call: Any = None,
    referral: Any = None,
    mediator: Any = None,
    partner: Any = None,
    clear_call: bool = False,
) -> MediationCase:
    require_role(actor, MEDIATION_STAFF, action="open mediation cases")
    named = [p for p in parties if str(p.get("name", "")).strip()]
    if len(named) < 2:
        raise ValidationFailed("A mediation needs at least two parties.", field="parties")
    if mediator is None and partner is None:
        mediator = actor
    source = CaseSource.CALL if call else (CaseSource.REFERRAL if referral else CaseSource.WALK_IN)
    case = MediationCase(
        number=number_next(prefix="MED"),
        source=source,
        call=call,
        referral=referral,
        dispute_type=dispute_type,
        summary=summary.strip(),
        mediator=mediator,
        partner=partner,
        opened_by=actor,  # type: ignore[misc]
    )
    _place(case, address.strip(), call)
    validate(case)
    case.save()
    MediationParty.objects.bulk_create([_party(case, p) for p in named])
    history_record(obj=case, actor=actor, verb="mediation opened", data={"source": source})
    if call is not None:
        history_record(obj=call, actor=actor, verb="mediation opened", data={"case": case.number})
        if clear_call:
            from beatbook.calls.choices import Disposition
            from beatbook.calls.services import call_clear

            call_clear(
                actor=actor,
                call=call,
                disposition=Disposition.MEDIATION,
                note=f"Mediation {case.number}",
            )
    return case


def _open_case(case: MediationCase) -> MediationCase:
    case = MediationCase.objects.select_for_update().get(pk=case.pk)
    if case.status in CaseStatus.closed():
        raise CaseStepRefused(f"{case.number} is closed.")
    return case


def _may_work(actor: Actor, case: MediationCase) -> None:
    require_role(actor, MEDIATION_STAFF, action="work on mediation cases")


@transaction.atomic
def session_schedule(
    *, actor: Actor, case: MediationCase, starts_at: dt.datetime, place: str
) -> MediationSession:
    _may_work(actor, case)
    case = _open_case(case)
    if starts_at <= timezone.now():
        raise ValidationFailed("Schedule the session in the future.", field="starts_at")
    session = MediationSession(case=case, starts_at=starts_at, place=place.strip())
    validate(session)
    session.save()
    if case.status == CaseStatus.OPEN:
        case.status = CaseStatus.SCHEDULED
        case.save(update_fields=["status", "updated_at"])
    history_record(
        obj=case,
        actor=actor,
        verb="session scheduled",
        data={"at": starts_at.isoformat(), "place": place},
    )
    return session


@transaction.atomic
def session_record(
    *, actor: Actor, session: MediationSession, outcome: str, notes: str = ""
) -> MediationSession:
    _may_work(actor, session.case)
    if outcome not in (SessionOutcome.HELD, SessionOutcome.NO_SHOW, SessionOutcome.CANCELLED):
        raise ValidationFailed("Say whether the session was held.", field="outcome")
    session.outcome = outcome
    session.notes = notes.strip()
    session.save(update_fields=["outcome", "notes"])
    history_record(
        obj=session.case, actor=actor, verb="session recorded", data={"outcome": outcome}
    )
    return session


@transaction.atomic
def agreement_record(*, actor: Actor, case: MediationCase, text: str) -> MediationCase:
    """The parties agreed: keep the text, and plan the follow-ups at 30 and 90 days."""
    _may_work(actor, case)
    case = _open_case(case)
    if not text.strip():
        raise ValidationFailed("Write down what the parties agreed.", field="agreement_text")
    if not case.sessions.filter(outcome=SessionOutcome.HELD).exists():
        raise CaseStepRefused("Record the session where the parties met before the agreement.")
    now = timezone.now()
    case.agreement_text = text.strip()
    case.agreed_at = now
    case.status = CaseStatus.AGREEMENT
    case.save(update_fields=["agreement_text", "agreed_at", "status", "updated_at"])
    today = timezone.localdate(now)
    for days in settings.BEATBOOK_MEDIATION_FOLLOW_UP_DAYS:
        MediationFollowUp.objects.update_or_create(
            case=case, days_after=days, defaults={"due_on": today + dt.timedelta(days=days)}
        )
    history_record(obj=case, actor=actor, verb="agreement recorded")
    return case


@transaction.atomic
def signed_agreement_attach(
    *, actor: Actor, case: MediationCase, upload: UploadedFile
) -> MediationCase:
    _may_work(actor, case)
    case = MediationCase.objects.select_for_update().get(pk=case.pk)
    if not case.agreement_text:
        raise CaseStepRefused("Record the agreement before attaching its signed copy.")
    if upload.size is None or upload.size > MAX_AGREEMENT_PDF_BYTES:
        raise ValidationFailed(
            "The signed agreement must be a PDF under 10 MB.", field="signed_pdf"
        )
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationFailed("That file is not a PDF.", field="signed_pdf")
    # The stored name is ours, never the uploaded one.
    case.signed_pdf.save(f"{case.number}-signed.pdf", upload, save=False)
    case.save(update_fields=["signed_pdf", "updated_at"])
    history_record(obj=case, actor=actor, verb="signed agreement attached")
    return case


@transaction.atomic
def follow_up_record(
    *, actor: Actor, follow_up: MediationFollowUp, outcome: str, note: str = ""
) -> MediationFollowUp:
    _may_work(actor, follow_up.case)
    if outcome not in FollowUpOutcome.values or not outcome:
        raise ValidationFailed("Say how the agreement is holding.", field="outcome")
    follow_up.outcome = outcome
    follow_up.note = note.strip()
    follow_up.done_at = timezone.now()
    follow_up.done_by = actor if not isinstance(actor, SystemActor) else None
    follow_up.save(update_fields=["outcome", "note", "done_at", "done_by"])
    case = follow_up.case
    history_record(
        obj=case,
        actor=actor,
        verb="follow-up recorded",
        data={"days": follow_up.days_after, "outcome": outcome},
    )
    if (
        not case.follow_ups.filter(done_at__isnull=True).exists()
        and case.status == CaseStatus.AGREEMENT
    ):
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now()
        case.save(update_fields=["status", "closed_at", "updated_at"])
        history_record(obj=case, actor=actor, verb="case closed", data={"after": "last follow-up"})
    return follow_up


@transaction.atomic
def case_close(*, actor: Actor, case: MediationCase, status: str, note: str = "") -> MediationCase:
    _may_work(actor, case)
    case = _open_case(case)
    if status not in (CaseStatus.NO_AGREEMENT, CaseStatus.DECLINED, CaseStatus.CLOSED):
        raise ValidationFailed("Choose how the case ends.", field="status")
    case.status = status
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    history_record(obj=case, actor=actor, verb="case closed", data={"status": status, "note": note})
    return case


def session_reminders_send(*, within_hours: int = 36) -> int:
    """Remind each party who agreed to email, and the mediator, of a session soon (once)."""
    now = timezone.now()
    sessions = MediationSession.objects.filter(
        outcome=SessionOutcome.PENDING,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=within_hours),
    ).select_related("case__mediator")
    sent = 0
    for session in sessions:
        case = session.case
        to = [
            p.email
            for p in case.parties.all()
            if p.email and p.contact_preference == ContactPreference.EMAIL
        ]
        if case.mediator and case.mediator.email:
            to.append(case.mediator.email)
        context = {"session": session, "case": case, "agency": settings.BEATBOOK_AGENCY_NAME}
        body = render_to_string("casework/email/session_reminder.txt", context)
        for address in to:
            sent += send_mail(
                f"Mediation session {timezone.localtime(session.starts_at):%a %d %b %H:%M}",
                body,
                None,
                [address],
            )
        session.reminded_at = now
        session.save(update_fields=["reminded_at"])
        history_record(
            obj=case,
            actor=SystemActor("session reminder"),
            verb="session reminder sent",
            data={"recipients": len(to)},
        )
    return sent


def follow_ups_due_remind(*, today: dt.date | None = None) -> int:
    """Email each mediator the follow-ups due today or overdue (run daily)."""
    today = today or timezone.localdate()
    due = MediationFollowUp.objects.filter(done_at__isnull=True, due_on__lte=today).select_related(
        "case__mediator"
    )
    by_mediator: dict[int, list[MediationFollowUp]] = {}
    for follow_up in due:
        if follow_up.case.mediator_id:
            by_mediator.setdefault(follow_up.case.mediator_id, []).append(follow_up)
    sent = 0
    for follow_ups in by_mediator.values():
        mediator = follow_ups[0].case.mediator
        if mediator is None or not mediator.email:
            continue
        lines = "\n".join(
            f"- {f.case.number}: {f.days_after}-day follow-up due {f.due_on:%Y-%m-%d}"
            for f in follow_ups
        )
        sent += send_mail(
            f"{len(follow_ups)} mediation follow-up(s) due",
            f"Call the parties and record how the agreement holds:\n{lines}\n",
            None,
            [mediator.email],
        )
    return sent
