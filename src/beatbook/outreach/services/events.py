"""Writes in outreach: events, the sign-ups residents make for them, and what staff record
afterwards. Each write locks the event row, so two last-seat sign-ups cannot both win."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from beatbook.accounts.models import User
from beatbook.core.actors import PORTAL, SYSTEM, Actor
from beatbook.core.exceptions import ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.i18n import localized
from beatbook.core.numbering import number_next
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.outreach.choices import EventStatus, MaterialKind, RegistrationStatus
from beatbook.outreach.exceptions import EventChangeRefused, RegistrationRefused
from beatbook.outreach.models import (
    Event,
    FollowUp,
    MaterialHandout,
    PartnerOrganisation,
    Registration,
)
from beatbook.outreach.tasks import registration_notify_task
from beatbook.places.selectors import location_resolve

ORGANISERS = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
APPROVERS = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
EVENT_FIELDS = (
    "kind",
    "title",
    "title_es",
    "description",
    "description_es",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "is_public",
    "registration_open",
)
# A change to any of these moves the event in people's calendars (RFC 5545 SEQUENCE).
SCHEDULING_FIELDS = frozenset({"starts_at", "ends_at", "venue", "address_text", "status"})


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _place(event: Event, address: str) -> None:
    location = location_resolve(address=address)
    event.lat, event.lon, event.beat = location.lat, location.lon, location.beat
    event.address_text, event.block_text = location.address_text, location.block_text


def _notify_on_commit(registration: Registration, what: str) -> None:
    transaction.on_commit(
        lambda: registration_notify_task.enqueue(registration_id=registration.pk, what=what)
    )


@transaction.atomic
def event_create(
    *,
    actor: Actor,
    address: str,
    partners: list[PartnerOrganisation] | None = None,
    organiser: User | None = None,
    **fields: Any,
) -> Event:
    """Schedule an event at an address in the agency's area (placed in its beat)."""
    require_role(actor, ORGANISERS, action="organise events")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"event_create got unknown fields {sorted(unknown)}")
    if organiser is None:
        if not isinstance(actor, User):
            raise ValidationFailed(
                "Name the staff member who organises the event.", field="organiser"
            )
        organiser = actor
    event = Event(organiser=organiser, **fields)
    _place(event, address)
    event.number = "pending"
    validate(event)
    if event.starts_at <= timezone.now():
        raise ValidationFailed("An event must start in the future.", field="starts_at")
    event.number = number_next(prefix="EVT", at=event.starts_at)
    event.save()
    event.partners.set(partners or [])
    history_record(
        obj=event,
        actor=actor,
        verb="event scheduled",
        data={
            "kind": event.kind,
            "starts_at": event.starts_at.isoformat(),
            "beat": event.beat.name,
        },
    )
    return event


@transaction.atomic
def event_update(
    *,
    actor: Actor,
    event: Event,
    address: str | None = None,
    partners: list[PartnerOrganisation] | None = None,
    **fields: Any,
) -> Event:
    """Change an event; registrants hear about a new time or place by email."""
    require_role(actor, ORGANISERS, action="change events")
    event = _lock(event)
    if event.is_cancelled:
        raise EventChangeRefused(f"{event.number} is cancelled; schedule a new event instead.")
    before = {name: getattr(event, name) for name in (*EVENT_FIELDS, "address_text")}
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise TypeError(f"event_update got unknown field {name}")
        setattr(event, name, value)
    if address is not None and address.strip() != event.address_text:
        _place(event, address)
    validate(event)
    if event.capacity is not None and event.capacity < _seats_held(event):
        raise ValidationFailed(
            f"{_seats_held(event)} seats are already taken; the capacity cannot be lower.",
            field="capacity",
        )
    changed = {
        name: [str(old), str(getattr(event, name))]
        for name, old in before.items()
        if getattr(event, name) != old
    }
    if partners is not None:
        old_partners = sorted(p.name for p in event.partners.all())
        new_partners = sorted(p.name for p in partners)
        if old_partners != new_partners:
            changed["partners"] = [", ".join(old_partners), ", ".join(new_partners)]
    rescheduled = bool(SCHEDULING_FIELDS & set(changed))
    if rescheduled:
        event.sequence += 1
    event.save()
    if partners is not None:
        event.partners.set(partners)
    if changed:
        history_record(obj=event, actor=actor, verb="event changed", data=changed)
    if rescheduled:
        for registration in event.registrations.filter(
            status__in=RegistrationStatus.holding_seats()
        ):
            _notify_on_commit(registration, "changed")
    return event


