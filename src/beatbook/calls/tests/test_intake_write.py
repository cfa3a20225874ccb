"""The intake's write (calls.intake_write): one statement on PostgreSQL, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beatbook.calls.intake_write import call_write
from beatbook.calls.models import Call
from beatbook.calls.tests.factories import call_type, intake
from beatbook.core.history import history_for
from beatbook.core.models import AuditEntry, NumberSequence
from beatbook.core.numbering import number_format, number_next_sql, number_year
from beatbook.core.testing import INSIDE_A1

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement write is PostgreSQL's"
)


def _unsaved_call(**fields: Any) -> Call:
    kind = call_type("NOISE")
    now = timezone.now()
    values: dict[str, Any] = {
        "call_type": kind,
        "source": "phone",
        "status": "queued",
        "priority": kind.priority,
        "description": "Loud music",
        "lat": INSIDE_A1[0],
        "lon": INSIDE_A1[1],
        "received_at": now,
        "queued_at": now,
        "public_token": f"t-{now.timestamp()}",
        **fields,
    }
    return Call(**values)


def test_the_call_its_number_and_history_are_written_together(agency: dict[str, Any]) -> None:
    before = NumberSequence.objects.filter(prefix="CFS").first()
    call = _unsaved_call(beat=agency["a1"])
    call_write(
        call=call, actor=agency["dispatcher"], history=[("received", {"a": 1}), ("queued", {})]
    )
    stored = Call.objects.get(pk=call.pk)
    assert stored.number == call.number
    year = number_year(call.received_at)
    last = NumberSequence.objects.get(prefix="CFS", year=year).last
    assert call.number == number_format(prefix="CFS", year=year, value=last)
    assert last == (before.last + 1 if before else 1)
    entries = list(history_for(stored))
    assert [(e.verb, e.data) for e in entries] == [("received", {"a": 1}), ("queued", {})]
    assert {(e.object_id, e.object_label) for e in entries} == {(str(call.pk), call.number)}
    assert all(e.actor == agency["dispatcher"] for e in entries)
    assert str(stored) == stored.number  # the statement labels the history with the number


def test_a_refused_call_takes_no_number_and_leaves_no_history(agency: dict[str, Any]) -> None:
    intake(agency["dispatcher"])  # the year's number row exists
    year = number_year()
    last = NumberSequence.objects.get(prefix="CFS", year=year).last
    entries = AuditEntry.objects.count()
    bad = _unsaved_call(beat=agency["a1"], priority=9)  # refused by a check constraint
    with pytest.raises(IntegrityError), transaction.atomic():
        call_write(call=bad, actor=agency["dispatcher"], history=[("received", {})])
    assert NumberSequence.objects.get(prefix="CFS", year=year).last == last
    assert AuditEntry.objects.count() == entries
    assert not Call.objects.filter(description="Loud music", priority=9).exists()
    assert intake(agency["dispatcher"]).number == number_format(
        prefix="CFS", year=year, value=last + 1
    )  # no gap


@postgresql_only
def test_an_intake_is_one_statement_outside_any_transaction(agency: dict[str, Any]) -> None:
    intake(agency["dispatcher"])
    with CaptureQueriesContext(connection) as queries:
        call = intake(agency["dispatcher"])
    writes = [q["sql"] for q in queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1, writes
    assert writes[0].startswith("WITH n AS (INSERT INTO")
    assert "SAVEPOINT" not in " ".join(q["sql"] for q in queries)
    assert [e.verb for e in history_for(call)] == [
        "received",
        "linked as possible duplicate",
        "queued",
    ]


@postgresql_only
@pytest.mark.parametrize("last", [0, 41, 999_998, 999_999, 1_234_566])
def test_the_database_formats_numbers_as_python_does(last: int) -> None:
    NumberSequence.objects.update_or_create(prefix="TST", year=2031, defaults={"last": last})
    with connection.cursor() as cursor:
        cursor.execute(number_next_sql(), ["TST", 2031])
        (number,) = cursor.fetchone()
    assert number == number_format(prefix="TST", year=2031, value=last + 1)


@postgresql_only
def test_the_first_number_of_a_year_creates_its_row() -> None:
    with connection.cursor() as cursor:
        cursor.execute(number_next_sql(), ["TST", 2032])
        (number,) = cursor.fetchone()
    assert number == "TST-2032-000001"
    assert NumberSequence.objects.get(prefix="TST", year=2032).last == 1


def test_three_entries_keep_their_order_and_data(agency: dict[str, Any]) -> None:
    call = _unsaved_call(beat=agency["a1"])
    history = [("received", {"b": [1, 2]}), ("linked as possible duplicate", {"of": "X"})]
    call_write(call=call, actor=agency["dispatcher"], history=[*history, ("queued", {})])
    entries = list(history_for(call))
    assert [(e.verb, e.data) for e in entries] == [*history, ("queued", {})]
    assert [e.pk for e in entries] == sorted(e.pk for e in entries)


@postgresql_only
def test_entries_that_differ_in_what_they_share_are_refused(agency: dict[str, Any]) -> None:
    from beatbook.calls.intake_write import _history_params
    from beatbook.core.history import history_entries_new

    entries = history_entries_new(
        model=Call, actor=agency["dispatcher"], entries=[("received", {}), ("queued", {})]
    )
    entries[1].actor_label = "someone else"
    with pytest.raises(ValueError, match="differ"):
        _history_params(entries)
