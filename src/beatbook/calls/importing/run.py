"""The import as a whole: check the file, then read, transform and write it in batches, each
batch in its own transaction, with progress, rejects and an ImportRun for its status."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.utils import timezone

from beatbook.calls.importing.columns import ColumnBuilder
from beatbook.calls.importing.mapping import Mapping
from beatbook.calls.importing.parallel import BatchWriters, writers_available
from beatbook.calls.importing.reading import batches, file_check
from beatbook.calls.importing.transform import RecordBuilder
from beatbook.calls.importing.writing import Written, statistics_refresh, table_rows_known
from beatbook.calls.models import CallRecord, ImportRun
from beatbook.calls.signals import call_records_changed
from beatbook.calls.tasks import calls_coverage_count_task

BATCH = 20_000


@dataclass(frozen=True)
class Batch:
    read: int
    written: int
    rejected: int
    span: tuple[Any, Any] | None  # earliest and latest received_at written


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
    run: ImportRun | None = None,
    update: bool = False,
) -> ImportRun:
    """Import a calls file. A file that cannot be read is refused before anything is written;
    a bad row is rejected (line and reason) and the good rows kept; a re-run adds nothing; an
    interruption leaves whole batches only, and the next run finishes the job. `update`:
    rows already there take the file's values where they differ (after the mapping was
    corrected). `run`, when given, is a queued run (an upload's) to carry the status;
    otherwise one is created."""
    check = file_check(path, mapping)
    builder = ColumnBuilder(RecordBuilder(mapping, path.parent))
    if run is None:
        run = ImportRun(started_by=started_by[:150], file_name=path.name)
    run.source, run.file_sha256, run.rows_total = mapping.name, check.sha256, check.records
    run.rejects_file, run.update = str(rejects_path or ""), update
    # Counted afresh on a second try: what the first wrote is "already there" now.
    run.rows_read = run.rows_imported = run.rows_already_there = run.rows_rejected = 0
    run.rows_updated = 0
    run.message, run.finished_at = "", None
    run.status = ImportRun.Status.RUNNING
    run.started_at = run.progress_at = timezone.now()
    run.save()
    span: tuple[Any, Any] | None = None  # earliest and latest received_at read
    rejects: list[tuple[int, str, dict[str, str]]] = []
    # A source never imported before cannot conflict (the file's own duplicates are
    # rejected), so its batches skip the staging table.
    fresh = not CallRecord.objects.filter(source=mapping.name).exists()
    known = table_rows_known()
    writers: BatchWriters[Batch] = BatchWriters(writers_available(), fresh=fresh, update=update)

    def written(done: list[tuple[Batch, Written]], *, report: bool = True) -> None:
        nonlocal span
        for batch, rows in done:
            run.rows_read += batch.read
            run.rows_imported += rows.new
            run.rows_updated += rows.updated
            run.rows_already_there += batch.written - rows.new - rows.updated
            run.rows_rejected += batch.rejected
            if batch.span is not None:
                low, high = batch.span
                span = batch.span if span is None else (min(span[0], low), max(span[1], high))
            run.progress_at = timezone.now()
            ImportRun.objects.filter(pk=run.pk).update(
                progress_at=run.progress_at,
                rows_read=run.rows_read,
                rows_imported=run.rows_imported,
                rows_updated=run.rows_updated,
                rows_already_there=run.rows_already_there,
                rows_rejected=run.rows_rejected,
            )
            if progress and report:
                progress(
                    Progress(run.rows_read, check.records, run.rows_imported, run.rows_rejected)
                )

    try:
        for first, raw in batches(path, mapping, check, batch_size):
            built = builder.build(raw, first)
            records = built.records.with_columns(
                pl.lit(mapping.name).alias("source"), pl.lit(run.pk).alias("import_run_id")
            )
            rejects += [(check.record_lines[n], why, row) for n, why, row in built.rejects]
            received = records["received_at"]
            batch = Batch(
                read=raw.height,
                written=records.height,
                rejected=len(built.rejects),
                span=(received.min(), received.max()) if records.height else None,
            )
            written(writers.submit(batch, records))
        written(writers.finish())
    except BaseException as exc:
        written(writers.close(), report=False)  # whole batches already on their way
        interrupted = isinstance(exc, KeyboardInterrupt)
        run.status = ImportRun.Status.INTERRUPTED if interrupted else ImportRun.Status.FAILED
        run.message = ("interrupted" if interrupted else f"{type(exc).__name__}: {exc}")[:500]
        raise
    else:
        # Before the rollups' refresh, which is planned on these statistics too.
        statistics_refresh(added=run.rows_imported, known=known)
        if span is not None:  # every row read, new or not, so a re-run mends an interrupted one
            call_records_changed.send(sender=CallRecord, start=span[0], end=span[1])
        run.status = ImportRun.Status.DONE
        updated = f"{run.rows_updated} updated, " if update else ""
        run.message = (
            f"{run.rows_imported} imported, {updated}{run.rows_already_there} already there, "
            f"{run.rows_rejected} rejected"
        )
    finally:
        run.finished_at = timezone.now()
        run.save()
        if rejects_path is not None:
            rejects_write(rejects_path, rejects)
    # What the mapping left, counted now that every row is in, not on the page's next visit.
    calls_coverage_count_task.enqueue(source=run.source)
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
