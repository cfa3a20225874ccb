"""The intake's write: a new call, its number and its first history entries.

An intake is the busiest write there is (Open311, the portal and the desk all come through
it; benchmark B2). On PostgreSQL one statement takes the number, inserts the call and its
history, and commits on its own: one round trip where there were five (BEGIN, number, call,
history, COMMIT), and the number's row is locked for that statement only instead of until a
later COMMIT (under B8's load intakes were seen waiting on that lock). Numbers stay gap-free:
the statement succeeds or fails whole. On SQLite, or if `Call` gets its own `save()` or a
save receiver, the same rows are written one statement at a time in a transaction.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connection, transaction

from beatbook.calls.models import Call
from beatbook.core.actors import Actor
from beatbook.core.history import history_entries_new, history_record_many
from beatbook.core.models import AuditEntry
from beatbook.core.numbering import number_next, number_next_sql, number_year
from beatbook.core.sql import (
    insert,
    insert_params,
    insert_statement,
    inserted,
    plan_cached,
    saves_itself,
    table,
)

# What differs between an intake's history entries; the rest is the same for all of them
# (one actor, one request, one call: checked below), so the statement's text and its
# parameter count do not grow with the entries.
_HISTORY_EACH = ("at", "verb", "data")
_HISTORY_SAME = ("actor_id", "actor_label", "content_type_id", "source_ip", "outcome")
_AUDIT_FIELDS = {f.attname: f for f in AuditEntry._meta.concrete_fields}


@functools.cache
def _statement() -> str:
    quote = connection.ops.quote_name
    call = insert_statement(
        Call, 1, expressions={"number": "(SELECT number FROM n)"}, returning="id, number"
    )
    each = [_AUDIT_FIELDS[name] for name in _HISTORY_EACH]
    same = [_AUDIT_FIELDS[name] for name in _HISTORY_SAME]
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in each)
    names = ", ".join(quote(str(f.column)) for f in [*each, *same])
    values = ", ".join([*(f"e.{f.column}" for f in each), *(["%s"] * len(same))])
    history = (
        f"INSERT INTO {table(AuditEntry)} ({names}, object_id, object_label) "  # noqa: S608
        f"SELECT {values}, c.id::text, c.number FROM c, unnest({arrays}) WITH ORDINALITY "
        f"AS e({', '.join(str(f.column) for f in each)}, i) ORDER BY e.i RETURNING id"
    )
    # Under 50 parameters psycopg keeps its conversion of the text (about 0.1 ms a run).
    return plan_cached(
        f"WITH n AS ({number_next_sql()}), c AS ({call}), h AS ({history}) "  # noqa: S608
        "SELECT c.id, c.number, ARRAY(SELECT id FROM h ORDER BY id) FROM c"
    )


def _history_params(entries: list[AuditEntry]) -> list[Any]:
    def value(entry: AuditEntry, name: str) -> Any:
        field = _AUDIT_FIELDS[name]
        return field.get_db_prep_save(field.pre_save(entry, True), connection)

    same = [[value(entry, name) for name in _HISTORY_SAME] for entry in entries]
    if any(row != same[0] for row in same):
        raise ValueError(f"An intake's history entries differ in {_HISTORY_SAME}: {same}")
    # In the order of the statement's text: the shared values, then one array per column.
    return [*same[0], *([value(e, name) for e in entries] for name in _HISTORY_EACH)]


def call_write(
    *, call: Call, actor: Actor, history: list[tuple[str, dict[str, Any]]], prefix: str = "CFS"
) -> None:
    """Number and write the new `call` with its `history` (verb, data), all or nothing."""
    if connection.vendor != "postgresql" or saves_itself(Call):
        with transaction.atomic():
            call.number = number_next(prefix=prefix, at=call.received_at)
            insert([call], as_save=True)
            history_record_many(obj=call, actor=actor, entries=history)
        return
    entries = history_entries_new(model=Call, actor=actor, entries=history)
    params = [
        prefix,
        number_year(call.received_at),
        *insert_params([call], skip={"number"}),
        *_history_params(entries),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_statement(), params)
        pk, number, keys = cursor.fetchone()
    call.number = number
    inserted(call, pk)
    for entry, key in zip(entries, keys, strict=True):
        entry.object_id, entry.object_label = str(pk), number
        inserted(entry, key)
