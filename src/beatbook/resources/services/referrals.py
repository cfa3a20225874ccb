"""Referrals of residents to services: made only with the resident's recorded consent, sent
to the provider as the consent allows, answered by the provider (accepted, declined, served,
unable to reach) through a secret link or by staff, and chased when nothing comes back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from beatbook.core.actors import Actor, SystemActor, actor_label
from beatbook.core.exceptions import InvalidTransition, ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.numbering import number_next
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.resources.choices import (
    REFERRAL_TRANSITIONS,
    ConsentScope,
    ContactMethod,
    ReferralStatus,
    ServiceStatus,
)
from beatbook.resources.exceptions import ReferralRefused
from beatbook.resources.models import Referral, ReferralUpdate, Service, TaxonomyTerm

REFERRERS = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
# Coordinators (the analyst role) follow up on every referral; a CSO on their own.
REFERRAL_MANAGERS = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})


def provider_actor(referral: Referral) -> SystemActor:
    return SystemActor(f"provider {referral.service.organization.name} (link)")


def _public_url(path: str) -> str:
    return settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path


def provider_email(service: Service) -> str:
    return service.email or service.organization.email


@transaction.atomic
def referral_create(
    *,
    actor: Actor,
    resident_name: str,
    need: TaxonomyTerm,
    service: Service,
    consent_scopes: list[str],
    consent_method: str,
    contact_method: str,
    resident_phone: str = "",
    resident_email: str = "",
    resident_language: str = "en",
    note: str = "",
    call: Any = None,
    report: Any = None,
    consent_at: dt.datetime | None = None,
) -> Referral:
    require_role(actor, REFERRERS, action="refer residents to services")
    scopes = [scope for scope in dict.fromkeys(consent_scopes) if scope in ConsentScope.values]
    if not scopes:
        raise ReferralRefused(
            "No referral without the resident's consent: record what they agreed to share."
        )
    if not consent_method:
        raise ValidationFailed("Say how the resident gave consent.", field="consent_method")
    if service.status != ServiceStatus.ACTIVE:
        raise ReferralRefused(f"{service.name} is {service.get_status_display().lower()}.")
    if contact_method == ContactMethod.PROVIDER_EMAIL:
        if ConsentScope.CONTACT_SHARE not in scopes:
            raise ReferralRefused(
                "Emailing the provider shares the resident's details: that needs their "
                "consent to share contact details."
            )
        if not provider_email(service):
            raise ValidationFailed(
                f"{service.name} has no email address in the directory; choose another way.",
                field="contact_method",
            )
    if (
        ConsentScope.PROVIDER_CONTACT in scopes
        and not resident_phone.strip()
        and not resident_email.strip()
    ):
        raise ValidationFailed(
            "The provider may contact the resident: give a phone number or an email.",
            field="resident_phone",
        )
    now = timezone.now()
    referral = Referral(
        number=number_next(prefix="REF"),
        call=call,
        report=report,
        resident_name=resident_name.strip(),
        resident_phone=resident_phone.strip(),
        resident_email=resident_email.strip().lower(),
        resident_language=resident_language or "en",
        need=need,
        service=service,
        note=note.strip(),
        consent_scopes=scopes,
        consent_method=consent_method,
        consent_at=consent_at or now,
        contact_method=contact_method,
        status=ReferralStatus.SENT,
        status_at=now,
        follow_up_due=timezone.localdate(now)
        + dt.timedelta(days=settings.BEATBOOK_REFERRAL_FOLLOW_UP_DAYS),
        referred_by=actor,  # type: ignore[misc]
    )
    validate(referral)
    referral.save()
    ReferralUpdate.objects.create(
        referral=referral, at=now, status=ReferralStatus.SENT, by_label=actor_label(actor)[:150]
    )
    history_record(
        obj=referral,
        actor=actor,
        verb="referral made",
        data={"service": str(service.pk), "consent": scopes, "contact": contact_method},
    )
    if call is not None:
        history_record(
            obj=call, actor=actor, verb="referral made", data={"referral": referral.number}
        )
    transaction.on_commit(lambda: referral_notify(referral_id=referral.pk))
    return referral


def referral_notify(*, referral_id: int) -> int:
    """Tell the provider (when that is how the resident agreed to be referred) and the
    resident (when they gave an email) what happens next."""
    referral = Referral.objects.select_related("service__organization", "need").get(pk=referral_id)
    sent = 0
    context = {
        "referral": referral,
        "agency": settings.BEATBOOK_AGENCY_NAME,
        "provider_url": _public_url(
            reverse("portal:referral_provider", args=[referral.provider_token])
        ),
        "share_contact": ConsentScope.CONTACT_SHARE in referral.consent_scopes,
        "share_details": ConsentScope.DETAILS_SHARE in referral.consent_scopes,
    }
    if referral.contact_method == ContactMethod.PROVIDER_EMAIL:
        body = render_to_string("resources/email/provider_body.txt", context)
        subject = f"Referral {referral.number} from {settings.BEATBOOK_AGENCY_NAME}"
        sent += send_mail(subject, body, None, [provider_email(referral.service)])
    if referral.resident_email:
        with translation.override(referral.resident_language):
            body = render_to_string("resources/email/resident_body.txt", context)
            subject = render_to_string("resources/email/resident_subject.txt", context).strip()
        sent += send_mail(subject, body, None, [referral.resident_email])
    return sent


@transaction.atomic
def referral_status_set(
    *, actor: Actor, referral: Referral, status: str, note: str = ""
) -> Referral:
    """Record the provider's answer or the outcome; each change is kept with who and when."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not isinstance(actor, SystemActor):
        require_role(actor, REFERRERS, action="update referrals")
        if actor.role == Role.CSO and referral.referred_by_id != actor.pk:
            raise ReferralRefused(
                "Only the CSO who made the referral or a coordinator may update it."
            )
    if status not in ReferralStatus.values:
        raise ValidationFailed(f"“{status}” is not a referral status.", field="status")
    allowed = REFERRAL_TRANSITIONS.get(referral.status, frozenset())
    if status not in allowed:
        raise InvalidTransition(
            f"{referral.number} is “{referral.get_status_display()}”; it cannot become "
            f"“{ReferralStatus(status).label}”."
        )
    now = timezone.now()
    previous = referral.status
    referral.status = status
    referral.status_at = now
    if status == ReferralStatus.ACCEPTED:
        # Accepted is not the end: look again when the service should have happened.
        referral.follow_up_due = timezone.localdate(now) + dt.timedelta(
            days=settings.BEATBOOK_REFERRAL_FOLLOW_UP_DAYS
        )
        referral.reminded_at = None
    referral.save(
        update_fields=["status", "status_at", "follow_up_due", "reminded_at", "updated_at"]
    )
    ReferralUpdate.objects.create(
        referral=referral,
        at=now,
        status=status,
        note=note.strip()[:1000],
        by_label=actor_label(actor)[:150],
    )
    history_record(
        obj=referral, actor=actor, verb="referral status", data={"from": previous, "to": status}
    )
    if isinstance(actor, SystemActor):
        transaction.on_commit(lambda: referral_answer_notify(referral_id=referral.pk))
    return referral


