"""Append-only guard for the audit trail: the ORM refuses to change or delete its rows.

On PostgreSQL a trigger (migration 0002) refuses raw SQL too.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from beatbook.core.models import AppendOnlyError, AuditEntry


@receiver(pre_save, sender=AuditEntry)
def _refuse_audit_update(sender: type, instance: AuditEntry, **kwargs: Any) -> None:
    if instance.pk is not None and not kwargs.get("raw"):
        raise AppendOnlyError("Audit entries can only be added, never changed.")


@receiver(pre_delete, sender=AuditEntry)
def _refuse_audit_delete(sender: type, instance: AuditEntry, **kwargs: Any) -> None:
    raise AppendOnlyError("Audit entries can only be added, never deleted.")
