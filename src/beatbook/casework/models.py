"""Mediation cases (parties, sessions, the agreement, follow-ups at 30 and 90 days) and
victim assistance, which stays confidential to the people assigned to it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from beatbook.casework.choices import (
    CaseSource,
    CaseStatus,
    ContactPreference,
    DisputeType,
    FollowUpOutcome,
    SessionOutcome,
    VictimStepKind,
)
from beatbook.core.models import TimeStampedModel


class MediationCase(TimeStampedModel):
    number = models.CharField(max_length=20, unique=True)
    source = models.CharField(max_length=10, choices=CaseSource.choices)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="mediations"
    )
    referral = models.ForeignKey(
        "resources.Referral",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    dispute_type = models.CharField(max_length=20, choices=DisputeType.choices)
    summary = models.TextField(max_length=4000)
    address_text = models.CharField(max_length=200)
    block_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    beat = models.ForeignKey(
        "places.Beat", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediations",
    )
    partner = models.ForeignKey(
        "outreach.PartnerOrganisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediations",
        help_text="When a partner organisation mediates instead of a CSO.",
    )
    status = models.CharField(max_length=14, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreement_text = models.TextField(blank=True, max_length=20000)
    agreed_at = models.DateTimeField(null=True, blank=True)
    signed_pdf = models.FileField(upload_to="casework/agreements/", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mediator__isnull=False) | models.Q(partner__isnull=False),
                name="casework_case_has_mediator",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="agreement") | ~models.Q(agreement_text=""),
                name="casework_agreement_has_text",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class MediationParty(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(max_length=150)
    role = models.CharField(max_length=80, help_text="e.g. “neighbour at 1510”, “tenant”.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    contact_preference = models.CharField(max_length=10, choices=ContactPreference.choices)
    language = models.CharField(max_length=10, default="en")
    interpreter_needed = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class MediationSession(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    outcome = models.CharField(
        max_length=10, choices=SessionOutcome.choices, default=SessionOutcome.PENDING, blank=True
    )
    notes = models.TextField(blank=True, max_length=4000)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} session {self.starts_at:%Y-%m-%d %H:%M}"


class MediationFollowUp(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="follow_ups")
    days_after = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        max_length=12, choices=FollowUpOutcome.choices, default=FollowUpOutcome.PENDING, blank=True
    )
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "days_after"], name="casework_follow_up_once")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.days_after}-day follow-up"


class VictimAssistance(TimeStampedModel):
    """Help for a victim named on an incident report. Confidential by default: only the
    staff assigned to it and the victim-services role ever learn that it exists."""

    person = models.OneToOneField(
        "records.ReportPerson", on_delete=models.PROTECT, related_name="assistance"
    )
    assigned = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="victim_cases")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    release_consent_at = models.DateTimeField(null=True, blank=True)
    release_consent_until = models.DateField(null=True, blank=True)
    release_consent_scope = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Victim assistance #{self.pk}"


class VictimStep(models.Model):
    """One line of the checklist: done (with date and who) or, for follow-ups, due."""

    assistance = models.ForeignKey(VictimAssistance, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=20, choices=VictimStepKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "resources.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=False) | models.Q(due_on__isnull=False),
                name="casework_step_done_or_due",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
