from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class TimeStampedModel(models.Model):
    """Base for every Beatbook record: creation and last-change times in UTC."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk changes are refused: history is only ever added to."""

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Audit entries can only be added, never changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit entries can only be added, never deleted.")

    def bulk_update(self, *args: object, **kwargs: object) -> int:
        raise AppendOnlyError("Audit entries can only be added, never changed.")


class AppendOnlyError(Exception):
    """Someone tried to rewrite history."""


class AuditEntry(models.Model):
    """One line of a record's history or of the security log: who did what, when, from where.

    Rows are only ever added (see `core.guards`); corrections are new entries.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150)
    verb = models.CharField(max_length=64)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=150, blank=True)
    data = models.JSONField(default=dict, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=16, default="success")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="core_audit_object_at")
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.verb} {self.object_label}"


class NumberSequence(models.Model):
    """The last number issued for a prefix and year, e.g. CFS 2026 → 123 (CFS-2026-000123)."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["prefix", "year"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="core_numbersequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class IdempotencyRecord(models.Model):
    """The stored answer to a create request, so a retry with the same key gets it again."""

    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=150)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
