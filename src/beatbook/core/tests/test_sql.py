"""The hand-written SQL of the intake path (core.sql): same rows as the ORM would write."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from beatbook.core.models import AuditEntry
from beatbook.core.sql import columns, fetch_instances, insert, plan_cached, table
from beatbook.open311.models import Open311Client

pytestmark = pytest.mark.django_db


def test_insert_writes_the_rows_in_one_statement_and_gives_them_their_keys() -> None:
    apps = [Open311Client(name="City app"), Open311Client(name="Vendor", contact_email="v@x.org")]
    with CaptureQueriesContext(connection) as queries:
        insert(apps)
    assert len(queries) == 1
    written = Open311Client.objects.filter(name__in=["City app", "Vendor"])
    assert sorted(written.values_list("pk", flat=True)) == sorted(a.pk for a in apps)
    assert not apps[0]._state.adding
    stored = Open311Client.objects.get(pk=apps[1].pk)
    assert (stored.name, stored.contact_email, stored.is_active) == ("Vendor", "v@x.org", True)
    # auto_now_add was filled in on the object, as save() does, and that value was written
    assert apps[1].created_at is not None
    assert stored.created_at == apps[1].created_at


def test_insert_converts_each_value_as_the_orm_does() -> None:
    at = dt.datetime(2026, 3, 8, 9, 30, 15, 123456, tzinfo=dt.UTC)
    entry = AuditEntry(
        at=at,
        actor_label="open311 client City app",
        verb="received",
        data={"source": "open311", "beats": ["A1", "B2"], "n": 2},
        source_ip="203.0.113.9",
        outcome="success",
    )
    insert([entry])
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.at == at
    assert stored.data == {"source": "open311", "beats": ["A1", "B2"], "n": 2}
    assert stored.source_ip == "203.0.113.9"


def test_insert_as_save_leaves_the_write_to_the_orm_when_a_receiver_listens() -> None:
    seen: list[tuple[str, bool]] = []

    def receiver(sender: type, instance: Open311Client, created: bool, **kwargs: Any) -> None:
        seen.append((instance.name, created))

    insert([Open311Client(name="Quiet")], as_save=True)
    assert seen == []
    post_save.connect(receiver, sender=Open311Client)
    try:
        insert([Open311Client(name="Heard")], as_save=True)
        insert([Open311Client(name="Bulk")])  # bulk_create's rule: no signals
    finally:
        post_save.disconnect(receiver, sender=Open311Client)
    assert seen == [("Heard", True)]
    assert Open311Client.objects.filter(name__in=["Quiet", "Heard", "Bulk"]).count() == 3


def test_fetch_instances_loads_the_selected_fields_and_defers_the_rest() -> None:
    app = Open311Client.objects.create(name="City app", contact_email="c@x.org")
    sql = (
        f"SELECT {columns(Open311Client, ['id', 'name'])} FROM {table(Open311Client)} WHERE id = %s"  # noqa: S608, E501
    )
    (found,) = fetch_instances(Open311Client, ["id", "name"], sql, [app.pk])
    assert (found.pk, found.name) == (app.pk, "City app")
    assert found.get_deferred_fields() >= {"contact_email", "key_hash", "created_at"}
    with CaptureQueriesContext(connection) as queries:
        assert found.contact_email == "c@x.org"  # a deferred field loads on first read
    assert len(queries) == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_only_marked_statements_are_prepared_and_they_keep_a_generic_plan() -> None:
    """core.sql.plan_cached: a marked statement is prepared and, after PostgreSQL's five
    custom plans, runs on the plan it keeps; any other statement, however often it runs, is
    sent unprepared and planned for its own values (a generic plan slowed the Open311 list)."""
    marked = plan_cached(
        f"SELECT {columns(Open311Client, ['id'])} FROM {table(Open311Client)} "  # noqa: S608
        "WHERE name = %s AND key_prefix = %s"
    )
    unmarked = (
        f"SELECT {columns(Open311Client, ['id'])} FROM {table(Open311Client)} "  # noqa: S608
        "WHERE key_prefix = %s AND name = %s"
    )
    for _ in range(8):
        fetch_instances(Open311Client, ["id"], marked, ["nobody", "x"])
        fetch_instances(Open311Client, ["id"], unmarked, ["x", "nobody"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s OR statement LIKE %s",
            ["%WHERE name = $1 AND key_prefix = $2", "%WHERE key_prefix = $1 AND name = $2"],
        )
        prepared = cursor.fetchall()
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "auto"
    assert [row[0] for row in prepared] == [marked.replace("%s", "$1", 1).replace("%s", "$2")]
    assert prepared[0][1:] == (3, 5), prepared  # five custom plans, then the kept one


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_with_preparing_off_not_even_marked_statements_are_prepared() -> None:
    """DATABASE_PREPARE_THRESHOLD=0 (PgBouncer before 1.21 in transaction mode)."""
    marked = plan_cached(
        f"SELECT {columns(Open311Client, ['id'])} FROM {table(Open311Client)} "  # noqa: S608
        "WHERE name = %s AND key_prefix <> %s"
    )
    connection.ensure_connection()
    driver = connection.connection
    threshold, driver.prepare_threshold = driver.prepare_threshold, None
    try:
        for _ in range(7):
            fetch_instances(Open311Client, ["id"], marked, ["nobody", "x"])
    finally:
        driver.prepare_threshold = threshold
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%key_prefix <>%"],
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="JIT is PostgreSQL's")
def test_the_connection_runs_without_jit_unless_asked() -> None:
    """JIT's compiling took 100-220 ms of dashboard statements that run for about a second."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    code = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('SHOW jit'); print(cursor.fetchone()[0])"
    )
    for value, expected in (("true", "on"), ("false", "off")):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "beatbook.config.settings"}
        env["DATABASE_JIT"] = value
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[-1] == expected
