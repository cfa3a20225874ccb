"""The audit trail: every service records here who changed what, when and from where."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from beatbook.core.actors import Actor, actor_label, actor_user
from beatbook.core.models import AuditEntry
from beatbook.core.request_context import current_source_ip
from beatbook.core.sql import insert


def _entry(
    obj: models.Model | None, actor: Actor, verb: str, data: dict[str, Any] | None, outcome: str
) -> AuditEntry:
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor_user(actor),
        actor_label=actor_label(actor)[:150],
        verb=verb,
        data=data or {},
        source_ip=current_source_ip(),
        outcome=outcome,
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj)
        entry.object_id = str(obj.pk)
        entry.object_label = str(obj)[:150]
    return entry


def history_record(
    *,
    obj: models.Model | None,
    actor: Actor,
    verb: str,
    data: dict[str, Any] | None = None,
    outcome: str = "success",
) -> AuditEntry:
    """Append one entry to `obj`'s history (or to the security log when `obj` is None)."""
    entry = _entry(obj, actor, verb, data, outcome)
    entry.save()
    return entry


def history_record_many(
    *, obj: models.Model, actor: Actor, entries: list[tuple[str, dict[str, Any]]]
) -> list[AuditEntry]:
    """Append several entries (verb, data) to `obj`'s history in one INSERT, in order: for
    services whose one step is several events (an intake that is placed, linked and queued)."""
    written = [_entry(obj, actor, verb, data, "success") for verb, data in entries]
    insert(written)
    return written


def history_entries_new(
    *, model: type[models.Model], actor: Actor, entries: list[tuple[str, dict[str, Any]]]
) -> list[AuditEntry]:
    """Unsaved entries (verb, data) for a `model` record not written yet: the statement that
    writes the record fills in its key and label (calls.intake_write)."""
    content_type = ContentType.objects.get_for_model(model)
    written = [_entry(None, actor, verb, data, "success") for verb, data in entries]
    for entry in written:
        entry.content_type = content_type
    return written


def history_for(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """The history of one record, oldest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