def referral_answer_notify(*, referral_id: int) -> int:
    referral = Referral.objects.select_related("referred_by", "service").get(pk=referral_id)
    if not referral.referred_by.email:
        return 0
    body = render_to_string("resources/email/answer_body.txt", {"referral": referral})
    subject = f"{referral.number}: {referral.get_status_display()}"
    return send_mail(subject, body, None, [referral.referred_by.email])


def referral_follow_up_remind(*, today: dt.date | None = None) -> int:
    """Email each CSO the referrals of theirs still waiting for an answer past the due date
    (once per referral until its status moves)."""
    from beatbook.resources.selectors import referrals_awaiting_answer

    waiting = referrals_awaiting_answer(today=today).filter(reminded_at__isnull=True)
    by_cso: dict[int, list[Referral]] = {}
    for referral in waiting:
        by_cso.setdefault(referral.referred_by_id, []).append(referral)
    sent = 0
    now = timezone.now()
    for referrals in by_cso.values():
        cso = referrals[0].referred_by
        if cso.email:
            body = render_to_string(
                "resources/email/follow_up_body.txt", {"referrals": referrals, "cso": cso}
            )
            sent += send_mail(f"{len(referrals)} referral(s) to follow up", body, None, [cso.email])
        Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(reminded_at=now)
        for referral in referrals:
            history_record(
                obj=referral, actor=SystemActor("follow-up reminder"), verb="follow-up due"
            )
    return sent


def stale_services_warn() -> int:
    """Tell coordinators which services nobody has confirmed within the configured time."""
    from beatbook.accounts.models import User
    from beatbook.resources.selectors import stale_services

    stale = list(stale_services()[:200])
    if not stale:
        return 0
    to = list(
        User.objects.filter(role=Role.ANALYST, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not to:
        return 0
    body = render_to_string(
        "resources/email/stale_body.txt",
        {"services": stale, "days": settings.BEATBOOK_RESOURCE_VERIFY_DAYS},
    )
    return send_mail(f"{len(stale)} directory entries to verify", body, None, to)
