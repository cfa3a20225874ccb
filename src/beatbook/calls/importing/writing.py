"""Writing a batch in one statement per batch: PostgreSQL gets it as CSV through COPY,
straight into the table on a source's first import, else into a temporary table whose new
rows move across with ON CONFLICT DO NOTHING; SQLite uses INSERT OR IGNORE. Either way a row
already imported is skipped and counted, not doubled. An import asked to update (`--update`,
after a mapping was corrected) upserts instead, changing only the rows that differ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection

from beatbook.calls.models import CallRecord

TABLE = CallRecord._meta.db_table
_TIME = pl.Datetime("us", "UTC")
# CallRecord's columns as an import writes them, in order, with their types in a batch.
SCHEMA: dict[str, Any] = {
    "source": pl.String,
    "source_id": pl.String,
    "import_run_id": pl.Int64,
    "received_at": _TIME,
    "dispatched_at": _TIME,
    "on_scene_at": _TIME,
    "cleared_at": _TIME,
    "response_seconds": pl.Int64,
    "priority": pl.Int64,
    "call_type_id": pl.Int64,
    "original_code": pl.String,
    "original_description": pl.String,
    "disposition": pl.String,
    "original_disposition": pl.String,
    "beat_id": pl.Int64,
    "beat_code": pl.String,
    "block_text": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "h3_cell": pl.String,
}
COLUMNS = tuple(SCHEMA)


def batch_write(rows: list[dict[str, Any]], *, fresh: bool = False) -> int:
    """`frame_write` of rows given as dicts with every one of COLUMNS."""
    return frame_write(pl.DataFrame(rows, schema=SCHEMA), fresh=fresh)


def frame_write(records: pl.DataFrame, *, fresh: bool = False) -> int:
    """Insert the records (COLUMNS, typed as SCHEMA) not already there; returns how many were
    new. Runs inside the caller's transaction. `fresh`: the caller knows none of these can be
    there already (the first import of a source), so PostgreSQL can COPY straight into the
    table."""
    if not records.height:
        return 0
    records = records.select(COLUMNS)
    if connection.vendor == "postgresql":
        return _copy_straight(records) if fresh else _copy_postgresql(records)
    return _insert_or_ignore(records)


@dataclass(frozen=True)
class Written:
    new: int
    updated: int = 0


# What an update compares and sets: all but the row's identity; the run is set with any
# change but is no change by itself (the same file again leaves its rows as they were).
_KEY = ("source", "source_id")
_UPDATED = tuple(c for c in COLUMNS if c not in _KEY)
_COMPARED = tuple(c for c in _UPDATED if c != "import_run_id")


def frame_upsert(records: pl.DataFrame) -> Written:
    """Insert the records not already there and update those that are, where any field
    differs (a corrected mapping applied to rows imported before); rows already as they are
    stay untouched. Runs inside the caller's transaction."""
    if not records.height:
        return Written(0)
    records = records.select(COLUMNS)
    names = ", ".join(COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)
    ours = ", ".join(f"{TABLE}.{c}" for c in _COMPARED)
    theirs = ", ".join(f"excluded.{c}" for c in _COMPARED)
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    upsert = (
        f"ON CONFLICT (source, source_id) DO UPDATE SET {sets} WHERE ({ours}) {differs} ({theirs})"
    )
    if connection.vendor != "postgresql":
        return _upsert_sqlite(records, upsert)
    with connection.cursor() as cursor:
        _stage(cursor, records)
        # xmax is 0 on a row this statement inserted, set on one it updated.
        cursor.execute(
            f"WITH w AS (INSERT INTO {TABLE} ({names}) SELECT {names} FROM import_stage "  # noqa: S608
            f"{upsert} RETURNING (xmax = 0) AS new) "
            "SELECT count(*) FILTER (WHERE new), count(*) FILTER (WHERE NOT new) FROM w"
        )
        new, updated = cursor.fetchone()
        cursor.execute("DROP TABLE import_stage")
    return Written(new, updated)


