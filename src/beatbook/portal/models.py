from __future__ import annotations

from django.db import models


class PortalSubmission(models.Model):
    """One attempt to submit a report: the source of rate limits and of idempotent retries."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Report created"
        HONEYPOT = "honeypot", "Dropped: honeypot filled"
        EMERGENCY = "emergency", "Stopped: emergency wording"

    ip = models.GenericIPAddressField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ip", "created_at"], name="portal_submission_ip_time")]

    def __str__(self) -> str:
        return f"{self.outcome} from {self.ip} at {self.created_at:%Y-%m-%d %H:%M}"
