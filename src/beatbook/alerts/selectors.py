"""Reads on alerts: staff lists, the portal's live alerts, and subscriptions by token."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from beatbook.alerts.choices import AlertStatus
from beatbook.alerts.models import Alert, PreventionArticle, Subscription
from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.permissions import actor_role
from beatbook.core.roles import ALL_STAFF_ROLES
from beatbook.places.selectors import beat_choices

RECENT_DAYS = 30


def alert_list(*, viewer: Actor, status: str = "") -> QuerySet[Alert]:
    if actor_role(viewer) not in {*ALL_STAFF_ROLES, "system"}:
        return Alert.objects.none()
    # The beats' names only: a list of 200 alerts would decode each one's polygons.
    beats = Prefetch("beats", queryset=beat_choices())
    alerts = Alert.objects.select_related("drafted_by", "approved_by").prefetch_related(beats)
    if status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    return alerts


def alert_get(*, viewer: Actor, alert_id: int) -> Alert:
    alert = alert_list(viewer=viewer).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("No such alert.")
    return alert


def review_queue() -> QuerySet[Alert]:
    return Alert.objects.filter(status=AlertStatus.SUBMITTED).select_related("drafted_by")


def public_alerts_live(*, beat_id: int | None = None) -> QuerySet[Alert]:
    """Published and not yet expired: what the portal banner, Atom feed and index show."""
    alerts = Alert.objects.filter(
        status=AlertStatus.PUBLISHED, expires_at__gt=timezone.now()
    ).prefetch_related("beats")
    if beat_id:
        alerts = alerts.filter(beats__isnull=True) | alerts.filter(beats=beat_id)
    return alerts.distinct().order_by("-published_at", "-id")


def public_alerts_recent() -> QuerySet[Alert]:
    """Expired or withdrawn in the last 30 days, so residents can still look them up."""
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    return (
        Alert.objects.filter(published_at__gte=since)
        .exclude(status=AlertStatus.PUBLISHED, expires_at__gt=timezone.now())
        .filter(status__in=[AlertStatus.PUBLISHED, AlertStatus.CANCELLED])
        .order_by("-published_at")
    )


def public_alert_get(*, number: str) -> Alert:
    """Any alert that was ever published (its CAP document stays resolvable after it ends)."""
    alert = (
        Alert.objects.filter(number=number, published_at__isnull=False)
        .prefetch_related("beats")
        .first()
    )
    if alert is None:
        raise NotFound("No such alert.")
    return alert


def subscription_by_token(*, token: str) -> Subscription:
    subscription = Subscription.objects.filter(token=token).prefetch_related("beats").first()
    if subscription is None:
        raise NotFound("This link is not valid.")
    return subscription


def articles_published() -> QuerySet[PreventionArticle]:
    return PreventionArticle.objects.filter(is_published=True)


def article_published_get(*, slug: str) -> PreventionArticle:
    article = articles_published().filter(slug=slug).first()
    if article is None:
        raise NotFound("No such article.")
    return article
