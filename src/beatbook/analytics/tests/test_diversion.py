"""Diversion figures against counts worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from typing import Any

import pytest

from beatbook.analytics.diversion import cost_texts, diversion, escalation_reason
from beatbook.analytics.report import monthly_report
from beatbook.analytics.scope import Scope
from beatbook.analytics.tests.programme import at, closed_call
from beatbook.calls.choices import CallStatus
from beatbook.calls.models import CallType

pytestmark = pytest.mark.django_db
MARCH = Scope(dt.date(2026, 3, 2), dt.date(2026, 3, 15))


@pytest.fixture
def calls(agency: dict[str, Any]) -> dict[str, Any]:
    CallType.objects.filter(code="NOISE").update(sworn_minutes=30)  # PARKING keeps the default
    a1, b1, unit = agency["a1"], agency["b1"], agency["cso_unit"]
    for day in (2, 3, 10):  # 40 minutes of a CSO's time each, dispatch to close
        closed_call(
            beat=a1,
            received=at(day, 14),
            unit=unit,
            dispatched=at(day, 14, 5),
            closed=at(day, 14, 45),
        )
    closed_call(
        code="PARKING", beat=b1, received=at(4, 9), status=CallStatus.REFERRED
    )  # referred to traffic enforcement: still no sworn officer
    escalated = {"status": CallStatus.ESCALATED, "beat": a1}
    closed_call(**escalated, received=at(5, 20), triage_reasons=["weapon"], escalation_reason="x")
    closed_call(
        **escalated,
        received=at(11, 21),
        on_scene=at(11, 21, 20),
        escalation_reason="Subject became aggressive.",
    )
    closed_call(
        **escalated,
        received=at(12, 22),
        on_scene=at(12, 22, 15),
        escalation_reason="  subject became   AGGRESSIVE ",
    )
    closed_call(code="DISORD", **escalated, received=at(13, 1), escalation_reason="sworn only")
    closed_call(beat=a1, received=at(20, 10), unit=unit)  # outside the range
    closed_call(beat=a1, received=at(6, 10), status=CallStatus.CANCELLED)  # not closed work
    return agency


def test_calls_handled_and_sworn_hours_saved(calls: dict[str, Any]) -> None:
    result = diversion(MARCH)
    assert (result.calls, result.handled, result.escalated) == (8, 4, 4)
    assert result.share == 0.5
    # 3 noise calls × 30 min + 1 parking call × the default 45 min
    assert result.sworn_hours_saved == pytest.approx(2.25)
    noise = next(t for t in result.by_type if t.label == "Noise complaint")
    assert (noise.calls, noise.handled, noise.escalated, noise.sworn_minutes) == (6, 3, 3, 30)
    # The CSOs' own time: 3 × 40 min on the noise calls; the referral was never dispatched,
    # and escalated calls are not the CSOs' saving to net.
    assert noise.cso_hours == pytest.approx(2.0)
    assert result.cso_hours == pytest.approx(2.0)
    assert result.cso_cost is None  # no hourly cost set


def test_escalations_grouped_by_why_and_when(calls: dict[str, Any]) -> None:
    by_reason = {
        e.reason: (e.calls, e.before_arrival, e.after_arrival) for e in diversion(MARCH).escalations
    }
    assert by_reason == {
        "Subject became aggressive": (2, 0, 2),
        "Flagged at intake: weapon": (1, 1, 0),
        "Sworn-only call type": (1, 1, 0),
    }
    assert escalation_reason([], "cso", "") == "No reason given"


def test_weeks_and_filters(calls: dict[str, Any]) -> None:
    weeks = diversion(MARCH).weeks
    assert [(w.start, w.handled, w.escalated) for w in weeks] == [
        (dt.date(2026, 3, 2), 3, 1),
        (dt.date(2026, 3, 9), 1, 3),
    ]
    only_b1 = diversion(Scope(MARCH.start, MARCH.end, beat_ids=(calls["b1"].pk,)))
    assert (only_b1.calls, only_b1.handled) == (1, 1)


def test_page_and_csvs(calls: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    query = "start=2026-03-02&end=2026-03-15"
    page = analyst.get(f"/analytics/diversion/?{query}").content.decode()
    assert '<p class="big" id="hours-saved">2</p>' in page
    assert "Flagged at intake: weapon" in page
    text = b"".join(
        analyst.get(f"/analytics/export/diversion-by-type.csv?{query}").streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0] == {
        "call_type": "Noise complaint",
        "calls": "6",
        "handled_by_cso": "3",
        "escalated": "3",
        "sworn_minutes_per_call": "30",
        "sworn_hours_saved": "1.50",
        "sworn_cost_avoided": "",  # no hourly cost set
        "cso_hours": "2.00",
        "cso_cost": "",
    }
    assert 'id="cost-avoided"' not in page
    assert '<p class="big" id="cso-hours">2</p>' in page
    assert 'id="net-saving"' not in page
    text = b"".join(
        analyst.get(f"/analytics/export/escalations.csv?{query}").streaming_content
    ).decode()
    assert text.splitlines()[1] == "Subject became aggressive,2,0,2"
    text = b"".join(
        analyst.get(f"/analytics/export/diversion-by-week.csv?{query}").streaming_content
    ).decode()
    assert text.splitlines() == [
        "week_start,handled_by_cso,escalated",
        "2026-03-02,3,1",
        "2026-03-09,1,3",
    ]


def test_the_sworn_time_saved_in_money_once_an_hourly_cost_is_set(
    calls: dict[str, Any], client_for: Any, settings: Any
) -> None:
    """2.25 sworn hours saved at 95 an hour: 213.75, shown in whole units; per type in the
    CSV to the cent (noise: 1.5 h, 142.50); in the monthly report too."""
    settings.BEATBOOK_SWORN_HOURLY_COST = 95.0
    settings.BEATBOOK_CURRENCY_SYMBOL = "$"
    analyst = client_for("analyst")
    query = "start=2026-03-02&end=2026-03-15"
    page = analyst.get(f"/analytics/diversion/?{query}").content.decode()
    assert '<p class="small" id="cost-avoided">$214 of sworn time, at $95 an hour</p>' in page
    text = b"".join(
        analyst.get(f"/analytics/export/diversion-by-type.csv?{query}").streaming_content
    ).decode()
    noise = next(
        r for r in csv.DictReader(io.StringIO(text)) if r["call_type"] == "Noise complaint"
    )
    assert noise["sworn_cost_avoided"] == "142.50"
    # The whole of March adds the noise call of the 20th: 2.75 h, 261.25.
    report = monthly_report(2026, 3)
    assert report["diversion"].sworn_hours_saved == pytest.approx(2.75)
    assert (report["cost_text"], report["hourly_cost_text"]) == ("$261", "$95")
    # Without a CSO's cost the page says what setting it would add.
    assert "Set a CSO's hourly cost (BEATBOOK_CSO_HOURLY_COST)" in page


def test_the_saving_net_of_the_csos_own_time_and_the_cost_per_call(
    calls: dict[str, Any], client_for: Any, settings: Any
) -> None:
    """Sworn: 2.25 h at 95 = 213.75. CSOs: 2 h at 40 = 80. Net 133.75; per handled call (4)
    53.44 of sworn time against 20.00 of CSO time."""
    settings.BEATBOOK_SWORN_HOURLY_COST = 95.0
    settings.BEATBOOK_CSO_HOURLY_COST = 40.0
    settings.BEATBOOK_CURRENCY_SYMBOL = "$"
    texts = cost_texts(diversion(MARCH))
    assert (texts["cso_cost_text"], texts["cso_hourly_cost_text"]) == ("$80", "$40")
    assert (texts["net_text"], texts["sworn_per_call_text"], texts["cso_per_call_text"]) == (
        "$134",
        "$53",
        "$20",
    )
    analyst = client_for("analyst")
    query = "start=2026-03-02&end=2026-03-15"
    page = analyst.get(f"/analytics/diversion/?{query}").content.decode()
    assert "$80 at $40 an hour." in page
    assert (
        '<p class="muted">Saved, net of CSO time</p><p class="big">$134</p>'
        '<p class="small">Per call handled: $20 of CSO time against $53 of sworn time.</p>'
    ) in page
    text = b"".join(
        analyst.get(f"/analytics/export/diversion-by-type.csv?{query}").streaming_content
    ).decode()
    noise = next(
        r for r in csv.DictReader(io.StringIO(text)) if r["call_type"] == "Noise complaint"
    )
    assert (noise["cso_hours"], noise["cso_cost"]) == ("2.00", "80.00")
    # A CSO dearer than the sworn time saved shows the loss as such.
    settings.BEATBOOK_CSO_HOURLY_COST = 150.0
    assert cost_texts(diversion(MARCH))["net_text"] == "−$86"
    # The monthly report carries the net too.
    settings.BEATBOOK_CSO_HOURLY_COST = 40.0
    report = monthly_report(2026, 3)
    # The whole of March: 261.25 of sworn time (above) less the same 80 (the call on the 20th
    # was never dispatched).
    assert report["net_text"] == "$181"


def test_field_and_desk_roles_are_refused(client_for: Any) -> None:
    for role in ("cso", "dispatcher"):
        assert client_for(role).get("/analytics/diversion/").status_code == 403
        for figure in ("escalations", "diversion-by-week"):
            assert client_for(role).get(f"/analytics/export/{figure}.csv").status_code == 403


@pytest.mark.parametrize("name", ["BEATBOOK_SWORN_HOURLY_COST", "BEATBOOK_CSO_HOURLY_COST"])
def test_an_hourly_cost_out_of_range_stops_the_start_with_its_name(name: str) -> None:
    env = {**os.environ, name: "-5", "DJANGO_SETTINGS_MODULE": "beatbook.config.settings"}
    started = subprocess.run(  # noqa: S603  (this interpreter, a fixed script)
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert f"{name} must be from 0 to 9999, got -5.0" in started.stderr
