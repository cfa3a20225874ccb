"""Residents' feedback: one short survey per closed call (from its tracking link) and per
event registration (after the event), and the emails that invite it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from beatbook.calls.choices import CallStatus
from beatbook.calls.public import public_call_by_token
from beatbook.core.actors import PORTAL, SYSTEM
from beatbook.core.exceptions import NotFound, ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.i18n import localized
from beatbook.core.redaction import scrub_text
from beatbook.outreach.choices import RegistrationStatus, event_feedback_program
from beatbook.outreach.exceptions import FeedbackRefused
from beatbook.outreach.models import Feedback, Registration


def _save(feedback: Feedback) -> Feedback:
    validate(feedback)
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:  # a second submit from another tab
        raise FeedbackRefused("Thank you: your answers for this were already recorded.") from None
    return feedback


def _clean(satisfaction: int, trust: int, comment: str) -> str:
    for name, value in (("satisfaction", satisfaction), ("trust", trust)):
        if not 1 <= value <= 5:
            raise ValidationFailed("Choose from 1 to 5.", field=name)
    # Free text is for opinions; phone numbers and emails typed into it are not kept.
    return scrub_text(comment.strip())[:1000]


def feedback_for_call(
    *, token: str, satisfaction: int, trust: int, comment: str = "", language: str = "en"
) -> Feedback:
    call = public_call_by_token(token=token)
    if call is None:
        raise NotFound("This link is not valid.")
    if call.status in CallStatus.open_values():
        raise FeedbackRefused("You can tell us how we did once the report is closed.")
    if Feedback.objects.filter(call=call).exists():
        raise FeedbackRefused("Thank you: your answers for this were already recorded.")
    feedback = _save(
        Feedback(
            call=call,
            beat=call.beat,
            program=call.call_type.name,
            satisfaction=satisfaction,
            trust=trust,
            comment=_clean(satisfaction, trust, comment),
            language=language[:8] or "en",
        )
    )
    history_record(obj=call, actor=PORTAL, verb="feedback received", data={"feedback": feedback.pk})
    return feedback


def feedback_for_registration(
    *, token: str, satisfaction: int, trust: int, comment: str = "", language: str = "en"
) -> Feedback:
    registration = Registration.objects.filter(token=token).select_related("event").first()
    if registration is None:
        raise NotFound("This link is not valid.")
    event = registration.event
    if event.ends_at > timezone.now() or event.is_cancelled:
        raise FeedbackRefused("You can tell us how it went after the event.")
    if registration.status != RegistrationStatus.CONFIRMED:
        raise FeedbackRefused("Only people who had a place can answer for this event.")
    if Feedback.objects.filter(registration=registration).exists():
        raise FeedbackRefused("Thank you: your answers for this were already recorded.")
    feedback = _save(
        Feedback(
            registration=registration,
            beat=event.beat,
            program=event_feedback_program(event.kind),
            satisfaction=satisfaction,
            trust=trust,
            comment=_clean(satisfaction, trust, comment),
            language=language[:8] or "en",
        )
    )
    history_record(
        obj=event, actor=PORTAL, verb="feedback received", data={"feedback": feedback.pk}
    )
    return feedback


def event_feedback_invite(*, within: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Invite everyone who had a place at an event that ended recently, once each."""
    now = timezone.now()
    invited = 0
    for registration in Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        feedback_invited_at__isnull=True,
        event__ends_at__lte=now,
        event__ends_at__gte=now - within,
        event__status="scheduled",
    ).select_related("event"):
        with translation.override(registration.language or "en"):
            path = reverse("portal:event_registration", args=[registration.token])
            context = {
                "registration": registration,
                "title": localized(registration.event, "title"),
                "url": settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path + "#feedback",
                "agency": settings.BEATBOOK_AGENCY_NAME,
            }
            subject = render_to_string("outreach/email/feedback_invite_subject.txt", context)
            body = render_to_string("outreach/email/feedback_invite_body.txt", context)
        invited += send_mail(subject.strip(), body, None, [registration.email])
        Registration.objects.filter(pk=registration.pk).update(feedback_invited_at=now)
        history_record(
            obj=registration.event,
            actor=SYSTEM,
            verb="feedback invited",
            data={"registration": registration.pk},
        )
    return invited
