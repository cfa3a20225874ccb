from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from beatbook.alerts.choices import (
    AlertKind,
    AlertStatus,
    Category,
    Certainty,
    PreventionTopic,
    Severity,
    Urgency,
)
from beatbook.core.models import TimeStampedModel


def subscription_token() -> str:
    return secrets.token_urlsafe(24)


class Alert(TimeStampedModel):
    """A public alert or announcement: drafted by a CSO, approved by a supervisor, then on the
    portal, in the Atom feed and as a CAP 1.2 message for the beats it concerns."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=16, choices=AlertKind.choices, default=AlertKind.ALERT)
    category = models.CharField(max_length=12, choices=Category.choices)
    event = models.CharField(max_length=100, help_text="CAP event, e.g. “Road closure”.")
    headline = models.CharField(max_length=160)
    headline_es = models.CharField("headline (Spanish)", max_length=160, blank=True)
    description = models.TextField()
    description_es = models.TextField("description (Spanish)", blank=True)
    instruction = models.TextField(blank=True, help_text="What residents should do.")
    instruction_es = models.TextField("instruction (Spanish)", blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    certainty = models.CharField(max_length=10, choices=Certainty.choices)
    beats = models.ManyToManyField(
        "places.Beat", blank=True, related_name="alerts", help_text="None: the whole agency."
    )
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default="draft")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alerts_drafted"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts_approved",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    return_note = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="alerts_alert_live")]

    def __str__(self) -> str:
        return f"{self.number} {self.headline}"


class Subscription(TimeStampedModel):
    """A resident's email subscription to alerts for some beats (none: all of them).

    Double opt-in: nothing is sent until the link in the first email is followed."""

    email = models.EmailField()
    beats = models.ManyToManyField("places.Beat", blank=True, related_name="+")
    language = models.CharField(max_length=8, default="en")
    token = models.CharField(max_length=64, unique=True, default=subscription_token)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"subscription {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class PreventionArticle(TimeStampedModel):
    """A crime-prevention page for residents, in both languages, kept up to date by staff."""

    topic = models.CharField(max_length=20, choices=PreventionTopic.choices)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=150)
    title_es = models.CharField("title (Spanish)", max_length=150, blank=True)
    summary = models.CharField(max_length=300)
    summary_es = models.CharField("summary (Spanish)", max_length=300, blank=True)
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    body_es = models.TextField("body (Spanish)", blank=True)
    is_published = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["topic", "title"]

    def __str__(self) -> str:
        return self.title
