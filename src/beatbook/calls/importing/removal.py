"""Undoing a mistaken import (the wrong file, the wrong mapping): the rows it brought in are
taken out again by the task worker, a batch per transaction, and the dashboards' rollups
follow. Rows a later import updated belong to that import now and stay."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from beatbook.calls.importing.uploads import IMPORT_ROLES, ImportUploadError, stalled
from beatbook.calls.models import CallRecord, ImportRun
from beatbook.calls.signals import call_records_changed
from beatbook.calls.tasks import calls_coverage_count_task
from beatbook.core.actors import SYSTEM, Actor
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role

BATCH = 20_000
REMOVABLE = (ImportRun.Status.DONE, ImportRun.Status.FAILED, ImportRun.Status.INTERRUPTED)


def removable(run: ImportRun) -> bool:
    """Finished, or its removal stalled (the worker stopped): rows left are taken out."""
    finished = run.status in REMOVABLE
    return finished or (run.status == ImportRun.Status.REMOVING and stalled(run))


def import_remove_start(*, actor: Actor, run: ImportRun) -> int:
    """Queue the removal of the rows `run` brought in; returns how many there are now."""
    require_role(actor, IMPORT_ROLES, action="remove an import")
    left = CallRecord.objects.filter(import_run=run).aggregate(
        rows=Count("pk"), start=Min("received_at"), end=Max("received_at")
    )
    rows = left["rows"]
    if not removable(run) or not rows:
        raise ImportUploadError(
            "run", "Only a finished import with rows of its own can be removed."
        )
    # A removal started again after its worker stopped keeps the span it began with: the
    # rows the first attempt deleted are gone, but their weeks still need counting again.
    start = min(d for d in (run.removal_start, left["start"]) if d is not None)
    end = max(d for d in (run.removal_end, left["end"]) if d is not None)
    with transaction.atomic():
        taken = ImportRun.objects.filter(pk=run.pk, status=run.status).update(
            status=ImportRun.Status.REMOVING,
            progress_at=timezone.now(),
            removal_start=start,
            removal_end=end,
        )
        if not taken:
            raise ImportUploadError("run", "This import changed meanwhile; see its status.")
        history_record(obj=run, actor=actor, verb="import removal queued", data={"rows": rows})
    from beatbook.calls.tasks import calls_import_remove_task

    transaction.on_commit(lambda: calls_import_remove_task.enqueue(run_id=run.pk))
    return rows


def import_remove_run(*, run_id: int) -> ImportRun:
    """The worker's part: delete the run's rows a batch at a time (progress on the run),
    then refresh the rollups over the span they covered."""
    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.REMOVING:
        return run  # a second delivery of the task
    # The earliest and latest call removed, by any attempt: the rollups to count again.
    first: Any = run.removal_start
    last: Any = run.removal_end
    while True:
        with transaction.atomic():
            batch = CallRecord.objects.filter(
                pk__in=list(
                    CallRecord.objects.filter(import_run=run)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:BATCH]
                )
            )
            bounds = batch.aggregate(start=Min("received_at"), end=Max("received_at"))
            removed, _ = batch.delete()
            if not removed:
                break
            first = bounds["start"] if first is None else min(first, bounds["start"])
            last = bounds["end"] if last is None else max(last, bounds["end"])
            run.rows_removed += removed
            ImportRun.objects.filter(pk=run.pk).update(
                rows_removed=run.rows_removed, progress_at=timezone.now()
            )
    run.status = ImportRun.Status.REMOVED
    run.message = f"{run.rows_removed:,} rows removed"
    run.save(update_fields=["status", "message"])
    history_record(obj=run, actor=SYSTEM, verb="import removed", data={"rows": run.rows_removed})
    if first is not None:
        call_records_changed.send(sender=CallRecord, start=first, end=last)
    calls_coverage_count_task.enqueue(source=run.source)
    return run
