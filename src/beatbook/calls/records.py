"""Beatbook's own closed calls, kept in CallRecord beside imported history, so that every
figure counts both. Written when a call closes, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, Min

from beatbook.calls.choices import CallStatus
from beatbook.calls.importing.writing import batch_write
from beatbook.calls.models import Call, CallRecord
from beatbook.calls.signals import call_records_changed

SOURCE = "beatbook"
COUNTED = (CallStatus.CLEARED, CallStatus.ESCALATED, CallStatus.REFERRED)


def call_record_row(call: Call) -> dict[str, Any]:
    on_scene = call.on_scene_at
    return {
        "source": SOURCE,
        "source_id": call.number,
        "import_run_id": None,
        "received_at": call.received_at,
        "dispatched_at": call.dispatched_at,
        "on_scene_at": on_scene,
        "cleared_at": call.closed_at,
        "response_seconds": int((on_scene - call.received_at).total_seconds())
        if on_scene
        else None,
        "priority": call.priority,
        "call_type_id": call.call_type_id,
        "original_code": call.call_type.code,
        "original_description": call.call_type.name,
        "disposition": call.disposition,
        "original_disposition": call.status,
        "beat_id": call.beat_id,
        "beat_code": "",
        "block_text": call.block_text,
        "lat": call.lat,
        "lon": call.lon,
        "h3_cell": call.h3_cell,
    }


def call_record_sync(call: Call) -> None:
    if call.status not in COUNTED:
        return
    row = call_record_row(call)
    key = {"source": row.pop("source"), "source_id": row.pop("source_id")}
    CallRecord.objects.update_or_create(**key, defaults=row)
    received = call.received_at
    transaction.on_commit(
        lambda: call_records_changed.send(sender=CallRecord, start=received, end=received)
    )


def call_records_backfill(batch_size: int = 5000) -> int:
    """Every closed call not yet counted (after a bulk load such as the demo's history)."""
    closed = Call.objects.filter(status__in=COUNTED).select_related("call_type").order_by("pk")
    new, batch = 0, []
    for call in closed.iterator(chunk_size=batch_size):
        batch.append(call_record_row(call))
        if len(batch) >= batch_size:
            with transaction.atomic():
                new += batch_write(batch)
            batch = []
    with transaction.atomic():
        new += batch_write(batch)
    span = closed.aggregate(start=Min("received_at"), end=Max("received_at"))
    if span["start"] is not None:
        call_records_changed.send(sender=CallRecord, **span)
    return new
