"""The resident's report: rate-limited, idempotent, guarded against emergencies, then the same
`calls` intake as a phone call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from beatbook.calls import services as call_services
from beatbook.calls.choices import CallSource
from beatbook.calls.models import Call, CallSupporter, CallType
from beatbook.calls.triage import triage_assess
from beatbook.core.actors import PORTAL
from beatbook.core.exceptions import ValidationFailed
from beatbook.portal.exceptions import EmergencyDetected, SubmissionRateLimited
from beatbook.portal.models import PortalSubmission

MAX_PHOTOS = 3

T = TypeVar("T")


@dataclass(frozen=True)
class ReportResult:
    call: Call
    created: bool


def _check_rate(ip: str | None) -> None:
    now = timezone.now()
    created = PortalSubmission.objects.filter(outcome=PortalSubmission.Outcome.CREATED)
    everyone = created.filter(created_at__gte=now - dt.timedelta(minutes=1)).count()
    if everyone >= settings.BEATBOOK_PORTAL_GLOBAL_PER_MINUTE:
        raise SubmissionRateLimited(retry_after=60)
    if ip is None:
        return
    mine = created.filter(ip=ip)
    if mine.filter(created_at__gte=now - dt.timedelta(minutes=1)).count() >= (
        settings.BEATBOOK_PORTAL_PER_IP_PER_MINUTE
    ):
        raise SubmissionRateLimited(retry_after=60)
    if mine.filter(created_at__gte=now - dt.timedelta(days=1)).count() >= (
        settings.BEATBOOK_PORTAL_PER_IP_PER_DAY
    ):
        raise SubmissionRateLimited(retry_after=3600)


def _existing(key: str) -> Call | None:
    submission = PortalSubmission.objects.select_related("call").filter(idempotency_key=key).first()
    return submission.call if submission else None


def report_submit(
    *,
    ip: str | None,
    idempotency_key: str,
    call_type: CallType,
    description: str,
    lat: float | None,
    lon: float | None,
    address: str,
    answers: dict[str, Any],
    photos: list[tuple[Any, int]],
    name: str,
    email: str,
    phone: str,
    language: str,
) -> ReportResult:
    """Create the resident's report once, however often the phone retries it."""
    key = idempotency_key.strip()[:64] or None
    if key and (call := _existing(key)):
        return ReportResult(call, created=False)
    if not call_type.is_public:
        raise ValidationFailed("That category cannot be reported here.", field="call_type")
    if triage_assess(call_type=call_type, description=description).needs_escalation:
        PortalSubmission.objects.create(ip=ip, outcome=PortalSubmission.Outcome.EMERGENCY)
        raise EmergencyDetected()
    _check_rate(ip)
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"Attach at most {MAX_PHOTOS} photos.", field="photos")
    try:
        with transaction.atomic():
            call = call_services.call_intake(
                actor=PORTAL,
                call_type=call_type,
                source=CallSource.PORTAL,
                description=description,
                lat=lat,
                lon=lon,
                address=address,
                caller_name=name,
                caller_phone=phone,
                caller_email=email,
                answers=answers,
                contact_language=language,
            )
            for upload, size in photos:
                call_services.call_photo_add(actor=PORTAL, call=call, upload=upload, size=size)
            PortalSubmission.objects.create(
                ip=ip, idempotency_key=key, call=call, outcome=PortalSubmission.Outcome.CREATED
            )
    except IntegrityError:
        # The same key won a race with this request: answer with what the first one made.
        if key and (call := _existing(key)):
            return ReportResult(call, created=False)
        raise
    return ReportResult(call, created=True)


def rate_limited_submit(*, ip: str | None, create: Callable[[], T]) -> T:
    """Lost-item and lost-pet reports and event sign-ups count against the same per-address and
    overall limits as a problem report, so no public form can flood the staff's lists."""
    _check_rate(ip)
    with transaction.atomic():
        result = create()
        PortalSubmission.objects.create(ip=ip, outcome=PortalSubmission.Outcome.CREATED)
    return result


def honeypot_record(*, ip: str | None) -> None:
    """A form with the hidden field filled is a robot's: keep a trace, create nothing."""
    PortalSubmission.objects.create(ip=ip, outcome=PortalSubmission.Outcome.HONEYPOT)


def report_support(*, call: Call, email: str) -> CallSupporter:
    return call_services.call_supporter_add(actor=PORTAL, call=call, email=email)
