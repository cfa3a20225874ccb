"""Writing an import's batches on more than one connection at once (PostgreSQL only).

The server's share of a batch (parsing the CSV, one entry per row in every index, the foreign
keys checked at commit) is most of an import's time, and one COPY keeps one server core
busy. Two batches written side by side on two connections took 5.9 s where one stream took
10.3 s for the same 200,000 rows on a 2-core machine (three streams: 6.5 s). Each batch is
still its own transaction, so an interruption still leaves whole batches only."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

import polars as pl
from django.conf import settings
from django.db import connection, transaction

from beatbook.calls.importing.writing import Written, frame_upsert, frame_write

Tag = TypeVar("Tag")


def writers_available() -> int:
    """How many connections may write at once: 1 inside a transaction (other connections
    would not see its rows: the tests) and on SQLite (one writer at a time)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(settings.BEATBOOK_IMPORT_WRITERS))


def _write(records: pl.DataFrame, *, fresh: bool, update: bool) -> Written:
    with transaction.atomic():
        if update:
            return frame_upsert(records)
        return Written(frame_write(records, fresh=fresh))


def _write_on_own_connection(records: pl.DataFrame, fresh: bool, update: bool) -> Written:
    try:
        return _write(records, fresh=fresh, update=update)
    finally:
        connection.close()  # this thread's own, closed with each batch: none is left open


class BatchWriters(Generic[Tag]):
    """`submit` a batch with a tag; batches come back as (tag, rows new and updated) in the
    order they were submitted, once written. With one writer, each batch is written before
    `submit` returns, on the caller's own connection. `update`: rows already there are
    updated where they differ instead of skipped."""

    def __init__(self, writers: int, *, fresh: bool, update: bool = False) -> None:
        self.fresh = fresh and not update
        self.update = update
        self.writers = writers
        self.pool = ThreadPoolExecutor(writers, "import-writer") if writers > 1 else None
        self.pending: deque[tuple[Tag, Future[Written]]] = deque()

    def submit(self, tag: Tag, records: pl.DataFrame) -> list[tuple[Tag, Written]]:
        if self.pool is None:
            return [(tag, _write(records, fresh=self.fresh, update=self.update))]
        write = self.pool.submit(_write_on_own_connection, records, self.fresh, self.update)
        self.pending.append((tag, write))
        done = []
        while len(self.pending) > self.writers:  # one batch waiting while the others write
            done.append(self._oldest())
        return done

    def finish(self) -> list[tuple[Tag, Written]]:
        """The batches still being written, once written; the writers' threads then end."""
        done = [self._oldest() for _ in range(len(self.pending))]
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        return done

    def _oldest(self) -> tuple[Tag, Written]:
        tag, future = self.pending.popleft()
        return tag, future.result()

    def close(self) -> list[tuple[Tag, Written]]:
        """After a failure or an interruption: waits for the batches already being written
        (no thread writes after this) and returns those that were written."""
        if self.pool is None:
            return []
        self.pool.shutdown(wait=True, cancel_futures=True)
        pending, self.pending = self.pending, deque()
        return [
            (tag, future.result())
            for tag, future in pending
            if not future.cancelled() and future.exception() is None
        ]
