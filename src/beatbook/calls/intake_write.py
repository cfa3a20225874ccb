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
from beatbook.core.sql import insert, insert_params, insert_statement, inserted, saves_itself

# The history entries name the call by its key and by str(call), which is its number.
_FROM_CALL = {"object_id": "(SELECT id::text FROM c)", "object_label": "(SELECT number FROM c)"}


@functools.cache
def _statement(entries: int) -> str:
    call = insert_statement(
        Call, 1, expressions={"number": "(SELECT number FROM n)"}, returning="id, number"
    )
    history = insert_statement(AuditEntry, entries, expressions=_FROM_CALL)
    return (
        f"WITH n AS ({number_next_sql()}), c AS ({call}), h AS ({history}) "  # noqa: S608
        "SELECT c.id, c.number, ARRAY(SELECT id FROM h ORDER BY id) FROM c"
    )


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
        *insert_params(entries, skip=_FROM_CALL.keys()),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_statement(len(entries)), params)
        pk, number, keys = cursor.fetchone()
    call.number = number
    inserted(call, pk)
    for entry, key in zip(entries, keys, strict=True):
        entry.object_id, entry.object_label = str(pk), number
        inserted(entry, key)
