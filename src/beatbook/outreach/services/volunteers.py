"""Writes on volunteers: vetting, shifts and sign-ups, patrol logs, and observations that
become calls. Only a volunteer vetted for the program through the shift's day can sign up."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from beatbook.accounts.models import User
from beatbook.calls import services as call_services
from beatbook.calls.choices import CallSource
from beatbook.calls.models import Call, CallType
from beatbook.core.actors import SYSTEM, Actor, SystemActor
from beatbook.core.exceptions import ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.outreach.choices import VettingKind, VettingResult, VolunteerProgram
from beatbook.outreach.exceptions import ShiftSignupRefused
from beatbook.outreach.models import (
    Event,
    PatrolObservation,
    ShiftSignup,
    VettingCheck,
    Volunteer,
    VolunteerPatrolLog,
    VolunteerShift,
)
from beatbook.outreach.selectors import vetting_gaps
from beatbook.places.models import Beat

COORDINATORS = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})  # vetting, volunteers
SHIFT_LEADERS = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
LOG_GRACE = dt.timedelta(hours=2)  # a log may start early or end late by this much


def volunteer_actor(volunteer: Volunteer) -> SystemActor:
    """Volunteers have no account; their own link acts for them, and history says who."""
    return SystemActor(f"volunteer {volunteer.name} (#{volunteer.pk})")


def _public_url(path: str) -> str:
    return settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path


@transaction.atomic
def volunteer_add(
    *, actor: Actor, name: str, email: str, phone: str = "", language: str = "en"
) -> Volunteer:
    require_role(actor, COORDINATORS, action="enrol volunteers")
    email = email.strip().lower()
    if Volunteer.objects.filter(email=email).exists():
        raise ValidationFailed(f"{email} is already a volunteer.", field="email")
    volunteer = Volunteer(name=name.strip(), email=email, phone=phone.strip(), language=language)
    validate(volunteer)
    volunteer.save()
    history_record(obj=volunteer, actor=actor, verb="volunteer enrolled")
    transaction.on_commit(lambda: volunteer_link_send(volunteer_id=volunteer.pk))
    return volunteer


def volunteer_link_send(*, volunteer_id: int) -> int:
    """Email the volunteer their own page: shifts to sign up for, their calendar, their logs."""
    volunteer = Volunteer.objects.filter(pk=volunteer_id, is_active=True).first()
    if volunteer is None:
        return 0
    with translation.override(volunteer.language or "en"):
        url = _public_url(reverse("portal:volunteer_home", args=[volunteer.token]))
        context = {"volunteer": volunteer, "url": url, "agency": settings.BEATBOOK_AGENCY_NAME}
        body = render_to_string("outreach/email/volunteer_link_body.txt", context)
        subject = render_to_string("outreach/email/volunteer_link_subject.txt", context).strip()
    return send_mail(subject, body, None, [volunteer.email])


@transaction.atomic
def vetting_record(
    *,
    actor: Actor,
    volunteer: Volunteer,
    kind: str,
    result: str,
    completed_on: dt.date,
    expires_on: dt.date,
    reference: str = "",
) -> VettingCheck:
    require_role(actor, COORDINATORS, action="record vetting")
    if not isinstance(actor, User):
        raise ValidationFailed("Vetting is recorded by a member of staff.")
    if completed_on > timezone.localdate():
        raise ValidationFailed("A check cannot be completed in the future.", field="completed_on")
    check = VettingCheck(
        volunteer=volunteer,
        kind=kind,
        result=result,
        completed_on=completed_on,
        expires_on=expires_on,
        reference=reference.strip(),
        recorded_by=actor,
    )
    validate(check)
    check.save()
    history_record(
        obj=volunteer,
        actor=actor,
        verb="vetting recorded",
        data={"kind": kind, "result": result, "expires_on": str(expires_on)},
    )
    return check


@transaction.atomic
def shift_create(
    *,
    actor: Actor,
    program: str,
    title: str,
    meeting_point: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    leader: User,
    beat: Beat | None = None,
    event: Event | None = None,
) -> VolunteerShift:
    require_role(actor, SHIFT_LEADERS, action="schedule volunteer shifts")
    if leader.role not in SHIFT_LEADERS or not leader.is_active:
        raise ValidationFailed(f"{leader} cannot lead volunteer shifts.", field="leader")
    if program == VolunteerProgram.CITIZEN_PATROL and beat is None:
        raise ValidationFailed("A citizen patrol covers a beat; choose one.", field="beat")
    shift = VolunteerShift(
        program=program,
        title=title.strip(),
        meeting_point=meeting_point.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        leader=leader,
        beat=beat,
        event=event,
    )
    validate(shift)
    if shift.starts_at <= timezone.now():
        raise ValidationFailed("A shift must start in the future.", field="starts_at")
    shift.save()
    history_record(obj=shift, actor=actor, verb="volunteer shift scheduled")
    return shift


@transaction.atomic
def shift_signup(*, volunteer: Volunteer, shift: VolunteerShift) -> ShiftSignup:
    """The volunteer takes a place. Refused with the reason when they are not vetted for the
    program through the shift's day, the shift is full, or they are already busy then."""
    shift = VolunteerShift.objects.select_for_update().get(pk=shift.pk)
    if not volunteer.is_active:
        raise ShiftSignupRefused("Your volunteer record is not active; ask the coordinator.")
    if shift.is_cancelled or shift.starts_at <= timezone.now():
        raise ShiftSignupRefused("This shift is no longer open.")
    gaps = vetting_gaps(volunteer, shift.program, on=timezone.localdate(shift.ends_at))
    if gaps:
        raise ShiftSignupRefused(
            "You cannot sign up for this shift yet: " + "; ".join(gaps) + ". Ask the coordinator."
        )
    active = ShiftSignup.objects.filter(cancelled_at__isnull=True)
    if active.filter(shift=shift, volunteer=volunteer).exists():
        raise ShiftSignupRefused("You are already signed up for this shift.")
    if active.filter(shift=shift).count() >= shift.capacity:
        raise ShiftSignupRefused("This shift is full.")
    if active.filter(
        volunteer=volunteer,
        shift__is_cancelled=False,
        shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at,
    ).exists():
        raise ShiftSignupRefused("You already have a shift at that time.")
    signup = ShiftSignup.objects.create(shift=shift, volunteer=volunteer)
    history_record(
        obj=shift, actor=volunteer_actor(volunteer), verb="signed up", data={"signup": signup.pk}
    )
    return signup


