"""Writes on alerts: draft → submitted → published (by someone other than the author) →
cancelled, and residents' subscriptions with double opt-in and one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from beatbook.accounts.models import User
from beatbook.alerts.choices import AlertStatus
from beatbook.alerts.exceptions import AlertStepRefused
from beatbook.alerts.models import Alert, PreventionArticle, Subscription
from beatbook.alerts.tasks import alert_notify_task, subscription_confirm_send_task
from beatbook.core.actors import PORTAL, SYSTEM, Actor
from beatbook.core.exceptions import ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.i18n import localized
from beatbook.core.numbering import number_next
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.places.models import Beat

AUTHORS = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
APPROVERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ALERT_FIELDS = (
    "kind",
    "category",
    "event",
    "headline",
    "headline_es",
    "description",
    "description_es",
    "instruction",
    "instruction_es",
    "urgency",
    "severity",
    "certainty",
    "expires_at",
)


def _lock(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _require_status(alert: Alert, allowed: list[str], step: str) -> None:
    if alert.status not in allowed:
        raise AlertStepRefused(
            f"{alert.number} is {alert.get_status_display().lower()}, so it cannot be {step}."
        )


def _check_times(alert: Alert) -> None:
    if alert.expires_at <= timezone.now():
        raise ValidationFailed("The expiry must be in the future.", field="expires_at")


@transaction.atomic
def alert_draft(*, actor: Actor, beats: list[Beat] | None = None, **fields: Any) -> Alert:
    require_role(actor, AUTHORS, action="draft alerts")
    if not isinstance(actor, User):
        raise ValidationFailed("Alerts are drafted by a member of staff.")
    unknown = set(fields) - set(ALERT_FIELDS)
    if unknown:
        raise TypeError(f"alert_draft got unknown fields {sorted(unknown)}")
    alert = Alert(drafted_by=actor, number="pending", **fields)
    validate(alert)
    _check_times(alert)
    alert.number = number_next(prefix="ALR")
    alert.save()
    alert.beats.set(beats or [])
    history_record(obj=alert, actor=actor, verb="alert drafted", data={"kind": alert.kind})
    return alert


@transaction.atomic
def alert_update(
    *, actor: Actor, alert: Alert, beats: list[Beat] | None = None, **fields: Any
) -> Alert:
    """Change a draft (or one returned for changes); published alerts are cancelled instead."""
    require_role(actor, AUTHORS, action="edit alerts")
    alert = _lock(alert)
    _require_status(alert, AlertStatus.editable(), "edited")
    changed = {}
    for name, value in fields.items():
        if name not in ALERT_FIELDS:
            raise TypeError(f"alert_update got unknown field {name}")
        if getattr(alert, name) != value:
            changed[name] = [str(getattr(alert, name)), str(value)]
            setattr(alert, name, value)
    validate(alert)
    _check_times(alert)
    alert.save()
    if beats is not None:
        alert.beats.set(beats)
    history_record(obj=alert, actor=actor, verb="alert edited", data=changed)
    return alert


@transaction.atomic
def alert_submit(*, actor: Actor, alert: Alert) -> Alert:
    require_role(actor, AUTHORS, action="submit alerts")
    alert = _lock(alert)
    _require_status(alert, AlertStatus.editable(), "submitted")
    _check_times(alert)
    alert.status = AlertStatus.SUBMITTED
    alert.save(update_fields=["status", "updated_at"])
    history_record(obj=alert, actor=actor, verb="alert submitted for approval")
    return alert


@transaction.atomic
def alert_return(*, actor: Actor, alert: Alert, note: str) -> Alert:
    require_role(actor, APPROVERS, action="review alerts")
    if not note.strip():
        raise ValidationFailed("Say what should change.", field="note")
    alert = _lock(alert)
    _require_status(alert, [AlertStatus.SUBMITTED], "returned")
    alert.status, alert.return_note = AlertStatus.RETURNED, note.strip()[:300]
    alert.save(update_fields=["status", "return_note", "updated_at"])
    history_record(obj=alert, actor=actor, verb="alert returned", data={"note": note})
    return alert


@transaction.atomic
def alert_approve(*, actor: Actor, alert: Alert) -> Alert:
    """Publish: portal, Atom, CAP, and an email to subscribers of its beats."""
    require_role(actor, APPROVERS, action="approve alerts")
    alert = _lock(alert)
    _require_status(alert, [AlertStatus.SUBMITTED], "approved")
    if isinstance(actor, User) and actor.pk == alert.drafted_by_id:
        raise AlertStepRefused("Another supervisor must approve an alert you drafted.")
    _check_times(alert)
    alert.status = AlertStatus.PUBLISHED
    alert.approved_by = actor if isinstance(actor, User) else None
    alert.published_at = timezone.now().replace(microsecond=0)  # CAP `sent` has no fractions
    alert.save(update_fields=["status", "approved_by", "published_at", "updated_at"])
    history_record(obj=alert, actor=actor, verb="alert approved and published")
    transaction.on_commit(lambda: alert_notify_task.enqueue(alert_id=alert.pk))
    return alert


@transaction.atomic
def alert_cancel(*, actor: Actor, alert: Alert, reason: str) -> Alert:
    """Withdraw a published alert: it leaves the feeds, and its CAP document becomes a Cancel
    message that references the original."""
    require_role(actor, APPROVERS, action="cancel alerts")
    if not reason.strip():
        raise ValidationFailed("Say why the alert is withdrawn.", field="reason")
    alert = _lock(alert)
    _require_status(alert, [AlertStatus.PUBLISHED], "cancelled")
    alert.status = AlertStatus.CANCELLED
    alert.cancelled_at = timezone.now().replace(microsecond=0)
    alert.cancel_reason = reason.strip()[:300]
    alert.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    history_record(obj=alert, actor=actor, verb="alert cancelled", data={"reason": reason})
    return alert


def _public_url(path: str) -> str:
    return settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path


def _unsubscribe_headers(subscription: Subscription) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST to the link without a page."""
    url = _public_url(reverse("portal:alert_unsubscribe", args=[subscription.token]))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _send(subscription: Subscription, template: str, context: dict[str, Any]) -> int:
    with translation.override(subscription.language or "en"):
        context = {
            **context,
            "agency": settings.BEATBOOK_AGENCY_NAME,
            "unsubscribe_url": _public_url(
                reverse("portal:alert_unsubscribe", args=[subscription.token])
            ),
            "confirm_url": _public_url(reverse("portal:alert_confirm", args=[subscription.token])),
        }
        subject = render_to_string(f"alerts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"alerts/email/{template}_body.txt", context)
    message = EmailMessage(
        subject, body, to=[subscription.email], headers=_unsubscribe_headers(subscription)
    )
    return message.send()


def alert_subscribers_notify(*, alert_id: int) -> int:
    """Email every confirmed subscriber whose beats the alert touches (or who took all)."""
    alert = Alert.objects.filter(pk=alert_id, status=AlertStatus.PUBLISHED).first()
    if alert is None:
        return 0
    beat_ids = list(alert.beats.values_list("pk", flat=True))
    subscribers = Subscription.objects.filter(
        confirmed_at__isnull=False, unsubscribed_at__isnull=True
    )
    if beat_ids:  # a whole-agency alert goes to everyone
        subscribers = subscribers.filter(Q(beats__in=beat_ids) | Q(beats__isnull=True))
    sent = 0
    for subscription in subscribers.distinct():
        with translation.override(subscription.language or "en"):
            context = {
                "alert": alert,
                "headline": localized(alert, "headline"),
                "description": localized(alert, "description"),
                "instruction": localized(alert, "instruction"),
                "alert_url": _public_url(reverse("portal:alert_detail", args=[alert.number])),
            }
        sent += _send(subscription, "alert", context)
    history_record(obj=alert, actor=SYSTEM, verb="subscribers emailed", data={"messages": sent})
    return sent


@transaction.atomic
def subscription_request(*, email: str, beats: list[Beat], language: str = "en") -> Subscription:
    """Start a subscription; only the confirmation email goes out until it is confirmed.

    Asking again with the same address makes a new pending choice of beats: the one in force
    stays until the new link is followed, so nobody can change another person's alerts by
    typing their address (an unconfirmed earlier request is reused, not piled up)."""
    email = email.strip().lower()
    subscription = (
        Subscription.objects.filter(
            email=email, unsubscribed_at__isnull=True, confirmed_at__isnull=True
        )
        .select_for_update()
        .first()
    )
    if subscription is None:
        subscription = Subscription(email=email)
    subscription.language = language[:8] or "en"
    validate(subscription)
    subscription.save()
    subscription.beats.set(beats)
    history_record(
        obj=subscription,
        actor=PORTAL,
        verb="subscription requested",
        data={"beats": [b.name for b in beats]},
    )
    transaction.on_commit(
        lambda: subscription_confirm_send_task.enqueue(subscription_id=subscription.pk)
    )
    return subscription


def subscription_confirm_send(*, subscription_id: int) -> int:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None or subscription.unsubscribed_at is not None:
        return 0
    beats = ", ".join(subscription.beats.values_list("name", flat=True))
    return _send(subscription, "confirm", {"beats": beats})


@transaction.atomic
def subscription_confirm(*, token: str) -> Subscription:
    subscription = Subscription.objects.select_for_update().filter(token=token).first()
    if subscription is None or subscription.unsubscribed_at is not None:
        raise ValidationFailed("This link is not valid any more.")
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at", "updated_at"])
        history_record(obj=subscription, actor=PORTAL, verb="subscription confirmed")
        # The address's earlier choice of beats ends: one subscription in force per address.
        Subscription.objects.filter(
            email=subscription.email, confirmed_at__isnull=False, unsubscribed_at__isnull=True
        ).exclude(pk=subscription.pk).update(unsubscribed_at=timezone.now())
    return subscription


@transaction.atomic
def subscription_cancel(*, token: str) -> Subscription:
    """One click, no sign-in; doing it twice is harmless."""
    subscription = Subscription.objects.select_for_update().filter(token=token).first()
    if subscription is None:
        raise ValidationFailed("This link is not valid.")
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at", "updated_at"])
        history_record(obj=subscription, actor=PORTAL, verb="unsubscribed")
    return subscription


def alert_expiry_default() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=3)


