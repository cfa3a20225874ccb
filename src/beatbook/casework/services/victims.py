"""Victim assistance on an incident report (RELIABILITY-SECURITY.md R40): the checklist of
rights notices, resources offered, safety planning and follow-up contacts, each with its date
and who. Confidential by default: only the assigned staff and the victim-services role may
read or change it; everyone else is told it does not exist. History entries carry no PII."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from beatbook.casework.choices import VictimStepKind
from beatbook.casework.exceptions import CaseStepRefused
from beatbook.casework.models import VictimAssistance, VictimStep
from beatbook.casework.selectors import victim_assistance_may_see
from beatbook.core.actors import Actor, SystemActor, actor_user
from beatbook.core.exceptions import NotFound, ValidationFailed
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role

# Who may open assistance for a victim they met (and are then assigned to it).
VICTIM_OPENERS = frozenset({Role.CSO, Role.SUPERVISOR, Role.VICTIM_SERVICES})


def _require_access(actor: Actor, assistance: VictimAssistance) -> None:
    if isinstance(actor, SystemActor):
        return
    if not victim_assistance_may_see(actor, assistance):
        raise NotFound("No such record.")


@transaction.atomic
def victim_assistance_open(
    *, actor: Actor, person: Any, assigned: list[Any] | None = None
) -> VictimAssistance:
    require_role(actor, VICTIM_OPENERS, action="open victim assistance")
    from beatbook.records.choices import PersonRole

    if person.role != PersonRole.VICTIM:
        raise ValidationFailed(
            "Victim assistance is for a person named as a victim.", field="person"
        )
    report = person.report
    user = actor_user(actor)
    if user is None:
        raise ValidationFailed("Victim assistance is opened by a member of staff.")
    if user.role == Role.CSO and report.author_id != user.pk:
        raise NotFound("No such person.")
    if VictimAssistance.objects.filter(person=person).exists():
        raise CaseStepRefused("This victim already has an assistance record.")
    assistance = VictimAssistance.objects.create(person=person, opened_by=user)
    people = {user.pk: user, **{other.pk: other for other in assigned or []}}
    assistance.assigned.set(list(people.values()))
    history_record(
        obj=assistance, actor=actor, verb="victim assistance opened", data={"report": report.number}
    )
    return assistance


@transaction.atomic
def victim_assign(*, actor: Actor, assistance: VictimAssistance, user: Any) -> VictimAssistance:
    _require_access(actor, assistance)
    if user.role not in (Role.CSO, Role.SUPERVISOR, Role.VICTIM_SERVICES) or not user.is_active:
        raise ValidationFailed("Assign a CSO, a supervisor or victim-services staff.", field="user")
    assistance.assigned.add(user)
    history_record(obj=assistance, actor=actor, verb="staff assigned", data={"user": user.pk})
    return assistance


@transaction.atomic
def victim_step_record(
    *,
    actor: Actor,
    assistance: VictimAssistance,
    kind: str,
    detail: str = "",
    done_on: dt.date | None = None,
    due_on: dt.date | None = None,
    service: Any = None,
) -> VictimStep:
    """Record a step done (today unless `done_on`) or, for a follow-up contact, one due."""
    _require_access(actor, assistance)
    if kind not in VictimStepKind.values:
        raise ValidationFailed("Choose what was done.", field="kind")
    if kind == VictimStepKind.RESOURCE_OFFERED and service is None and not detail.strip():
        raise ValidationFailed("Say which resource was offered.", field="detail")
    now = timezone.now()
    done_at = None
    if due_on is None or done_on is not None:
        day = done_on or timezone.localdate(now)
        if day > timezone.localdate(now):
            raise ValidationFailed("A step done cannot be dated in the future.", field="done_on")
        done_at = (
            now
            if day == timezone.localdate(now)
            else timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        )
    elif due_on < timezone.localdate(now):
        raise ValidationFailed("A follow-up due date cannot be in the past.", field="due_on")
    step = VictimStep.objects.create(
        assistance=assistance,
        kind=kind,
        detail=detail.strip()[:300],
        due_on=due_on,
        done_at=done_at,
        done_by=actor if done_at and not isinstance(actor, SystemActor) else None,
        service=service,
    )
    history_record(
        obj=assistance,
        actor=actor,
        verb="step recorded",
        data={"kind": kind, "done": bool(done_at)},
    )
    return step


@transaction.atomic
def victim_step_done(*, actor: Actor, step: VictimStep, detail: str = "") -> VictimStep:
    _require_access(actor, step.assistance)
    if step.done_at is not None:
        raise CaseStepRefused("That step is already done.")
    step.done_at = timezone.now()
    step.done_by = actor if not isinstance(actor, SystemActor) else None
    if detail.strip():
        step.detail = detail.strip()[:300]
    step.save(update_fields=["done_at", "done_by", "detail"])
    history_record(obj=step.assistance, actor=actor, verb="step done", data={"kind": step.kind})
    return step


@transaction.atomic
def release_consent_record(
    *, actor: Actor, assistance: VictimAssistance, scope: str, until: dt.date
) -> VictimAssistance:
    """The victim's informed, written, time-limited consent to release their information."""
    _require_access(actor, assistance)
    if not scope.strip():
        raise ValidationFailed(
            "Say what the victim agreed may be released, and to whom.", field="scope"
        )
    if until <= timezone.localdate():
        raise ValidationFailed("Consent must run until a future date.", field="until")
    if until > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationFailed(
            "Consent to release lasts at most a year; renew it after.", field="until"
        )
    assistance.release_consent_at = timezone.now()
    assistance.release_consent_until = until
    assistance.release_consent_scope = scope.strip()[:300]
    assistance.save(
        update_fields=[
            "release_consent_at",
            "release_consent_until",
            "release_consent_scope",
            "updated_at",
        ]
    )
    history_record(
        obj=assistance,
        actor=actor,
        verb="release consent recorded",
        data={"until": until.isoformat()},
    )
    return assistance


def victim_follow_ups_remind(*, today: dt.date | None = None) -> int:
    """Tell each assigned person how many victim follow-up contacts are due, with a link and
    nothing else: names and details never go into an email (R40)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    today = today or timezone.localdate()
    due = VictimStep.objects.filter(done_at__isnull=True, due_on__lte=today)
    counts: dict[str, int] = {}
    for email in due.values_list("assistance__assigned__email", flat=True):
        if email:
            counts[email] = counts.get(email, 0) + 1
    url = settings.BEATBOOK_PUBLIC_URL.rstrip("/") + reverse("casework:victim_list")
    sent = 0
    for email, count in counts.items():
        body = (
            f"{count} victim-assistance follow-up contact(s) are due. Sign in to see them: {url}\n"
        )
        sent += send_mail("Victim-assistance follow-ups due", body, None, [email])
    return sent
