"""Writing a batch in one statement per batch: PostgreSQL streams it with COPY into a
temporary table and moves the new rows across with ON CONFLICT DO NOTHING; SQLite uses
INSERT OR IGNORE. Either way a row already imported is skipped and counted, not doubled."""

from __future__ import annotations

from typing import Any

from django.db import connection

from beatbook.calls.models import CallRecord

COLUMNS = (
    "source",
    "source_id",
    "import_run_id",
    "received_at",
    "dispatched_at",
    "on_scene_at",
    "cleared_at",
    "response_seconds",
    "priority",
    "call_type_id",
    "original_code",
    "original_description",
    "disposition",
    "original_disposition",
    "beat_id",
    "beat_code",
    "block_text",
    "lat",
    "lon",
    "h3_cell",
)
TABLE = CallRecord._meta.db_table


def batch_write(rows: list[dict[str, Any]], *, fresh: bool = False) -> int:
    """Insert the rows not already there; returns how many were new. Runs inside the
    caller's transaction. `fresh`: the caller knows none of these can be there already (the
    first import of a source), so PostgreSQL can COPY straight into the table."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _copy_straight(rows) if fresh else _copy_postgresql(rows)
    return _insert_or_ignore(rows)


def _copy_straight(rows: list[dict[str, Any]]) -> int:
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row([row[c] for c in COLUMNS])
    return len(rows)


def _copy_postgresql(rows: list[dict[str, Any]]) -> int:
    names = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.import_stage")
        cursor.execute(
            f"CREATE TEMP TABLE import_stage ON COMMIT DROP AS "  # noqa: S608  (fixed names)
            f"SELECT {names} FROM {TABLE} WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg 3: COPY streams from Python without a CSV detour
        with raw.copy(f"COPY import_stage ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row([row[c] for c in COLUMNS])
        cursor.execute(
            f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM import_stage "  # noqa: S608
            "ON CONFLICT (source, source_id) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE import_stage")
    return inserted


def _insert_or_ignore(rows: list[dict[str, Any]]) -> int:
    names = ", ".join(COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    ops = connection.ops
    values = [
        [ops.adapt_datetimefield_value(row[c]) if c.endswith("_at") else row[c] for c in COLUMNS]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT OR IGNORE INTO {TABLE} ({names}) VALUES ({marks})",  # noqa: S608
            values,
        )
        return cursor.rowcount