@transaction.atomic
def signup_cancel(*, volunteer: Volunteer, signup: ShiftSignup) -> ShiftSignup:
    signup = ShiftSignup.objects.select_for_update().get(pk=signup.pk, volunteer=volunteer)
    if signup.cancelled_at is not None:
        raise ShiftSignupRefused("This sign-up is already cancelled.")
    if signup.shift.starts_at <= timezone.now():
        raise ShiftSignupRefused("The shift has started; tell the shift leader instead.")
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["cancelled_at", "updated_at"])
    history_record(
        obj=signup.shift,
        actor=volunteer_actor(volunteer),
        verb="sign-up cancelled",
        data={"signup": signup.pk},
    )
    return signup


@transaction.atomic
def patrol_log_record(
    *,
    volunteer: Volunteer,
    signup: ShiftSignup,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    route: str,
    notes: str = "",
) -> VolunteerPatrolLog:
    """The volunteer's account of a shift; written once, during or after it."""
    signup = ShiftSignup.objects.select_related("shift").get(pk=signup.pk, volunteer=volunteer)
    shift = signup.shift
    if signup.cancelled_at is not None:
        raise ValidationFailed("This sign-up was cancelled.")
    if hasattr(signup, "log"):
        raise ShiftSignupRefused("This shift already has its log.")
    if timezone.now() < shift.starts_at:
        raise ValidationFailed("The shift has not started yet.", field="started_at")
    if not (shift.starts_at - LOG_GRACE <= started_at < ended_at <= shift.ends_at + LOG_GRACE):
        raise ValidationFailed(
            "The times must fall within the shift (give or take two hours) and end after "
            "they start.",
            field="ended_at",
        )
    if ended_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed("The patrol cannot end in the future.", field="ended_at")
    if not route.strip():
        raise ValidationFailed("Name the streets you walked.", field="route")
    log = VolunteerPatrolLog(
        signup=signup, started_at=started_at, ended_at=ended_at, route=route.strip(), notes=notes
    )
    validate(log)
    log.save()
    history_record(
        obj=shift,
        actor=volunteer_actor(volunteer),
        verb="patrol logged",
        data={"log": log.pk, "hours": log.hours},
    )
    return log