# --- the crime-prevention library --------------------------------------------------------

EDITORS = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
ARTICLE_FIELDS = (
    "topic",
    "title",
    "title_es",
    "summary",
    "summary_es",
    "body",
    "body_es",
    "is_published",
)


@transaction.atomic
def article_save(
    *, actor: Actor, article: PreventionArticle | None = None, **fields: Any
) -> PreventionArticle:
    """Create or change an article; every version's change is in its history."""
    require_role(actor, EDITORS, action="edit the prevention library")
    if not isinstance(actor, User):
        raise ValidationFailed("Articles are written by a member of staff.")
    unknown = set(fields) - set(ARTICLE_FIELDS)
    if unknown:
        raise TypeError(f"article_save got unknown fields {sorted(unknown)}")
    creating = article is None
    if article is None:
        article = PreventionArticle(slug=_free_slug(fields.get("title", "")))
    else:
        article = PreventionArticle.objects.select_for_update().get(pk=article.pk)
    changed = {
        name: [str(getattr(article, name, "")), str(value)]
        for name, value in fields.items()
        if creating or getattr(article, name) != value
    }
    for name, value in fields.items():
        setattr(article, name, value)
    if article.is_published and bool(article.title_es) != bool(article.body_es):
        raise ValidationFailed(
            "Give both the Spanish title and the Spanish text, or neither.", field="body_es"
        )
    article.updated_by = actor
    validate(article)
    article.save()
    verb = "article written" if creating else "article changed"
    history_record(
        obj=article, actor=actor, verb=verb, data={k: v[1][:80] for k, v in changed.items()}
    )
    return article


def _free_slug(title: str) -> str:
    base = slugify(title)[:70] or "article"
    slug, n = base, 2
    while PreventionArticle.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