@transaction.atomic
def event_cancel(*, actor: Actor, event: Event, reason: str) -> Event:
    """Call an event off. It stays in the calendar feed as CANCELLED, so subscribers see it."""
    require_role(actor, ORGANISERS, action="cancel events")
    if not reason.strip():
        raise ValidationFailed(
            "Say why the event is cancelled; registrants read it.", field="reason"
        )
    event = _lock(event)
    if event.is_cancelled:
        raise EventChangeRefused(f"{event.number} is already cancelled.")
    event.status, event.cancel_reason = EventStatus.CANCELLED, reason.strip()[:300]
    event.sequence += 1
    event.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
    history_record(obj=event, actor=actor, verb="event cancelled", data={"reason": reason})
    for registration in event.registrations.exclude(
        status__in=[RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED]
    ):
        _notify_on_commit(registration, "event_cancelled")
    return event


def _seats_held(event: Event, *, excluding: Registration | None = None) -> int:
    held = event.registrations.filter(status__in=RegistrationStatus.holding_seats())
    if excluding is not None:
        held = held.exclude(pk=excluding.pk)
    return int(held.aggregate(n=Sum("party_size"))["n"] or 0)


def _fits(event: Event, party_size: int) -> bool:
    return event.capacity is None or _seats_held(event) + party_size <= event.capacity


@transaction.atomic
def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    party_size: int = 1,
    phone: str = "",
    note: str = "",
    language: str = "en",
) -> Registration:
    """A resident signs up from the portal. Confirmed when seats are left (pending staff
    approval for a block party), otherwise on the waiting list; an email says which."""
    event = _lock(event)
    if not event.is_public or event.is_cancelled:
        raise RegistrationRefused("This event is not taking registrations.")
    if not event.registration_open:
        raise RegistrationRefused("Registration for this event is closed.")
    if event.starts_at <= timezone.now():
        raise RegistrationRefused("This event has already started.")
    email = email.strip().lower()
    if event.registrations.filter(
        email=email, status__in=[*RegistrationStatus.holding_seats(), RegistrationStatus.WAITLISTED]
    ).exists():
        raise RegistrationRefused(
            "This email address is already registered for the event; the confirmation email "
            "has a link to change or cancel it."
        )
    if not _fits(event, party_size):
        status = RegistrationStatus.WAITLISTED
    elif event.needs_approval:
        status = RegistrationStatus.PENDING
    else:
        status = RegistrationStatus.CONFIRMED
    registration = Registration(
        event=event,
        name=name.strip(),
        email=email,
        phone=phone.strip(),
        party_size=party_size,
        note=note.strip(),
        language=language[:8] or "en",
        status=status,
    )
    validate(registration)
    registration.save()
    history_record(
        obj=event,
        actor=PORTAL,
        verb="registration received",
        data={"registration": registration.pk, "status": status, "party_size": party_size},
    )
    _notify_on_commit(registration, "received")
    return registration


@transaction.atomic
def registration_decide(
    *, actor: Actor, registration: Registration, approve: bool, note: str = ""
) -> Registration:
    """Staff approve or decline a request that waits for them (a block-party permit)."""
    require_role(actor, APPROVERS, action="approve registrations")
    event = _lock(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.PENDING:
        raise RegistrationRefused(
            f"This registration is {registration.get_status_display().lower()}, not waiting "
            "for a decision."
        )
    if not approve and not note.strip():
        raise ValidationFailed(
            "Say why the request is declined; the resident reads it.", field="note"
        )
    registration.status = RegistrationStatus.CONFIRMED if approve else RegistrationStatus.DECLINED
    registration.decided_by = actor if isinstance(actor, User) else None
    registration.decided_at = timezone.now()
    registration.decision_note = note.strip()[:300]
    registration.save()
    verb = "registration approved" if approve else "registration declined"
    history_record(obj=event, actor=actor, verb=verb, data={"registration": registration.pk})
    _notify_on_commit(registration, "approved" if approve else "declined")
    if not approve:
        _promote_waitlist(event)
    return registration


@transaction.atomic
def registration_cancel(*, token: str) -> Registration:
    """The resident cancels through the link in their email; the seats go to the waiting list."""
    registration = (
        Registration.objects.select_for_update().filter(token=token).select_related("event").first()
    )
    if registration is None:
        raise RegistrationRefused("This link is not valid.")
    event = _lock(registration.event)
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.DECLINED):
        raise RegistrationRefused("This registration is already closed.")
    registration.status = RegistrationStatus.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    history_record(
        obj=event,
        actor=PORTAL,
        verb="registration cancelled",
        data={"registration": registration.pk},
    )
    _promote_waitlist(event)
    return registration


