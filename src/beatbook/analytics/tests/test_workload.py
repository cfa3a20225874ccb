"""Workload and balance against hours worked out by hand (times in the agency's zone)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from beatbook.analytics import intervals as iv
from beatbook.analytics.scope import Scope
from beatbook.analytics.tests.programme import at, closed_call, patrol, report
from beatbook.analytics.workload import teams, workload
from beatbook.roster.models import Shift

pytestmark = pytest.mark.django_db
DAY = Scope(dt.date(2026, 3, 2), dt.date(2026, 3, 2))


@pytest.fixture
def day(agency: dict[str, Any]) -> dict[str, Any]:
    cso, other, a1 = agency["cso"], agency["cso_north_2"], agency["a1"]
    unit, other_unit = agency["cso_unit"], agency["cso_north_2_unit"]
    for user in (cso, other):
        Shift.objects.create(user=user, starts_at=at(2, 8), ends_at=at(2, 18))
    # Two overlapping calls: 09:00–10:30 is 1.5 h, not 2 h.
    closed_call(beat=a1, received=at(2, 8, 50), unit=unit, dispatched=at(2, 9), closed=at(2, 10))
    first = closed_call(
        beat=a1, received=at(2, 9, 20), unit=unit, dispatched=at(2, 9, 30), closed=at(2, 10, 30)
    )
    # A report opened on the call: only 10:30–11:00 is report time.
    report(author=cso, opened=at(2, 10, 15), submitted=at(2, 11), call=first)
    # A draft never submitted counts 90 minutes at most (13:00–14:30).
    report(author=cso, opened=at(2, 13), submitted=None)
    # Patrols: 10:45–12:45 loses 10:45–11:00 to the report; 14:00–15:00 loses 14:00–14:30.
    patrol(unit=unit, beat=a1, started=at(2, 10, 45), ended=at(2, 12, 45))
    patrol(unit=unit, beat=a1, started=at(2, 14), ended=at(2, 15))
    # Overtime: a call after the shift.
    closed_call(
        code="PARKING",
        beat=a1,
        received=at(2, 18, 20),
        unit=unit,
        dispatched=at(2, 18, 30),
        closed=at(2, 19),
    )
    closed_call(
        beat=a1, received=at(2, 11, 50), unit=other_unit, dispatched=at(2, 12), closed=at(2, 13)
    )
    return agency


def test_hours_are_counted_once_in_order_calls_reports_patrol(day: dict[str, Any]) -> None:
    cso = next(r for r in workload(DAY) if r.user_id == day["cso"].pk)
    assert (cso.shifts, cso.shift_hours) == (1, 10.0)
    assert (cso.calls, cso.call_hours) == (3, 2.0)
    assert (cso.reports, cso.report_hours) == (2, 2.0)
    assert (cso.patrols, cso.patrol_hours) == (2, 2.25)
    # Worked 09:00–12:45 and 13:00–15:00 on shift (5.75 h) of 10 h; 18:30–19:00 off shift.
    assert cso.other_hours == pytest.approx(4.25)
    assert cso.off_shift_hours == pytest.approx(0.5)
    assert cso.load == pytest.approx(0.2)


def test_balance_compares_each_cso_with_the_team_mean(day: dict[str, Any]) -> None:
    rows = workload(DAY)
    busy, light = rows  # busiest first
    assert (busy.user_id, light.user_id) == (day["cso"].pk, day["cso_north_2"].pk)
    assert light.load == pytest.approx(0.1)
    assert busy.load_vs_team == pytest.approx(0.2 / 0.15)
    assert (busy.flag, light.flag) == ("above team", "below team")
    (north,) = teams(rows)
    assert north.name == "North"
    assert north.spread == pytest.approx(0.05 / 0.15)
    assert north.calls == 4


def test_filters_narrow_the_work_and_drop_shift_time(day: dict[str, Any]) -> None:
    parking_only = Scope(DAY.start, DAY.end, call_type_ids=(_parking(),))
    (row,) = workload(parking_only)
    assert (row.calls, row.call_hours, row.patrol_hours, row.shift_hours) == (1, 0.5, 0, 0)
    assert row.load is None
    south = Scope(DAY.start, DAY.end, team_id=day["south"].pk)
    assert workload(south) == []


def _parking() -> int:
    from beatbook.calls.models import CallType

    return CallType.objects.get(code="PARKING").pk


def test_page_and_csv(day: dict[str, Any], client_for: Any) -> None:
    supervisor = client_for("supervisor")
    page = supervisor.get("/analytics/workload/?start=2026-03-02&end=2026-03-02").content.decode()
    assert "Cso Tester" in page
    assert "above team" in page
    assert "<svg" in page
    response = supervisor.get("/analytics/export/workload.csv?start=2026-03-02&end=2026-03-02")
    text = b"".join(response.streaming_content).decode()
    first, second = csv.DictReader(io.StringIO(text))
    # The two CSOs share a name, so each carries their username.
    cso, other = day["cso"].username, day["cso_north_2"].username
    assert (first["cso"], first["team"], first["calls"]) == (f"Cso Tester ({cso})", "North", "3")
    assert second["cso"] == f"Cso Tester ({other})"
    assert (first["call_hours"], first["other_hours"], first["load_vs_team_mean"]) == (
        "2.00",
        "4.25",
        "1.333",
    )
    assert second["call_hours"] == "1.00"
    response = supervisor.get(
        "/analytics/export/workload-teams.csv?start=2026-03-02&end=2026-03-02"
    )
    (north,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert (north["team"], north["csos"], north["calls"], north["call_hours"]) == (
        "North",
        "2",
        f"{int(first['calls']) + int(second['calls'])}",
        "3.00",
    )
    # Loads 4/3 and 2/3 of the team's mean (load_vs_team above): spread 1/3.
    assert north["load_spread"] == "0.333"


def test_field_and_desk_roles_are_refused(client_for: Any) -> None:
    for role in ("cso", "dispatcher"):
        assert client_for(role).get("/analytics/workload/").status_code == 403
        for figure in ("workload", "workload-teams"):
            assert client_for(role).get(f"/analytics/export/{figure}.csv").status_code == 403


def test_interval_arithmetic() -> None:
    a, b, c, d = at(1, 9), at(1, 10), at(1, 11), at(1, 12)
    assert iv.union([(c, d), (a, b), (b, c)]) == [(a, d)]
    assert iv.subtract([(a, d)], [(b, c)]) == [(a, b), (c, d)]
    assert iv.subtract([(a, b), (c, d)], [(a, d)]) == []
    assert iv.intersect([(a, c)], [(b, d)]) == [(b, c)]
    assert iv.clip([(a, d)], b, c) == [(b, c)]
    assert iv.hours([(a, b), (c, d)]) == 2.0


def test_a_name_is_shown_alone_when_no_one_else_has_it(day: dict[str, Any]) -> None:
    """Names are told apart among all the agency's CSOs, so a name does not change with
    the selection."""
    from beatbook.accounts.models import User

    for n, user in enumerate(User.objects.exclude(pk=day["cso"].pk).order_by("pk")):
        user.first_name = "Ana" if user == day["cso_north_2"] else f"Other{n}"
        user.save()
    names = {r.user_id: r.name for r in workload(DAY)}
    assert names[day["cso"].pk] == "Cso Tester"
    assert names[day["cso_north_2"].pk] == "Ana Tester"
