"""The PostgreSQL backend's health check (core/postgresql): no query for a healthy idle
connection, a reconnect after the server hung up (R43)."""

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