def _promote_waitlist(event: Event) -> None:
    """Give freed seats to the waiting list, first come first served, skipping parties that
    are too big for what is free (a later, smaller party may fit)."""
    if event.is_cancelled or event.starts_at <= timezone.now():
        return
    for waiting in event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
        "created_at", "id"
    ):
        if not _fits(event, waiting.party_size):
            continue
        waiting.status = (
            RegistrationStatus.PENDING if event.needs_approval else RegistrationStatus.CONFIRMED
        )
        waiting.save(update_fields=["status", "updated_at"])
        history_record(
            obj=event,
            actor=SYSTEM,
            verb="moved off the waiting list",
            data={"registration": waiting.pk, "status": waiting.status},
        )
        _notify_on_commit(waiting, "promoted")


@transaction.atomic
def registration_attendance_set(
    *, actor: Actor, registration: Registration, attended: bool
) -> Registration:
    require_role(actor, ORGANISERS, action="take attendance")
    _lock(registration.event)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationRefused("Only confirmed registrations can be checked in.")
    registration.attended_at = timezone.now() if attended else None
    registration.save(update_fields=["attended_at", "updated_at"])
    history_record(
        obj=registration.event,
        actor=actor,
        verb="checked in" if attended else "check-in undone",
        data={"registration": registration.pk},
    )
    return registration


@transaction.atomic
def event_walk_ins_set(*, actor: Actor, event: Event, count: int) -> Event:
    require_role(actor, ORGANISERS, action="take attendance")
    if count < 0:
        raise ValidationFailed("Walk-ins cannot be negative.", field="walk_ins")
    event = _lock(event)
    before = event.walk_ins
    event.walk_ins = count
    event.save(update_fields=["walk_ins", "updated_at"])
    history_record(
        obj=event, actor=actor, verb="walk-ins recorded", data={"walk_ins": [before, count]}
    )
    return event


@transaction.atomic
def material_record(*, actor: Actor, event: Event, kind: str, quantity: int) -> Event:
    """Set how many of a material the event handed out (0 removes the line)."""
    require_role(actor, ORGANISERS, action="record materials")
    if kind not in MaterialKind.values:
        raise ValidationFailed(f"“{kind}” is not a kind of material.", field="kind")
    if quantity < 0:
        raise ValidationFailed("A quantity cannot be negative.", field="quantity")
    event = _lock(event)
    if quantity == 0:
        MaterialHandout.objects.filter(event=event, kind=kind).delete()
    else:
        MaterialHandout.objects.update_or_create(
            event=event, kind=kind, defaults={"quantity": quantity}
        )
    history_record(
        obj=event, actor=actor, verb="materials recorded", data={"kind": kind, "quantity": quantity}
    )
    return event


@transaction.atomic
def follow_up_add(
    *, actor: Actor, event: Event, text: str, assigned_to: User, due_on: dt.date
) -> FollowUp:
    require_role(actor, ORGANISERS, action="add follow-ups")
    if assigned_to.role not in ORGANISERS or not assigned_to.is_active:
        raise ValidationFailed(
            f"{assigned_to} cannot be given outreach follow-ups.", field="assigned_to"
        )
    follow_up = FollowUp(event=event, text=text.strip(), assigned_to=assigned_to, due_on=due_on)
    validate(follow_up)
    follow_up.save()
    history_record(
        obj=event,
        actor=actor,
        verb="follow-up added",
        data={
            "follow_up": follow_up.pk,
            "assigned_to": assigned_to.username,
            "due_on": str(due_on),
        },
    )
    return follow_up


@transaction.atomic
def follow_up_done(*, actor: Actor, follow_up: FollowUp) -> FollowUp:
    require_role(actor, ORGANISERS, action="close follow-ups")
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        raise EventChangeRefused("This follow-up is already done.")
    follow_up.done_at = timezone.now()
    follow_up.save(update_fields=["done_at", "updated_at"])
    history_record(
        obj=follow_up.event, actor=actor, verb="follow-up done", data={"follow_up": follow_up.pk}
    )
    return follow_up


def registration_notify_send(*, registration_id: int, what: str) -> int:
    """Email the resident about their registration, in the language they used."""
    registration = Registration.objects.filter(pk=registration_id).select_related("event").first()
    if registration is None:
        return 0
    with translation.override(registration.language or "en"):
        manage_url = settings.BEATBOOK_PUBLIC_URL.rstrip("/") + reverse(
            "portal:event_registration", args=[registration.token]
        )
        context = {
            "registration": registration,
            "event": registration.event,
            "title": localized(registration.event, "title"),
            "what": what,
            "manage_url": manage_url,
            "agency": settings.BEATBOOK_AGENCY_NAME,
        }
        subject = render_to_string("outreach/email/registration_subject.txt", context).strip()
        body = render_to_string("outreach/email/registration_body.txt", context)
    sent = send_mail(subject, body, None, [registration.email])
    history_record(
        obj=registration.event,
        actor=SYSTEM,
        verb="registrant emailed",
        data={"registration": registration.pk, "about": what, "messages": sent},
    )
    return sent
