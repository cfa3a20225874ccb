"""What CSOs could take of every call on record: figures against hand-computed values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from beatbook.analytics.potential import hours_spread, potential
from beatbook.analytics.report import monthly_report
from beatbook.analytics.scope import Scope
from beatbook.analytics.tests.programme import at
from beatbook.analytics.tests.test_monthly_report import pdf_text
from beatbook.calls.choices import Responder
from beatbook.calls.models import CallRecord, CallType
from beatbook.calls.records import SOURCE as OWN_SOURCE

pytestmark = pytest.mark.django_db
# Monday 2 March to Sunday 15 March: two of each weekday.
MARCH = Scope(dt.date(2026, 3, 2), dt.date(2026, 3, 15))
QUERY = "start=2026-03-02&end=2026-03-15"


def _record(n: int, received: dt.datetime, code: str | None, beat: Any, **kwargs: Any) -> Any:
    return CallRecord(
        source=kwargs.pop("source", "city"),
        source_id=str(n),
        received_at=received,
        call_type=CallType.objects.get(code=code) if code else None,
        original_code=code or "ALARM",
        beat=beat,
        **kwargs,
    )


@pytest.fixture
def history(agency: dict[str, Any]) -> dict[str, Any]:
    CallType.objects.filter(code="NOISE").update(sworn_minutes=30)  # measured instead
    a1, b1 = agency["a1"], agency["b1"]
    rows = [
        # 25 noise calls on Monday 2 March at 14:xx, 40 minutes from dispatch to clear each
        *(
            _record(
                n,
                at(2, 14, n),
                "NOISE",
                a1,
                dispatched_at=at(2, 14, n) + dt.timedelta(minutes=5),
                cleared_at=at(2, 14, n) + dt.timedelta(minutes=45),
            )
            for n in range(25)
        ),
        # and one the old CAD left open for ten hours: a call, but not its time
        _record(
            25,
            at(2, 14, 30),
            "NOISE",
            a1,
            dispatched_at=at(2, 14, 35),
            cleared_at=at(3, 0, 35),
        ),
        # parking: too few timed calls to measure, so the default 45 minutes each
        _record(26, at(3, 9), "PARKING", b1, dispatched_at=at(3, 9), cleared_at=at(3, 9, 5)),
        _record(27, at(10, 9, 30), "PARKING", b1),
        _record(28, at(7, 23, 10), "PARKING", b1),
        _record(29, at(4, 10), "PARKING", b1, source=OWN_SOURCE),  # the program's own
        *(_record(30 + n, at(5, 1 + n), "DISORD", b1) for n in range(4)),  # sworn only
        *(_record(40 + n, at(6, 12), None, a1) for n in range(2)),  # left out by the mapping
        _record(50, at(20, 14), "NOISE", a1),  # after the range
        # The program's own CSOs took 30 minutes a parking call, dispatch to close, in
        # April: how long CSOs take, whatever the dates chosen.
        *(
            _record(
                60 + n,
                at(n + 1, 10, month=4),
                "PARKING",
                b1,
                source=OWN_SOURCE,
                dispatched_at=at(n + 1, 10, month=4),
                cleared_at=at(n + 1, 10, 30, month=4),
            )
            for n in range(20)
        ),
    ]
    CallRecord.objects.bulk_create(rows)
    return agency


def test_calls_a_cso_may_take_and_the_time_they_take(history: dict[str, Any]) -> None:
    result = potential(MARCH)
    assert (result.mapped, result.eligible_calls, result.unmapped) == (34, 30, 2)
    assert result.imported == 35  # all but the program's own parking call
    assert result.share == pytest.approx(30 / 34)
    assert result.share_of_all == pytest.approx(30 / 36)
    by_label = {t.label: t for t in result.by_type}
    noise = by_label["Noise complaint"]
    assert (noise.calls, noise.timed, noise.minutes_from) == (26, 25, "dispatch to clear")
    assert noise.minutes_per_call == pytest.approx(40)
    parking = by_label["Parking complaint"]
    assert (parking.calls, parking.timed, parking.own_timed) == (4, 1, 20)
    assert parking.minutes_from == "the program's CSOs, dispatch to close"
    assert parking.minutes_per_call == pytest.approx(30)
    disturbance = by_label["Disturbance"]
    assert not disturbance.eligible
    assert (disturbance.minutes_from, disturbance.minutes_per_call) == ("sworn minutes", 45)
    # 26 × 40 min + 4 × 30 min, over two weeks
    assert result.hours == pytest.approx(26 * 40 / 60 + 2)
    assert result.hours_a_week == pytest.approx((26 * 40 / 60 + 2) / 2)
    assert result.shifts_a_week == pytest.approx((26 * 40 / 60 + 2) / 2 / 8)
    # Where: the noise calls in A1, the parking calls in B1 (the disturbances are sworn's)
    assert result.by_beat == [("A1", pytest.approx(26 * 40 / 60)), ("B1", pytest.approx(2))]


def test_a_calls_time_runs_into_the_next_hours() -> None:
    # From a random minute of its hour, a 40-minute call spends on average 26 2/3 minutes
    # in that hour and 13 1/3 in the next; 90 minutes: 30, 52.5 and 7.5.
    assert hours_spread(40) == pytest.approx([40 / 60 - 40**2 / 120 / 60, 40**2 / 120 / 60])
    assert hours_spread(90) == pytest.approx([30 / 60, 52.5 / 60, 7.5 / 60])
    assert sum(hours_spread(200)) == pytest.approx(200 / 60)


def test_csos_busy_by_hour_of_the_week(history: dict[str, Any]) -> None:
    CallRecord.objects.create(  # late on the last Sunday: its time runs into Monday
        source="city",
        source_id="late",
        received_at=at(15, 23, 10),
        call_type=CallType.objects.get(code="NOISE"),
        original_code="NOISE",
    )
    busy = potential(MARCH).busy
    noise_first, noise_next = hours_spread(40)  # the noise calls' measured 40 minutes
    parking_first, parking_next = hours_spread(30)  # the program's CSOs' 30
    # Mondays at 14:00: 26 calls over the range's two Mondays, and the hour after
    assert busy[0][14] == pytest.approx(26 * noise_first / 2)
    assert busy[0][15] == pytest.approx(26 * noise_next / 2)
    assert busy[1][9] == pytest.approx(2 * parking_first / 2)  # two Tuesday parking calls
    assert busy[1][10] == pytest.approx(2 * parking_next / 2)
    assert busy[5][23] == pytest.approx(parking_first / 2)
    assert busy[6][0] == pytest.approx(parking_next / 2)  # Saturday 23:xx into Sunday
    assert busy[6][23] == pytest.approx(noise_first / 2)
    assert busy[0][0] == pytest.approx(noise_next / 2)  # the week wraps round
    assert busy[3][1] == 0  # the sworn-only disturbances count nothing
    assert sum(map(sum, busy)) == pytest.approx((27 * 40 / 60 + 2) / 2)
    assert potential(MARCH).peak == (0, 14, pytest.approx(26 * noise_first / 2))
    assert potential(MARCH).by_beat[-1] == ("No beat", pytest.approx(40 / 60))


def test_filters(history: dict[str, Any]) -> None:
    only_b1 = potential(Scope(MARCH.start, MARCH.end, beat_ids=(history["b1"].pk,)))
    assert (only_b1.mapped, only_b1.eligible_calls, only_b1.share) == (8, 4, 0.5)
    assert only_b1.by_beat == [("B1", pytest.approx(2))]
    noise = CallType.objects.get(code="NOISE").pk
    only_noise = potential(Scope(MARCH.start, MARCH.end, call_type_ids=(noise,)))
    assert (only_noise.mapped, only_noise.unmapped) == (26, 0)


def test_page_and_csvs(history: dict[str, Any], client_for: Any) -> None:
    analyst = client_for("analyst")
    page = analyst.get(f"/analytics/diversion/?{QUERY}").content.decode()
    assert '<p class="big" id="potential-eligible">30 <span class="small">(88 %)</span>' in page
    assert '<p class="big" id="potential-hours">19 h</p>' in page
    assert '<p class="small" id="potential-of-all">83 % of all the calls' in page
    assert '<p class="big" id="potential-peak">Mon 14:00</p>' in page
    assert "2 calls with source codes the mapping left out are counted neither way" in page
    assert 'id="potential-no-history"' not in page

    def rows(figure: str) -> list[dict[str, str]]:
        answer = analyst.get(f"/analytics/export/{figure}.csv?{QUERY}")
        text = b"".join(answer.streaming_content).decode()
        return list(csv.DictReader(io.StringIO(text)))

    assert rows("potential-by-type") == [
        {
            "call_type": "Noise complaint",
            "responder": "cso",
            "calls": "26",
            "timed_calls": "25",
            "program_timed_calls": "0",
            "minutes_per_call": "40.0",
            "minutes_from": "dispatch to clear",
            "hours": "17.33",
        },
        {
            "call_type": "Disturbance",
            "responder": "sworn",
            "calls": "4",
            "timed_calls": "0",
            "program_timed_calls": "0",
            "minutes_per_call": "45.0",
            "minutes_from": "sworn minutes",
            "hours": "3.00",
        },
        {
            "call_type": "Parking complaint",
            "responder": "cso",
            "calls": "4",
            "timed_calls": "1",
            "program_timed_calls": "20",
            "minutes_per_call": "30.0",
            "minutes_from": "the program's CSOs, dispatch to close",
            "hours": "2.00",
        },
    ]
    assert rows("potential-by-beat") == [
        {"beat": "A1", "hours": "17.33"},
        {"beat": "B1", "hours": "2.00"},
    ]
    monday = rows("potential-by-hour")[0]
    assert (monday["day"], monday["13"], monday["14"], monday["15"]) == (
        "Mon",
        "0.00",
        "5.78",
        "2.89",
    )


def test_a_selection_of_the_programs_own_calls_points_to_the_history(
    history: dict[str, Any], client_for: Any
) -> None:
    page = client_for("analyst").get("/analytics/diversion/?start=2026-03-04&end=2026-03-04")
    html = page.content.decode()
    assert "The selection holds none of the city's imported calls" in html
    assert "the city's imported history starts on 2026-03-02" in html


def test_field_and_desk_roles_are_refused(history: dict[str, Any], client_for: Any) -> None:
    for role in ("cso", "dispatcher"):
        for figure in ("potential-by-type", "potential-by-beat", "potential-by-hour"):
            answer = client_for(role).get(f"/analytics/export/{figure}.csv?{QUERY}")
            assert answer.status_code == 403


def test_san_diegos_real_calls(agency: dict[str, Any]) -> None:
    """A real export: San Diego's 2023 calls with the shipped mapping. Its types are
    counted one by one here, and no type is timed (the export has no dispatch or clear, and
    the program has no calls of its own here)."""
    from beatbook.calls.importing.mapping import mapping_load
    from beatbook.calls.importing.run import calls_import
    from beatbook.calls.tests.test_import import SAN_DIEGO

    run = calls_import(path=SAN_DIEGO, mapping=mapping_load("san-diego"))
    records = CallRecord.objects.all()
    first, last = (timezone.localdate(r.received_at) for r in (records.first(), records.last()))
    result = potential(Scope(first, last))
    assert result.mapped + result.unmapped == result.imported == run.rows_imported
    assert result.unmapped == records.filter(call_type=None).count() > 0
    sworn = records.filter(call_type__responder=Responder.SWORN).count()
    assert result.eligible_calls == result.mapped - sworn
    assert {"Disturbance", "Suspicious person"} <= {
        t.label for t in result.by_type if not t.eligible
    }
    assert 0.1 < result.share < 0.9
    # San Diego's mapping gives most of its codes no type: 73 % of the typed calls, 23 % of all.
    assert result.share_of_all == pytest.approx(result.eligible_calls / run.rows_imported)
    assert {t.minutes_from for t in result.by_type} == {"sworn minutes"}
    # Over whole weeks (each weekday as often), the hours of the week add up to a week's.
    weeks = potential(Scope(dt.date(2023, 1, 2), dt.date(2023, 1, 15)))
    assert sum(map(sum, weeks.busy)) == pytest.approx(weeks.hours_a_week)


def test_a_selection_without_calls_a_cso_may_take(history: dict[str, Any], client_for: Any) -> None:
    """5 March: the four sworn-only disturbances, and nothing a CSO may take."""
    result = potential(Scope(dt.date(2026, 3, 5), dt.date(2026, 3, 5)))
    assert (result.mapped, result.eligible_calls, result.share, result.peak) == (4, 0, 0.0, None)
    assert result.hours == 0
    html = client_for("analyst").get("/analytics/diversion/?start=2026-03-05&end=2026-03-05")
    page = html.content.decode()
    assert '<p class="big" id="potential-peak">—</p>' in page
    assert "No call in the selection is of a type a CSO may take." in page
    empty = client_for("analyst").get("/analytics/diversion/?start=2026-05-01&end=2026-05-31")
    assert empty.status_code == 200
    assert '<p class="big" id="potential-mapped">0</p>' in empty.content.decode()


def test_the_monthly_report_says_what_csos_could_take(
    history: dict[str, Any], client_for: Any
) -> None:
    # All of March: the fixture's calls and one more noise call on Friday 20 March, not
    # timed. 27 noise calls at 40 min and 4 parking calls at the program's 30 min: 20 h.
    march = monthly_report(2026, 3)["potential"]
    assert (march.mapped, march.eligible_calls, march.unmapped) == (35, 31, 2)
    assert march.hours == pytest.approx(27 * 40 / 60 + 4 * 30 / 60)
    # March 2026 has five Mondays: the 26 calls of Monday the 2nd at 14:xx, spread over them
    assert march.peak == (0, 14, pytest.approx(26 * hours_spread(40)[0] / 5))
    response = client_for("supervisor").get("/analytics/report.pdf?month=2026-03")
    text = " ".join(pdf_text(response.content).split())
    assert (
        "What CSOs could take Of the month's 35 calls on record with a call type (the city's "
        "imported history and the program's own), 31 (89 %) are of a type a CSO may take; 2 "
        "more with source codes the import's mapping left out are counted neither way. They "
        "take about 20 hours: 5 a week, 0.6 shifts of 8 h on calls alone, busiest on Mon 14:00 "
        "with 2.3 CSOs busy on average."
    ) in text
    # The charts (their SVG text comes out of the PDF after the page's own text): the
    # hours by type, and the hour-of-the-week grid's axes.
    assert "Noise complaint 18.0 Parking complaint 2.0" in text
    assert "Mon Tue Wed Thu Fri Sat Sun 00 03 06 09 12 15 18 21" in text
    may = client_for("supervisor").get("/analytics/report.pdf?month=2026-05")
    quiet = " ".join(pdf_text(may.content).split())
    assert "What CSOs could take No call on record this month has a call type." in quiet