@transaction.atomic
def observation_add(
    *,
    volunteer: Volunteer,
    log: VolunteerPatrolLog,
    text: str,
    address: str = "",
    observed_at: dt.datetime | None = None,
    report_as: CallType | None = None,
) -> PatrolObservation:
    """Note what was seen; with `report_as` it also becomes a call in the queue at once."""
    if log.signup.volunteer_id != volunteer.pk:
        raise ValidationFailed("This log is not yours.")
    if not text.strip():
        raise ValidationFailed("Say what you saw.", field="text")
    observation = PatrolObservation.objects.create(
        log=log,
        text=text.strip(),
        address=address.strip(),
        observed_at=observed_at or timezone.now(),
    )
    history_record(
        obj=log.signup.shift,
        actor=volunteer_actor(volunteer),
        verb="observation noted",
        data={"observation": observation.pk},
    )
    if report_as is not None:
        observation.call = observation_report(
            volunteer=volunteer, observation=observation, call_type=report_as
        )
    return observation


@transaction.atomic
def observation_report(
    *, volunteer: Volunteer, observation: PatrolObservation, call_type: CallType
) -> Call:
    """Turn an observation into a call (once), placed at its address or the shift's beat."""
    observation = PatrolObservation.objects.select_for_update().get(pk=observation.pk)
    if observation.call_id is not None:
        raise ShiftSignupRefused("This observation is already a call.")
    if not observation.address:
        raise ValidationFailed("Give the address, so a CSO can find the place.", field="address")
    call = call_services.call_intake(
        actor=SYSTEM,
        call_type=call_type,
        source=CallSource.VOLUNTEER,
        description=f"Volunteer patrol: {observation.text}",
        address=observation.address,
        caller_name=volunteer.name,
        caller_email=volunteer.email,
        caller_phone=volunteer.phone,
        contact_language=volunteer.language,
    )
    observation.call = call
    observation.save(update_fields=["call", "updated_at"])
    history_record(
        obj=observation.log.signup.shift,
        actor=volunteer_actor(volunteer),
        verb="observation reported as a call",
        data={"observation": observation.pk, "call": call.number},
    )
    return call


def vetting_expiry_warn(*, within_days: int = 30) -> int:
    """Warn each volunteer (and the coordinators) once when a passed check will run out."""
    today = timezone.localdate()
    due = VettingCheck.objects.filter(
        result=VettingResult.PASSED,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=within_days),
        expiry_warned_at__isnull=True,
        volunteer__is_active=True,
    ).select_related("volunteer")
    coordinators = list(
        User.objects.filter(role__in=COORDINATORS, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    sent = 0
    for check in due:
        volunteer = check.volunteer
        with translation.override(volunteer.language or "en"):
            context = {
                "volunteer": volunteer,
                "check": check,
                "kind": VettingKind(check.kind).label,
                "agency": settings.BEATBOOK_AGENCY_NAME,
            }
            body = render_to_string("outreach/email/vetting_expiry_body.txt", context)
            subject = render_to_string("outreach/email/vetting_expiry_subject.txt", context)
        sent += send_mail(subject.strip(), body, None, [volunteer.email, *coordinators])
        VettingCheck.objects.filter(pk=check.pk).update(expiry_warned_at=timezone.now())
        history_record(
            obj=volunteer,
            actor=SYSTEM,
            verb="vetting expiry warned",
            data={"kind": check.kind, "expires_on": str(check.expires_on)},
        )
    return sent
