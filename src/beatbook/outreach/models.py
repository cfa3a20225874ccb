from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from beatbook.core.models import TimeStampedModel
from beatbook.outreach.choices import (
    KINDS_NEEDING_APPROVAL,
    EventKind,
    EventStatus,
    MaterialKind,
    RegistrationStatus,
)


def registration_token() -> str:
    return secrets.token_urlsafe(24)


class PartnerOrganisation(TimeStampedModel):
    """A community group, school, business or agency that co-runs events with the program."""

    name = models.CharField(max_length=150, unique=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(TimeStampedModel):
    """A meeting, block party, fair or workshop the CSO program runs or supports."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=150)
    title_es = models.CharField("title (Spanish)", max_length=150, blank=True)
    description = models.TextField(blank=True)
    description_es = models.TextField("description (Spanish)", blank=True)
    venue = models.CharField(max_length=150, help_text="Where people go, e.g. “Garfield Park”.")
    address_text = models.CharField(max_length=200)
    block_text = models.CharField(max_length=200, help_text="What the public sees.")
    lat = models.FloatField()
    lon = models.FloatField()
    beat = models.ForeignKey("places.Beat", on_delete=models.PROTECT, related_name="events")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="events_organised"
    )
    partners = models.ManyToManyField(PartnerOrganisation, blank=True, related_name="events")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats in all; empty means no limit."
    )
    is_public = models.BooleanField(
        default=True, help_text="Public events are on the portal and in the calendar feed."
    )
    registration_open = models.BooleanField(default=True)
    status = models.CharField(
        max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    # RFC 5545 SEQUENCE: bumped when the time, place or status changes, so calendars update.
    sequence = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveIntegerField(default=0, help_text="People who came unregistered.")

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["is_public", "starts_at"], name="outreach_event_public")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="outreach_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def needs_approval(self) -> bool:
        return self.kind in KINDS_NEEDING_APPROVAL

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED


class Registration(TimeStampedModel):
    """A resident's sign-up for a public event; for a block party, a permit request."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    party_size = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    note = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    token = models.CharField(max_length=64, unique=True, default=registration_token)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party_size__gte=1, party_size__lte=10),
                name="outreach_registration_party_size",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.number} registration {self.pk}"


class MaterialHandout(TimeStampedModel):
    """How many of one kind of material an event handed out."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=20, choices=MaterialKind.choices)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="outreach_material_once")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.get_kind_display()}"


class FollowUp(TimeStampedModel):
    """Something promised at an event: a streetlight to report, a visit to make."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="follow_ups")
    text = models.CharField(max_length=300)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_follow_ups"
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.text
