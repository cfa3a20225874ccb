"""Django's PostgreSQL backend, with a connection health check that sends no query and
prepared statements only for the statements marked `core.sql.plan_cached`.

With CONN_HEALTH_CHECKS (R43) Django asks `is_usable()` once per request before reusing a
connection, and its answer is a `SELECT 1`: a round trip on every request, a twelfth of an
Open311 create (benchmark B2). A connection between requests is idle and has nothing to
read, unless the server has hung up on it (a restart, `pg_terminate_backend`, an idle
timeout), which it does by sending its FATAL message and closing the socket. So: a socket
with nothing to read is usable; one with something to read gets Django's own `SELECT 1`,
which fails on a closed connection and makes Django connect again.

Timestamps are read by psycopg's compiled loader: Django registers its own (to set the
time zone), which derives from psycopg's pure-Python one, and that parsed every
`timestamptz` in Python, about twice as slow (Django ticket #36960; psycopg #1273).
"""

from __future__ import annotations

import datetime as dt
import functools
import select
from typing import Any

from django.db.backends.postgresql import base
from psycopg import adapt, pq
from psycopg import adapters as psycopg_adapters
from psycopg.types.datetime import TimestamptzLoader

from beatbook.core.sql import PLAN_CACHED


class PlanCachingCursor(base.ServerBindingCursor):  # type: ignore[misc]
    """Prepares the statements marked `plan_cached` and no other.

    psycopg would prepare any statement run five times (`prepare_threshold`), and PostgreSQL
    would then switch it to a generic plan whenever that looks no dearer; for a query whose
    best plan depends on its values (the Open311 list's window, a dashboard's range) that
    guess was five times slower. Unprepared statements are planned for their values on every
    run. With `prepare_threshold` off (DATABASE_PREPARE_THRESHOLD=0) nothing is prepared."""

    def execute(
        self,
        query: Any,
        params: Any = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> Any:
        if prepare is None:
            prepare = isinstance(query, str) and query in PLAN_CACHED
        return super().execute(query, params, prepare=prepare, binary=binary)  # type: ignore[misc]


TIMESTAMPTZ = psycopg_adapters.types["timestamptz"].oid
# psycopg's own map holds the compiled loader when psycopg[binary] (or [c]) is installed,
# the Python one otherwise; public API, unlike the private `_get_optimised`.
PARSER = psycopg_adapters.get_loader(TIMESTAMPTZ, pq.Format.TEXT)


class CompiledTzLoader(TimestamptzLoader):
    """Django's `BaseTzLoader` (the time zone replaced, as Django's own does) over the
    compiled parser. A subclass of psycopg's loader, with the `timezone` attribute Django's
    `create_cursor` compares, so Django keeps it instead of registering its own."""

    timezone: dt.tzinfo | None = None

    def __init__(self, oid: int, context: Any = None):
        super().__init__(oid, context)
        self._parse = PARSER(oid, context).load  # type: ignore[misc]

    def load(self, data: Any) -> dt.datetime:
        parsed: dt.datetime = self._parse(data)
        return parsed.replace(tzinfo=self.timezone)


@functools.cache
def adapters_with_compiled_tz(template: adapt.AdaptersMap, tz: dt.tzinfo | None) -> Any:
    """Django's adapters template (one per time zone, cached as Django caches it) with the
    timestamp loader above."""
    adapters = adapt.AdaptersMap(template)
    loader = type(
        "SpecificCompiledTzLoader", (CompiledTzLoader,), {"timezone": tz, "__module__": __name__}
    )
    adapters.register_loader("timestamptz", loader)
    return adapters


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if params.get("cursor_factory") is base.ServerBindingCursor:
            params["cursor_factory"] = PlanCachingCursor
        if "context" in params:
            params["context"] = adapters_with_compiled_tz(params["context"], self.timezone)
        return params

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if not hasattr(select, "poll") or (
            connection.info.transaction_status != pq.TransactionStatus.IDLE
        ):  # Windows has no poll(); inside a transaction, ask the server
            return bool(super().is_usable())
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return not poller.poll(0) or bool(super().is_usable())
