"""`beatbook demo --scale N`: exactly N calls, the same ones every time, with a city's rhythm."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from beatbook.calls.importing.writing import table_rows_known
from beatbook.calls.models import CallRecord
from beatbook.calls.tests.factories import statistics_of_an_empty_table
from beatbook.demo.scale import SOURCE, scale_generate, scale_rows

pytestmark = pytest.mark.django_db


def test_n_calls_deterministic_and_a_rerun_adds_nothing(agency: dict[str, Any]) -> None:
    statistics_of_an_empty_table()
    assert scale_generate(3000) == 3000
    assert CallRecord.objects.filter(source=SOURCE).count() == 3000
    assert table_rows_known() == 3000  # the planner is told of the new city at once
    first = list(scale_rows(50))
    again = list(scale_rows(50))
    assert first == again
    assert scale_generate(3000) == 0


def test_the_rhythm_is_a_citys(agency: dict[str, Any]) -> None:
    rows = list(scale_rows(20_000))
    hours = Counter(timezone.localtime(r["received_at"]).hour for r in rows)
    assert hours[14] > 3 * hours[4]  # afternoons busy, small hours quiet
    weekdays = Counter(timezone.localtime(r["received_at"]).weekday() for r in rows)
    assert weekdays[5] > weekdays[0]  # Saturday busier than Monday
    assert all(r["response_seconds"] > 0 for r in rows)
    assert all(r["beat_id"] is not None and r["h3_cell"] for r in rows)
    by_priority = {
        p: sorted(r["response_seconds"] for r in rows if r["priority"] == p) for p in (1, 4)
    }
    median = {p: v[len(v) // 2] for p, v in by_priority.items() if v}
    assert median[1] < median[4]  # urgent calls reached sooner


def test_the_command_adds_the_city_to_an_existing_demo(
    agency: dict[str, Any], tmp_path: Any, capsys: Any, monkeypatch: Any
) -> None:
    from beatbook.core.management.commands import demo

    logins = tmp_path / "logins.json"
    login = {"username": "u", "password": "p", "totp_secret": "s", "name": "n"}
    logins.write_text(
        json.dumps({"cso": login, "tokens": {"dispatcher": "t"}, "keys": {"open311": "k"}})
    )
    monkeypatch.setattr(demo, "demo_exists", lambda: True)
    call_command("demo", "--scale", "1200", "--logins", str(logins))
    assert "1200 generated calls added (0 already there)." in capsys.readouterr().out
    call_command("demo", "--scale", "1200", "--logins", str(logins))
    assert "0 generated calls added (1200 already there)." in capsys.readouterr().out


def test_our_own_calls_are_counted_when_they_close(agency: dict[str, Any]) -> None:
    from beatbook.calls import services
    from beatbook.calls.records import call_records_backfill
    from beatbook.calls.tests.factories import intake

    call = intake(agency["dispatcher"], code="NOISE")
    assert not CallRecord.objects.filter(source="beatbook").exists()
    services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    services.call_en_route(actor=agency["cso"], call=call)
    services.call_on_scene(actor=agency["cso"], call=call)
    services.call_clear(actor=agency["cso"], call=call, disposition="advised")
    record = CallRecord.objects.get(source="beatbook", source_id=call.number)
    call.refresh_from_db()
    assert record.call_type_id == call.call_type_id
    assert record.disposition == "advised"
    assert record.beat_id == call.beat_id
    assert record.response_seconds == int((call.on_scene_at - call.received_at).total_seconds())
    assert call_records_backfill() == 0  # already there


def test_a_spring_forward_night_is_written(agency: dict[str, Any]) -> None:
    """The first day of the window is 10 March 2024, when Seattle's clocks skip 2:00–3:00.
    The seed draws calls in that hour, a local time that does not exist; writing them failed
    in polars (seen when B5's history began on that night) until the rows were made in UTC."""
    import datetime as dt

    from beatbook.calls.importing.writing import batch_write
    from beatbook.demo.scale import CALLS_PER_DAY

    rows = list(scale_rows(CALLS_PER_DAY * 2, end=dt.date(2024, 3, 12)))
    with transaction.atomic():
        assert batch_write(rows) == len(rows)
    assert CallRecord.objects.filter(source=SOURCE).count() == len(rows)
    assert all(r["received_at"].utcoffset() == dt.timedelta(0) for r in rows)