def _upsert_sqlite(records: pl.DataFrame, upsert: str) -> Written:
    # Django's SQLite ids only grow (AUTOINCREMENT), so the new rows are those past the last.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0), total_changes() FROM {TABLE}")  # noqa: S608
        last, changes = cursor.fetchone()
        insert = f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({{marks}}) {upsert}"  # noqa: S608
        _executemany(cursor, insert, records)
        cursor.execute(f"SELECT count(*), total_changes() FROM {TABLE} WHERE id > %s", [last])  # noqa: S608
        new, changed = cursor.fetchone()
    return Written(new, changed - changes - new)


def _as_csv(records: pl.DataFrame) -> bytes:
    # Texts always quoted, so an empty text stays '' and only a missing value is NULL (an
    # unquoted empty field) in PostgreSQL's CSV.
    return records.write_csv(
        None,
        include_header=False,
        quote_style="non_numeric",
        null_value="",
        datetime_format="%Y-%m-%d %H:%M:%S%.6f+00",
    ).encode()


def _copy_csv(cursor: Any, table: str, records: pl.DataFrame) -> None:
    raw = cursor.cursor  # psycopg 3: the server parses the CSV, as a bare COPY would
    names = ", ".join(COLUMNS)
    with raw.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(_as_csv(records))


def _copy_straight(records: pl.DataFrame) -> int:
    with connection.cursor() as cursor:
        _copy_csv(cursor, TABLE, records)
    return records.height


def _stage(cursor: Any, records: pl.DataFrame) -> None:
    """The batch into a temporary table dropped at commit, through COPY."""
    cursor.execute("DROP TABLE IF EXISTS pg_temp.import_stage")
    cursor.execute(
        f"CREATE TEMP TABLE import_stage ON COMMIT DROP AS "  # noqa: S608  (fixed names)
        f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WITH NO DATA"
    )
    _copy_csv(cursor, "import_stage", records)


def _copy_postgresql(records: pl.DataFrame) -> int:
    names = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        _stage(cursor, records)
        cursor.execute(
            f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM import_stage "  # noqa: S608
            "ON CONFLICT (source, source_id) DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE import_stage")
    return inserted


def table_rows_known() -> int:
    """How many rows the query planner believes the calls table holds: PostgreSQL's estimate
    from its last ANALYZE, SQLite's from sqlite_stat1 (each row there starts with the table's
    count); never analysed counts as 0."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [TABLE])
        else:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return 0
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s LIMIT 1", [TABLE])
        row = cursor.fetchone()
    if row is None:
        return 0
    return max(int(float(str(row[0]).split()[0])), 0)


def statistics_refresh(*, added: int, known: int) -> bool:
    """ANALYZE the calls table when a write added more than a tenth of the rows the planner
    knew of. Autovacuum would get there, but not before the rollups' refresh and the first
    dashboards: planned on statistics of a table a tenth of its size, B5's pages ran 7-14x
    slower right after a bulk load. Returns whether it ran."""
    if added <= 0 or added * 10 <= known:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{TABLE}"')
    return True


def _executemany(cursor: Any, sql: str, records: pl.DataFrame) -> None:
    """`sql` (with `{marks}` where the values go) once per record, times adapted."""
    adapt = connection.ops.adapt_datetimefield_value
    times = [n for n, c in enumerate(COLUMNS) if c.endswith("_at")]
    values = []
    for row in records.iter_rows():
        value = list(row)
        for n in times:
            value[n] = adapt(value[n])
        values.append(value)
    cursor.executemany(sql.format(marks=", ".join(["%s"] * len(COLUMNS))), values)


def _insert_or_ignore(records: pl.DataFrame) -> int:
    names = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        insert = f"INSERT OR IGNORE INTO {TABLE} ({names}) VALUES ({{marks}})"  # noqa: S608
        _executemany(cursor, insert, records)
        return cursor.rowcount
