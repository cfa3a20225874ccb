"""Writes on calls for service: intake, triage, dispatch, the life cycle and duplicates."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from beatbook.calls.choices import CallSource, CallStatus, Disposition, Division
from beatbook.calls.exceptions import (
    CallNeedsEscalation,
    CallTransitionRefused,
    DispositionRequired,
    UnitNotEligible,
)
from beatbook.calls.intake_write import call_write
from beatbook.calls.models import Call, CallNote, CallPhoto, CallSupporter, CallType
from beatbook.calls.photos import photo_process
from beatbook.calls.public import public_view, tracking_url
from beatbook.calls.questions import answers_clean
from beatbook.calls.records import call_record_sync
from beatbook.calls.selectors import call_get, call_possible_duplicate
from beatbook.calls.tasks import call_status_notify_task
from beatbook.calls.triage import triage_assess
from beatbook.core.actors import SYSTEM, Actor, actor_user
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_record
from beatbook.core.permissions import actor_role, require_role
from beatbook.core.roles import DISPATCH_ROLES, Role
from beatbook.places.selectors import location_resolve
from beatbook.roster import services as roster_services
from beatbook.roster.choices import UnitStatus
from beatbook.roster.models import Unit
from beatbook.roster.selectors import unit_get

INTAKE_ROLES = {Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, Role.CSO}
OVERRIDE_ROLES = {Role.SUPERVISOR, Role.ADMIN}

# Which step may follow which. Anything else is refused with the reason.
ALLOWED_NEXT: dict[str, set[str]] = {
    CallStatus.RECEIVED: {
        CallStatus.QUEUED,
        CallStatus.ESCALATED,
        CallStatus.REFERRED,
        CallStatus.CANCELLED,
        CallStatus.MERGED,
    },
    CallStatus.QUEUED: {
        CallStatus.DISPATCHED,
        CallStatus.ESCALATED,
        CallStatus.REFERRED,
        CallStatus.CANCELLED,
        CallStatus.MERGED,
    },
    CallStatus.DISPATCHED: {
        CallStatus.EN_ROUTE,
        CallStatus.ON_SCENE,
        CallStatus.QUEUED,
        CallStatus.ESCALATED,
        CallStatus.CANCELLED,
    },
    CallStatus.EN_ROUTE: {
        CallStatus.ON_SCENE,
        CallStatus.QUEUED,
        CallStatus.ESCALATED,
        CallStatus.CANCELLED,
    },
    CallStatus.ON_SCENE: {CallStatus.CLEARED, CallStatus.ESCALATED, CallStatus.REFERRED},
}
STEP_VERBS: dict[str, str] = {
    CallStatus.QUEUED: "queued",
    CallStatus.DISPATCHED: "dispatched",
    CallStatus.EN_ROUTE: "marked en route",
    CallStatus.ON_SCENE: "marked on scene",
    CallStatus.CLEARED: "cleared",
    CallStatus.ESCALATED: "escalated",
    CallStatus.REFERRED: "referred",
    CallStatus.CANCELLED: "cancelled",
    CallStatus.MERGED: "merged",
}
UNIT_STATUS_FOR_CALL: dict[str, str] = {
    CallStatus.DISPATCHED: UnitStatus.BUSY,
    CallStatus.EN_ROUTE: UnitStatus.EN_ROUTE,
    CallStatus.ON_SCENE: UnitStatus.ON_SCENE,
}


def _lock(call: Call) -> Call:
    # Lock the call row alone (PostgreSQL refuses FOR UPDATE across the outer join to a unit
    # that may be NULL); its type and unit load on first use.
    return Call.objects.select_for_update().get(pk=call.pk)


def _check_step(call: Call, to: str) -> None:
    allowed = ALLOWED_NEXT.get(call.status, set())
    if to in allowed:
        return
    label = CallStatus(call.status).label.lower()
    if allowed:
        nexts = ", ".join(sorted(STEP_VERBS[s] for s in allowed))
        hint = f" From here it can be: {nexts}."
    else:
        hint = " It is closed; nothing more can happen to it."
    raise CallTransitionRefused(
        f"{call.number} is {label}, so it cannot be {STEP_VERBS[to]}.{hint}"
    )


def _require_assignee_or_dispatch(actor: Actor, call: Call, *, action: str) -> None:
    unit = call.assigned_unit
    if unit is not None and getattr(actor, "pk", None) == unit.user_id:
        return
    if actor_role(actor) == Role.CSO:
        raise PermissionDenied(f"Only the CSO assigned to {call.number} or dispatch may {action}.")
    require_role(actor, DISPATCH_ROLES, action=action)


def _release_unit(actor: Actor, call: Call, reason: str) -> None:
    unit = call.assigned_unit
    if unit is None:
        return
    still_busy = Call.objects.active().filter(assigned_unit=unit).exclude(pk=call.pk).exists()
    if not still_busy and unit.status != UnitStatus.OUT_OF_SERVICE:
        roster_services.unit_status_set(
            actor=actor, unit=unit, status=UnitStatus.AVAILABLE, reason=reason
        )


NOTIFY_STATUSES = frozenset(
    {
        CallStatus.DISPATCHED,
        CallStatus.ON_SCENE,
        CallStatus.CLEARED,
        CallStatus.ESCALATED,
        CallStatus.REFERRED,
        CallStatus.CANCELLED,
        CallStatus.MERGED,
    }
)


# Related rows are ones the services loaded; checking each exists again costs a query apiece.
RELATIONS = [f.name for f in Call._meta.concrete_fields if f.is_relation]


def _move(
    actor: Actor, call: Call, to: str, *, fields: list[str], data: dict[str, Any] | None = None
) -> Call:
    call.status = to
    # Fields are checked here for a clear message; uniqueness, relations and the check
    # constraints are the database's job (checking them in Python costs a query each).
    call.full_clean(exclude=RELATIONS, validate_unique=False, validate_constraints=False)
    call.save(update_fields=["status", "updated_at", *fields])
    history_record(obj=call, actor=actor, verb=STEP_VERBS[to], data=data)
    if to in NOTIFY_STATUSES:
        _notify_on_commit(call)
    return call


def _notify_on_commit(call: Call) -> None:
    """After the change commits, tell the resident and supporters who left an e-mail."""
    if not call.caller_email and not call.supporters.exclude(email="").exists():
        return
    call_id, status = call.pk, call.status
    transaction.on_commit(lambda: call_status_notify_task.enqueue(call_id=call_id, status=status))


def _close(actor: Actor, call: Call, to: str, *, fields: list[str], data: dict[str, Any]) -> Call:
    """End the call in state `to`: stamp it closed, record it, free its unit."""
    call.closed_at = timezone.now()
    _move(actor, call, to, fields=[*fields, "closed_at"], data=data)
    _release_unit(actor, call, f"{call.number} {STEP_VERBS[to]}")
    call_record_sync(call)
    return call


def call_intake(
    *,
    actor: Actor,
    call_type: CallType,
    source: str,
    description: str,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    caller_email: str = "",
    received_at: dt.datetime | None = None,
    answers: dict[str, Any] | None = None,
    contact_language: str = "",
) -> Call:
    """Take a new call: place it, number it, triage it, and queue it or flag it for sworn.

    The reads come first; the call, its number and its history are then written together
    (calls.intake_write: one statement on PostgreSQL), so nothing is half-written."""
    require_role(actor, INTAKE_ROLES, action="take calls")
    if source not in CallSource.values:
        raise ValidationFailed(f"{source!r} is not a call source.", field="source")
    if actor_role(actor) == Role.CSO and source != CallSource.FIELD:
        raise PermissionDenied("CSOs record field-initiated calls only; desk calls go to dispatch.")
    if not call_type.is_active:
        raise ValidationFailed(f"Call type {call_type.code} is retired.", field="call_type")
    description = description.strip()
    if not description:
        raise ValidationFailed("Describe what the caller reports.", field="description")
    cleaned_answers = answers_clean(
        call_type=call_type,
        raw=answers or {},
        enforce_required=source in (CallSource.PORTAL, CallSource.OPEN311),
    )
    location = location_resolve(lat=lat, lon=lon, address=address)
    now = timezone.now()
    received = received_at or now
    triage = triage_assess(call_type=call_type, description=description)
    call = Call(
        call_type=call_type,
        source=source,
        status=CallStatus.RECEIVED,
        priority=call_type.priority,
        description=description,
        caller_name=caller_name.strip(),
        caller_phone=caller_phone.strip(),
        caller_email=caller_email.strip(),
        address_text=location.address_text,
        block_text=location.block_text,
        lat=location.lat,
        lon=location.lon,
        beat=location.beat,
        h3_cell=location.h3_cell,
        block_lat=location.block_lat,
        block_lon=location.block_lon,
        answers=cleaned_answers,
        public_token=secrets.token_urlsafe(24),
        contact_language=contact_language[:8],
        received_at=received,
        created_by=actor_user(actor),
        needs_escalation=triage.needs_escalation,
        triage_reasons=triage.reasons,
    )
    history: list[tuple[str, dict[str, Any]]] = [
        ("received", {"source": source, "type": call_type.code, "beat": location.beat.name})
    ]
    if triage.needs_escalation:
        call.priority = 1
        history.append(("flagged for escalation", {"reasons": triage.reasons}))
    else:
        # Linked and queued before the INSERT, so the call is written once (an intake is the
        # busiest write there is: Open311, the portal and the desk all come through here).
        duplicate = call_possible_duplicate(call=call)
        if duplicate is not None:
            call.possible_duplicate_of = duplicate
            history.append(("linked as possible duplicate", {"of": duplicate.number}))
        call.status, call.queued_at = CallStatus.QUEUED, now
        history.append((STEP_VERBS[CallStatus.QUEUED], {}))
    # The number and token are ours and unique by construction; the database enforces the rest.
    call.full_clean(
        exclude=[*RELATIONS, "number"], validate_unique=False, validate_constraints=False
    )
    unit = None
    if not triage.needs_escalation and source == CallSource.FIELD and actor_role(actor) == Role.CSO:
        unit = Unit.objects.filter(user=actor).first()  # type: ignore[misc]
    if unit is None:  # one statement, atomic by itself (calls.intake_write)
        call_write(call=call, actor=actor, history=history)
        return call
    # A CSO's own call: written, dispatched to them and on scene, all or nothing.
    with transaction.atomic():
        call_write(call=call, actor=actor, history=history)
        call = call_dispatch(actor=actor, call=call, unit=unit)
        return call_on_scene(actor=actor, call=call)


def unit_eligibility_problem(*, call: Call, unit: Unit, on_duty: bool) -> str | None:
    """Why `unit` may not take `call`, or None when it may."""
    if not call.call_type.cso_may_respond:
        return f"{call.call_type.name} calls go to sworn officers only"
    if unit.status == UnitStatus.OUT_OF_SERVICE:
        return f"{unit.call_sign} is out of service"
    if not on_duty:
        return f"{unit.call_sign} is not on shift now"
    if not unit.user.is_active:
        return f"{unit.call_sign}'s account is disabled"
    return None


@transaction.atomic
def call_dispatch(*, actor: Actor, call: Call, unit: Unit) -> Call:
    """Assign `unit` to a queued call. A CSO may assign themselves; dispatch anyone."""
    call = _lock(call)
    if getattr(actor, "pk", None) != unit.user_id:
        require_role(actor, DISPATCH_ROLES, action="assign calls to other units")
    if call.needs_escalation:
        raise CallNeedsEscalation(
            f"{call.number} is flagged for sworn officers "
            f"({'; '.join(call.triage_reasons)}); escalate it instead."
        )
    _check_step(call, CallStatus.DISPATCHED)
    on_duty = Unit.objects.on_duty().filter(pk=unit.pk).exists()
    problem = unit_eligibility_problem(call=call, unit=unit, on_duty=on_duty)
    if problem:
        raise UnitNotEligible(f"{unit.call_sign} cannot take {call.number}: {problem}.")
    call.assigned_unit = unit
    call.dispatched_at = timezone.now()
    _move(
        actor,
        call,
        CallStatus.DISPATCHED,
        fields=["assigned_unit", "dispatched_at"],
        data={"unit": unit.call_sign},
    )
    roster_services.unit_status_set(
        actor=actor, unit=unit, status=UnitStatus.BUSY, reason=f"assigned {call.number}"
    )
    return call


def _advance(actor: Actor, call: Call, to: str, stamp: str) -> Call:
    """En route or on scene: the assigned CSO (or dispatch) moves the call and the unit."""
    call = _lock(call)
    _require_assignee_or_dispatch(actor, call, action="update this call")
    _check_step(call, to)
    setattr(call, stamp, timezone.now())
    _move(actor, call, to, fields=[stamp])
    roster_services.unit_status_set(
        actor=actor,
        unit=call.assigned_unit,  # type: ignore[arg-type]
        status=UNIT_STATUS_FOR_CALL[to],
        reason=call.number,
    )
    return call


@transaction.atomic
def call_en_route(*, actor: Actor, call: Call) -> Call:
    return _advance(actor, call, CallStatus.EN_ROUTE, "en_route_at")


@transaction.atomic
def call_on_scene(*, actor: Actor, call: Call) -> Call:
    return _advance(actor, call, CallStatus.ON_SCENE, "on_scene_at")


@transaction.atomic
def call_clear(*, actor: Actor, call: Call, disposition: str, note: str = "") -> Call:
    call = _lock(call)
    _require_assignee_or_dispatch(actor, call, action="clear this call")
    if disposition not in Disposition.values:
        choices = ", ".join(Disposition.values)
        raise DispositionRequired(f"Choose a disposition to clear the call ({choices}).")
    _check_step(call, CallStatus.CLEARED)
    call.disposition = disposition
    call.close_note = note.strip()[:500]
    return _close(
        actor,
        call,
        CallStatus.CLEARED,
        fields=["disposition", "close_note"],
        data={"disposition": disposition, "note": call.close_note},
    )


@transaction.atomic
def call_escalate(*, actor: Actor, call: Call, reason: str) -> Call:
    """Hand the call to sworn officers; the reason is kept on the call."""
    call = _lock(call)
    if call.assigned_unit is None or getattr(actor, "pk", None) != call.assigned_unit.user_id:
        require_role(actor, DISPATCH_ROLES, action="escalate calls")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why the call goes to sworn officers.", field="reason")
    _check_step(call, CallStatus.ESCALATED)
    call.escalation_reason = reason[:300]
    call.needs_escalation = False
    return _close(
        actor,
        call,
        CallStatus.ESCALATED,
        fields=["escalation_reason", "needs_escalation"],
        data={"reason": reason},
    )


@transaction.atomic
def call_refer(*, actor: Actor, call: Call, division: str, note: str = "") -> Call:
    """Refer the call to another division; the referral stays on the call."""
    call = _lock(call)
    _require_assignee_or_dispatch(actor, call, action="refer this call")
    if division not in Division.values:
        raise ValidationFailed(
            f"Choose a division to refer to ({', '.join(Division.values)}).", field="division"
        )
    if call.needs_escalation:
        raise CallNeedsEscalation(f"{call.number} is flagged for sworn officers; escalate it.")
    _check_step(call, CallStatus.REFERRED)
    call.referral_division = division
    call.referral_note = note.strip()[:500]
    return _close(
        actor,
        call,
        CallStatus.REFERRED,
        fields=["referral_division", "referral_note"],
        data={"division": division, "note": call.referral_note},
    )


@transaction.atomic
def call_cancel(*, actor: Actor, call: Call, reason: str) -> Call:
    call = _lock(call)
    require_role(actor, DISPATCH_ROLES, action="cancel calls")
    if not reason.strip():
        raise ValidationFailed("Say why the call is cancelled.", field="reason")
    _check_step(call, CallStatus.CANCELLED)
    call.close_note = reason.strip()[:500]
    return _close(actor, call, CallStatus.CANCELLED, fields=["close_note"], data={"reason": reason})


@transaction.atomic
def call_unassign(*, actor: Actor, call: Call, reason: str) -> Call:
    """Take the call back from its unit and put it in the queue again."""
    call = _lock(call)
    require_role(actor, DISPATCH_ROLES, action="take calls back from units")
    _check_step(call, CallStatus.QUEUED)
    previous = call.assigned_unit
    _release_unit(actor, call, f"{call.number} taken back")
    call.assigned_unit = None
    call.dispatched_at = call.en_route_at = None
    _move(
        actor,
        call,
        CallStatus.QUEUED,
        fields=["assigned_unit", "dispatched_at", "en_route_at"],
        data={"from_unit": previous.call_sign if previous else None, "reason": reason},
    )
    return call


@transaction.atomic
def call_triage_override(*, actor: Actor, call: Call, reason: str) -> Call:
    """A supervisor clears a text-signal flag that was a false alarm ('fire' in 'campfire')."""
    call = _lock(call)
    require_role(actor, OVERRIDE_ROLES, action="override triage")
    if not call.needs_escalation:
        raise CallTransitionRefused(f"{call.number} is not flagged for escalation.")
    if not call.call_type.cso_may_respond:
        raise CallNeedsEscalation(f"{call.call_type.name} is sworn-only; it must be escalated.")
    if not reason.strip():
        raise ValidationFailed("Say why the flag was a false alarm.", field="reason")
    call.needs_escalation = False
    call.priority = call.call_type.priority
    call.save(update_fields=["needs_escalation", "priority", "updated_at"])
    history_record(obj=call, actor=actor, verb="triage flag overridden", data={"reason": reason})
    call.queued_at = timezone.now()
    return _move(actor, call, CallStatus.QUEUED, fields=["queued_at"])


@transaction.atomic
def call_merge(*, actor: Actor, call: Call, into: Call) -> Call:
    """Fold a duplicate into the call it repeats; its caller stays reachable through it."""
    call = _lock(call)
    require_role(actor, DISPATCH_ROLES, action="merge calls")
    if into.pk == call.pk:
        raise ValidationFailed("A call cannot be merged into itself.", field="into")
    if not into.is_open:
        raise CallTransitionRefused(f"{into.number} is closed; merge into an open call.")
    _check_step(call, CallStatus.MERGED)
    call.merged_into = into
    call.possible_duplicate_of = None
    call.closed_at = timezone.now()
    _move(
        actor,
        call,
        CallStatus.MERGED,
        fields=["merged_into", "possible_duplicate_of", "closed_at"],
        data={"into": into.number},
    )
    history_record(obj=into, actor=actor, verb="duplicate merged in", data={"from": call.number})
    return call


@transaction.atomic
def call_duplicate_dismiss(*, actor: Actor, call: Call) -> Call:
    call = _lock(call)
    require_role(actor, DISPATCH_ROLES, action="review duplicates")
    if call.possible_duplicate_of_id is None:
        return call
    other = call.possible_duplicate_of
    call.possible_duplicate_of = None
    call.save(update_fields=["possible_duplicate_of", "updated_at"])
    history_record(
        obj=call,
        actor=actor,
        verb="kept apart from possible duplicate",
        data={"of": other.number if other else None},
    )
    return call


@transaction.atomic
def call_note_add(*, actor: Actor, call: Call, text: str, is_public: bool = False) -> CallNote:
    if actor_role(actor) == Role.ANALYST:
        raise PermissionDenied("Analysts read calls; they do not add notes.")
    text = text.strip()
    if not text:
        raise ValidationFailed("The note is empty.", field="text")
    note = CallNote.objects.create(
        is_public=is_public,
        call=call,
        author=actor_user(actor),
        at=timezone.now(),
        text=text[:4000],
    )
    history_record(
        obj=call, actor=actor, verb="note added", data={"text": text[:200], "public": is_public}
    )
    if is_public:
        _notify_on_commit(call)
    return note


@transaction.atomic
def call_photo_add(*, actor: Actor, call: Call, upload: IO[bytes], size: int) -> CallPhoto:
    """Attach a photo: content-checked, stripped of EXIF/GPS, stored under a new name."""
    processed = photo_process(upload, size=size)
    name = uuid.uuid4().hex
    photo = CallPhoto(
        call=call,
        content_type=processed.content_type,
        size=len(processed.image),
        width=processed.width,
        height=processed.height,
        sha256=processed.sha256,
    )
    photo.image.save(f"{name}.{processed.extension}", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{name}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    history_record(obj=call, actor=actor, verb="photo added", data={"sha256": processed.sha256})
    return photo


@transaction.atomic
def call_supporter_add(*, actor: Actor, call: Call, email: str = "") -> CallSupporter:
    """A resident reports the same problem: they join the open call instead of duplicating it."""
    if not call.is_open:
        raise CallTransitionRefused(f"{call.number} is already closed.")
    supporter = CallSupporter.objects.create(call=call, email=email.strip())
    history_record(
        obj=call, actor=actor, verb="supporter added", data={"supporters": call.supporters.count()}
    )
    return supporter


def call_status_notify(*, call_id: int, status: str) -> int:
    """E-mail the resident and supporters about a change, in the resident's language.

    Returns how many messages were sent; safe to run twice (it only sends mail)."""
    call = Call.objects.select_related("call_type").filter(pk=call_id).first()
    if call is None or call.status != status:
        return 0  # a later change superseded this one; its own notice follows
    recipients = [
        e
        for e in [
            call.caller_email,
            *call.supporters.exclude(email="").values_list("email", flat=True),
        ]
        if e
    ]
    if not recipients:
        return 0
    with translation.override(call.contact_language or "en"):
        public = public_view(call)
        context = {
            "call": public,
            "tracking_url": tracking_url(call),
            "ask_feedback": status not in CallStatus.open_values(),
        }
        subject = render_to_string("calls/email/status_subject.txt", context).strip()
        body = render_to_string("calls/email/status_body.txt", context)
    sent = 0
    for recipient in dict.fromkeys(recipients):
        sent += send_mail(subject, body, None, [recipient])
    history_record(
        obj=call, actor=SYSTEM, verb="resident notified", data={"status": status, "messages": sent}
    )
    return sent


STEP_SERVICES: dict[str, Callable[..., Any]] = {
    "en-route": call_en_route,
    "on-scene": call_on_scene,
    "clear": call_clear,
    "escalate": call_escalate,
    "refer": call_refer,
    "cancel": call_cancel,
    "unassign": call_unassign,
    "override-triage": call_triage_override,
    "keep-apart": call_duplicate_dismiss,
    "note": call_note_add,
}
CALL_STEPS = frozenset({*STEP_SERVICES, "dispatch", "merge"})


def call_step(*, step: str, actor: Actor, call: Call, data: dict[str, Any]) -> Any:
    """Run one named life-cycle step with input already validated by a form or serializer;
    the HTML buttons and the API both come through here."""
    if step == "dispatch":
        unit = unit_get(viewer=actor, unit_id=data["unit_id"])
        return call_dispatch(actor=actor, call=call, unit=unit)
    if step == "merge":
        into = call_get(viewer=actor, call_id=data["into_id"])
        return call_merge(actor=actor, call=call, into=into)
    return STEP_SERVICES[step](actor=actor, call=call, **data)
