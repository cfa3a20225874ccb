"""Custody events can only be added: the ORM refuses to change or delete them (PostgreSQL
also refuses raw SQL, migration 0002)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from beatbook.core.models import AppendOnlyError
from beatbook.property.models import CustodyEvent


@receiver(pre_save, sender=CustodyEvent)
def _refuse_event_update(sender: type, instance: CustodyEvent, **kwargs: Any) -> None:
    if instance.pk is not None and not kwargs.get("raw"):
        raise AppendOnlyError("Custody events can only be added, never changed.")


@receiver(pre_delete, sender=CustodyEvent)
def _refuse_event_delete(sender: type, instance: CustodyEvent, **kwargs: Any) -> None:
    raise AppendOnlyError("Custody events can only be added, never deleted.")
