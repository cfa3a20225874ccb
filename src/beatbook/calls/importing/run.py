"""The import as a whole: check the file, then read, transform and write it in batches, each
batch in its own transaction, with progress, rejects and an ImportRun for its status."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from beatbook.calls.importing.mapping import Mapping
from beatbook.calls.importing.reading import file_check, rows
from beatbook.calls.importing.transform import RecordBuilder, RowRejected
from beatbook.calls.importing.writing import batch_write
from beatbook.calls.models import CallRecord, ImportRun
from beatbook.calls.signals import call_records_changed

BATCH = 5000


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    imported: int
    rejected: int


def calls_import(
    *,
    path: Path,
    mapping: Mapping,
    rejects_path: Path | None = None,
    started_by: str = "",
    progress: Callable[[Progress], object] | None = None,
    batch_size: int = BATCH,
) -> ImportRun:
    """Import a calls file. A file that cannot be read is refused before anything is written;
    a bad row is rejected (line and reason) and the good rows kept; a re-run adds nothing; an
    interruption leaves whole batches only, and the next run finishes the job."""
    check = file_check(path, mapping)
    builder = RecordBuilder(mapping, path.parent)
    run = ImportRun.objects.create(
        source=mapping.name,
        file_name=path.name,
        file_sha256=check.sha256,
        started_by=started_by[:150],
        rejects_file=str(rejects_path or ""),
    )
    batch: list[dict[str, Any]] = []
    span: tuple[Any, Any] | None = None  # earliest and latest received_at read
    rejects: list[tuple[int, str, dict[str, str]]] = []
    # A source never imported before cannot conflict (the file's own duplicates are
    # rejected), so its batches skip the staging table.
    fresh = not CallRecord.objects.filter(source=mapping.name).exists()

    def flush() -> None:
        with transaction.atomic():
            new = batch_write(batch, fresh=fresh)
        run.rows_imported += new
        run.rows_already_there += len(batch) - new
        batch.clear()
        ImportRun.objects.filter(pk=run.pk).update(
            rows_read=run.rows_read,
            rows_imported=run.rows_imported,
            rows_already_there=run.rows_already_there,
            rows_rejected=run.rows_rejected,
        )
        if progress:
            progress(Progress(run.rows_read, check.records, run.rows_imported, run.rows_rejected))

    try:
        for line, row in rows(path, mapping):
            run.rows_read += 1
            try:
                record = builder.build(row)
            except RowRejected as exc:
                run.rows_rejected += 1
                rejects.append((line, str(exc), row))
                continue
            record["source"], record["import_run_id"] = mapping.name, run.pk
            received = record["received_at"]
            span = (
                (received, received)
                if span is None
                else (min(span[0], received), max(span[1], received))
            )
            batch.append(record)
            if len(batch) >= batch_size:
                flush()
        flush()
    except BaseException as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        run.status = ImportRun.Status.INTERRUPTED if interrupted else ImportRun.Status.FAILED
        run.message = ("interrupted" if interrupted else f"{type(exc).__name__}: {exc}")[:500]
        raise
    else:
        if span is not None:  # every row read, new or not, so a re-run mends an interrupted one
            call_records_changed.send(sender=CallRecord, start=span[0], end=span[1])
        run.status = ImportRun.Status.DONE
        run.message = (
            f"{run.rows_imported} imported, {run.rows_already_there} already there, "
            f"{run.rows_rejected} rejected"
        )
    finally:
        run.finished_at = timezone.now()
        run.save()
        if rejects_path is not None:
            rejects_write(rejects_path, rejects)
    return run


def rejects_write(path: Path, rejects: list[tuple[int, str, dict[str, str]]]) -> None:
    """line, reason, then the row's own columns: fix them and feed the file back in."""
    columns: list[str] = []
    for _, _, row in rejects:
        columns += [c for c in row if c not in columns]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["line", "reason", *columns])
        for line, reason, row in rejects:
            writer.writerow([line, reason, *(row.get(c, "") for c in columns)])
