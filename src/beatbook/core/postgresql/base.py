"""Django's PostgreSQL backend, with a connection health check that sends no query.

With CONN_HEALTH_CHECKS (R43) Django asks `is_usable()` once per request before reusing a
connection, and its answer is a `SELECT 1`: a round trip on every request, a twelfth of an
Open311 create (benchmark B2). A connection between requests is idle and has nothing to
read, unless the server has hung up on it (a restart, `pg_terminate_backend`, an idle
timeout), which it does by sending its FATAL message and closing the socket. So: a socket
with nothing to read is usable; one with something to read gets Django's own `SELECT 1`,
which fails on a closed connection and makes Django connect again.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
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
