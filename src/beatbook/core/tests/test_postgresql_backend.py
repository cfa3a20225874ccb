"""The PostgreSQL backend (core/postgresql): its health check sends no query for a healthy idle
connection and reconnects after the server hung up (R43); timestamps are parsed by
psycopg's compiled loader, to the same values as Django's own."""

from __future__ import annotations

import select
import time
from typing import Any
from unittest import mock

import psycopg
import pytest
from django.db import connection, connections

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL backend's own health check"
)


def _terminate_this_backend() -> None:
    """Another session ends ours, as a restart or an administrator would, and we wait
    until the server's goodbye has reached our socket."""
    raw = connection.connection
    pid = raw.info.backend_pid
    with psycopg.connect(raw.info.dsn, password=raw.info.password, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()
    poller.register(raw.fileno(), select.POLLIN)
    deadline = time.monotonic() + 5
    while not poller.poll(50) and time.monotonic() < deadline:
        pass


def test_a_healthy_idle_connection_is_usable_without_a_query(transactional_db: Any) -> None:
    connection.ensure_connection()
    assert type(connections["default"]).__module__ == "beatbook.core.postgresql.base"
    with mock.patch.object(
        connection.connection, "cursor", side_effect=AssertionError("a query was sent")
    ):
        assert connection.is_usable()


def test_a_connection_the_server_ended_is_not_usable(transactional_db: Any) -> None:
    connection.ensure_connection()
    _terminate_this_backend()
    assert not connection.is_usable()
    connection.close()


def test_the_next_request_after_the_server_ended_the_connection_succeeds(
    transactional_db: Any, client: Any
) -> None:
    """What CONN_HEALTH_CHECKS is for (R43): the request after a restart is served."""
    connection.ensure_connection()
    old_pid = connection.connection.info.backend_pid
    _terminate_this_backend()
    # What request_started does in a server (the test client leaves it out).
    assert connection.health_check_enabled
    connection.health_check_done = False
    response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    assert connection.connection.info.backend_pid != old_pid


def test_a_connection_inside_a_transaction_is_checked_by_a_query(db: Any) -> None:
    """Inside a transaction the socket test proves nothing, so Django's SELECT 1 runs."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the test's transaction has begun
    with mock.patch.object(
        connection.connection, "cursor", side_effect=psycopg.OperationalError("gone")
    ):
        assert not connection.is_usable()


TIMESTAMPS = """
SELECT v::timestamptz FROM unnest(ARRAY[
    '2026-03-08 01:59:59.999999-08', '2026-03-08 03:00:00-07', '2026-11-01 01:30:00-07',
    '2026-11-01 01:30:00-08', '0001-01-01 00:00:00+00', '9999-12-31 23:59:59.5+00',
    '1969-12-31 23:59:59.000001+05:30', '2026-12-07 12:00:00+14'
]) AS v
"""


def test_timestamps_load_through_the_compiled_parser_to_djangos_values(db: Any) -> None:
    """The compiled loader must give what Django's own (pure-Python) loader gives: the
    same instants, in the connection's time zone, microseconds and odd offsets kept."""
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.types.datetime import TimestamptzLoader

    from beatbook.core.postgresql.base import PARSER, TIMESTAMPTZ, CompiledTzLoader

    assert PARSER is not TimestamptzLoader, "psycopg's compiled build (psycopg[binary])"
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ, psycopg.pq.Format.TEXT)
        assert issubclass(loader, CompiledTzLoader)
        assert loader.timezone == connection.timezone
        ours = [row[0] for row in cursor.execute(TIMESTAMPS).fetchall()]
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own, on this cursor
        djangos = [row[0] for row in cursor.execute(TIMESTAMPS).fetchall()]
    assert ours == djangos
    assert [v.tzinfo for v in ours] == [v.tzinfo for v in djangos]
    assert ours[5].microsecond == 500_000
    assert ours[6].isoformat() == "1969-12-31T18:29:59.000001+00:00"
