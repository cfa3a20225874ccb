"""Before and after an intervention, against counts and intervals worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from html import unescape
from typing import Any

import h3
import pytest
import time_machine
from django.utils import timezone

from beatbook.analytics.effectiveness import (
    FEWER,
    MORE,
    SAME,
    Place,
    Ratio,
    Surroundings,
    cells_geojson,
    compare,
    rate_ratio,
    ratio_of_ratios,
    weighted_displacement_quotient,
)
from beatbook.calls.models import CallRecord, CallType
from beatbook.outreach.services import event_cancel
from beatbook.outreach.services.watch import watch_group_create
from beatbook.outreach.tests.factories import event

pytestmark = pytest.mark.django_db
PIVOT = dt.date(2026, 3, 1)


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=timezone.get_current_timezone())


Row = tuple[dt.datetime, Any, float | None, float | None, str]


def _records(rows: list[Row], tag: str) -> None:
    """Noise calls of the city's history: (when, beat, lat, lon, block)."""
    noise = CallType.objects.get(code="NOISE")
    CallRecord.objects.bulk_create(
        CallRecord(
            source="test",
            source_id=f"{tag}{i}",
            received_at=when,
            call_type=noise,
            original_code="NOISE",
            beat=beat,
            lat=lat,
            lon=lon,
            block_text=block,
        )
        for i, (when, beat, lat, lon, block) in enumerate(rows)
    )


@pytest.fixture
def history(agency: dict[str, Any]) -> dict[str, Any]:
    a1, b1 = agency["a1"], agency["b1"]
    rows = [
        *[(at(2, 10), a1, 47.610, -122.335, "") for _ in range(10)],  # at 1500 Pine St
        *[(at(3, 10), a1, 47.6101, -122.3351, "") for _ in range(4)],
        (at(3, 12), a1, None, None, "1500 block of Pine St"),  # no coordinates: by its block
        (at(3, 5), a1, 47.613, -122.335, ""),  # about 330 m north: outside the radius
        *[(at(2, 15), b1, 47.59, -122.33, "") for _ in range(20)],
        *[(at(3, 15), b1, 47.59, -122.33, "") for _ in range(20)],
        (at(1, 15), a1, 47.610, -122.335, ""),  # before the window
    ]
    _records(rows, "h")
    return agency


def test_an_address_within_its_radius_against_the_rest_of_the_city(history: Any) -> None:
    place = Place(
        "1500 Pine St", lat=47.610, lon=-122.335, radius_m=150, block_text="1500 block of Pine St"
    )
    result = compare(place, PIVOT, 28)
    assert (result.before, result.after) == (10, 5)
    assert (result.rest_before, result.rest_after) == (20, 21)
    assert result.rate_ratio.value == 0.5
    # exp(ln 0.5 ± 1.96·√(1/5 + 1/10))
    assert result.rate_ratio.low == pytest.approx(0.1709, abs=1e-4)
    assert result.rate_ratio.high == pytest.approx(1.4629, abs=1e-4)
    # (5/10) ÷ (21/20), √(1/5 + 1/10 + 1/21 + 1/20)
    assert result.relative_to_rest.value == pytest.approx(0.47619, abs=1e-5)
    assert result.relative_to_rest.low == pytest.approx(0.1384, abs=1e-4)
    assert result.relative_to_rest.high == pytest.approx(1.6388, abs=1e-4)
    assert not result.relative_to_rest.significant
    assert dict(result.weeks)[-3] == 10  # 10 February is in the third week before
    assert result.by_type == [("Noise complaint", 10, 5)]
    # On the map, in cells of about 65 m (res 10): the ten before and four after fell within
    # 15 m of each other; the call known by its block alone is counted but not drawn.
    assert result.unplaced == 1
    assert {h3.get_resolution(cell) for cell, _, _ in result.cells} == {10}
    assert sum(b for _, b, _ in result.cells) == 10
    assert sum(a for _, _, a in result.cells) == 4
    first = h3.latlng_to_cell(47.610, -122.335, 10)
    assert {cell: (b, a) for cell, b, a in result.cells}[first][0] == 10


def test_a_beat(history: Any) -> None:
    result = compare(Place("beat A1", beat_id=history["a1"].pk), PIVOT, 28)
    assert (result.before, result.after) == (10, 6)
    # The beat's cells are the analytics' own (res 9); the 330 m call is in the beat, drawn.
    assert {h3.get_resolution(cell) for cell, _, _ in result.cells} == {9}
    assert (sum(b for _, b, _ in result.cells), sum(a for _, _, a in result.cells)) == (10, 5)
    assert result.unplaced == 1


def test_calls_moving_into_the_ring_around_an_address_read_as_displacement(
    history: Any,
) -> None:
    """About 220 m from the place, inside the ring of 150-300 m: 4 calls before, 8 after.
    The control is the rest of the city less the ring: 20 before, 21 after (B1 and the call
    330 m away). WDQ = (8/21 - 4/20) / (5/21 - 10/20) = -0.6909."""
    a1 = history["a1"]
    _records(
        [(at(2, 20), a1, 47.612, -122.335, "")] * 4 + [(at(3, 20), a1, 47.612, -122.335, "")] * 8,
        "r",
    )
    place = Place(
        "1500 Pine St", lat=47.610, lon=-122.335, radius_m=150, block_text="1500 block of Pine St"
    )
    result = compare(place, PIVOT, 28)
    around = result.around
    assert around is not None
    assert around.label == "between 150 and 300 m from it"
    assert (around.before, around.after) == (4, 8)
    assert (result.rest_before, result.rest_after) == (24, 29)  # the ring is in the rest
    assert around.rate_ratio.value == 2.0
    assert around.relative_to_rest.value == pytest.approx((8 / 4) / (21 / 20))
    assert around.wdq == pytest.approx(-0.690909, abs=1e-6)
    assert around.reading.startswith("calls rose around the place: some displacement")
    # 2× in the ring against the city's 1.05× has an interval of 0.50-7.3: no evidence yet.
    assert not around.relative_to_rest.significant
    assert around.caution.startswith("The change around it is not distinguishable")
    # The map draws the ring's band out to 300 m, with its counts.
    assert around.outline() == {
        "beats": [],
        "outer_m": 300,
        "text": "Around the place, between 150 and 300 m from it: 4 before · 8 after",
    }


def test_a_beats_surroundings_are_the_beats_bordering_it(history: Any) -> None:
    """A1 borders B1 (they share 47.600) and not C1, 2 km north. B1: 20 before, 25 after;
    C1, the control: 10 and 10. A1 fell from 10 to 6: WDQ = (25/10 - 20/10) / (6/10 - 10/10)
    = -1.25, more displaced than prevented."""
    from beatbook.core.actors import SYSTEM
    from beatbook.core.testing import beat_collection
    from beatbook.places.models import Beat
    from beatbook.places.services import beats_import

    beats_import(
        actor=SYSTEM,
        collection=beat_collection(C1=(47.640, -122.340, 47.660, -122.320)),
        name_property="beat",
    )
    b1, c1 = history["b1"], Beat.objects.get(name="C1")
    _records(
        [(at(3, 16), b1, 47.59, -122.33, "")] * 5
        + [(at(2, 16), c1, 47.65, -122.33, "")] * 10
        + [(at(3, 16), c1, 47.65, -122.33, "")] * 10,
        "n",
    )
    result = compare(Place("beat A1", beat_id=history["a1"].pk), PIVOT, 28)
    around = result.around
    assert around is not None
    assert around.label == "in the bordering beats B1"
    assert (around.before, around.after) == (20, 25)
    assert around.wdq == pytest.approx(-1.25)
    assert around.reading == (
        "calls rose around the place by more than they fell at it: displacement."
    )
    assert around.caution  # 25/20 against 10/10: an interval of 0.44-3.6
    assert around.outline() == {
        "beats": [b1.pk],
        "outer_m": 0,
        "text": "Around the place, in the bordering beats B1: 20 before · 25 after",
    }
    # C1 borders none: nothing to read displacement from.
    assert compare(Place("beat C1", beat_id=c1.pk), PIVOT, 28).around is None


def test_the_quotient_needs_a_drop_at_the_place_and_a_control() -> None:
    assert weighted_displacement_quotient((10, 12), (5, 3), (100, 100)) is None  # rose
    assert weighted_displacement_quotient((10, 5), (5, 3), (0, 100)) is None
    # Fell at the place and around it: (3/100 - 5/100) / (5/100 - 10/100) = 0.4.
    assert weighted_displacement_quotient((10, 5), (5, 3), (100, 100)) == pytest.approx(0.4)
    # Read out with a caution only while the change around it is within the city's trend.
    fell = Surroundings("around", 50, 30, Ratio(0.6, 0.4, 0.9), Ratio(0.6, 0.4, 0.9), 0.4)
    assert fell.reading == "calls fell around the place too: a diffusion of benefits."
    assert fell.caution == ""
    unsure = replace(fell, relative_to_rest=Ratio(0.8, 0.5, 1.3))
    assert unsure.caution.startswith("The change around it is not distinguishable")
    assert replace(fell, wdq=None).caution == ""
    assert replace(fell, wdq=1.5).reading.startswith("calls fell around the place by more")


def test_cells_are_shaded_by_their_change_against_the_largest() -> None:
    fell, rose, same = (h3.latlng_to_cell(47.61, -122.33 + i / 100, 9) for i in range(3))
    collection = cells_geojson([(fell, 10, 4), (rose, 0, 1), (same, 2, 2)])
    shades = [f["properties"]["colour"] for f in collection["features"]]
    # -6 is the largest change (darkest blue); +1 is a sixth of it (the lightest orange).
    assert shades == [FEWER[2], MORE[0], SAME]
    ring = collection["features"][0]["geometry"]["coordinates"][0]
    assert len(ring) == 7  # a hexagon, closed
    assert ring[0] == ring[-1]
    assert ring[0] == [h3.cell_to_boundary(fell)[0][1], h3.cell_to_boundary(fell)[0][0]]
    assert cells_geojson([]) == {"type": "FeatureCollection", "features": []}


def test_windows_stay_equal_when_the_date_is_recent(history: Any, client_for: Any) -> None:
    """Fifteen days after the date, 28 days asked compare 15 before with the 15 since: the
    ten calls of 10 February are outside both, not counted against a short 'after'."""
    beat = history["a1"]
    with time_machine.travel(at(3, 16)):
        result = compare(Place("beat A1", beat_id=beat.pk), PIVOT, 28)
        assert (result.days, result.days_asked) == (15, 28)
        assert (result.before, result.after) == (0, 6)
        assert (result.rest_before, result.rest_after) == (20, 20)
        assert len(result.weeks) == 6  # three weeks a side, the outermost partial
        analyst = client_for("analyst")
        page = analyst.get(f"/analytics/before-after/?beat={beat.pk}&date=2026-03-01&days=28")
        html = page.content.decode()
        assert "15 days before and after 2026-03-01" in html
        assert "You asked for 28; only 15 whole days have passed since the date" in html
        for day in ("2026-03-16", "2026-04-01"):  # today, and a day still to come
            refused = analyst.get(f"/analytics/before-after/?beat={beat.pk}&date={day}")
            assert refused.status_code == 400
            assert "Choose a day before today" in refused.content.decode()


def test_ratios_need_calls_on_both_sides() -> None:
    assert rate_ratio(0, 10).low is None
    assert rate_ratio(5, 0).value is None
    assert ratio_of_ratios(1, 2, 0, 4).value is None
    big = ratio_of_ratios(20, 200, 1000, 1000)
    assert big.significant
    assert big.value == pytest.approx(0.1)


def test_page_with_address_and_csv(history: Any, client_for: Any) -> None:
    analyst = client_for("analyst")
    query = "address=1500+Pine+St&radius=150&date=2026-03-01&days=28"
    page = analyst.get(f"/analytics/before-after/?{query}").content.decode()
    assert '<p class="big" id="calls-before">10</p>' in page
    assert '<p class="big" id="calls-after">5</p>' in page
    assert "Not distinguishable from the city" in page
    # The map: the cells with their counts, the circle counted within, the block-only call.
    found = re.search(r'data-cells="([^"]*)"', page)
    assert found is not None
    cells = json.loads(unescape(found.group(1)))["features"]
    assert sum(c["properties"]["before"] for c in cells) == 10
    assert sum(c["properties"]["after"] for c in cells) == 4
    assert re.search(r'data-circle="47\.6\d+,-122\.3\d+,150"', page)
    ring = re.search(r'data-surroundings="([^"]*)"', page)
    assert ring is not None
    assert json.loads(unescape(ring.group(1)))["outer_m"] == 300
    assert "the ring out to 300 m" in page
    assert "data-highlight-beats" not in page
    assert "1 call without coordinates (counted by their block) is not on the map" in page
    # Nothing between 150 and 300 m: no displacement, all of the drop at the place.
    assert 'Calls between 150 and 300 m from it: <strong id="around-before">0</strong>' in page
    assert "too few to set against the trend" in page
    assert 'id="wdq">Weighted displacement quotient <strong>0.00</strong>' in page
    csv_text = analyst.get(f"/analytics/before-after/?{query}&format=csv")
    lines = b"".join(csv_text.streaming_content).decode().splitlines()
    assert lines == ["call_type,before,after", "Noise complaint,10,5", "All types,10,5"]


def test_the_by_type_table_shows_the_eight_busiest_and_folds_the_rest(
    history: Any, client_for: Any
) -> None:
    others = list(CallType.objects.exclude(code="NOISE").order_by("code")[:9])
    CallRecord.objects.bulk_create(
        CallRecord(
            source="test",
            source_id=f"t{n}-{i}",
            received_at=at(2, 20),
            call_type=call_type,
            original_code=call_type.code,
            beat=history["a1"],
            lat=47.610,
            lon=-122.335,
        )
        for n, call_type in enumerate(others)
        for i in range(9 - n)  # 9, 8, … 1 calls: the order they are listed in
    )
    query = "address=1500+Pine+St&radius=150&date=2026-03-01&days=28"
    html = client_for("analyst").get(f"/analytics/before-after/?{query}").content.decode()
    shown, folded = html.split('id="by-type"')[1].split('id="by-type-more"')
    names = [t.name for t in others]
    assert "Noise complaint" in shown  # 15 calls: the busiest
    assert all(name in shown for name in names[:7])
    assert all(name in folded.split("</details>")[0] for name in names[7:])
    assert not any(name in shown for name in names[7:])
    assert "2 more types, fewer calls each (all in the CSV)" in folded


def test_a_link_without_radius_and_days_shows_the_ones_it_uses(
    history: Any, client_for: Any
) -> None:
    """A mediation case links with its address, 40 m and a date; a watch group with its beat
    and start: the fields left out show the 150 m and 90 days the comparison used."""
    analyst = client_for("analyst")
    page = analyst.get(f"/analytics/before-after/?beat={history['a1'].pk}&date=2026-03-01")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-highlight-beats="{history["a1"].pk}"' in html  # the beat outlined on the map
    found = re.search(r'data-surroundings="([^"]*)"', html)  # and the beat bordering it
    assert found is not None
    assert json.loads(unescape(found.group(1)))["beats"] == [history["b1"].pk]
    assert "Dashed purple: the surroundings compared" in html
    assert "data-circle" not in html
    assert re.search(r'<input[^>]*name="days"[^>]*value="90"', html)
    assert re.search(r'<input[^>]*name="radius"[^>]*value="150"', html)
    given = analyst.get("/analytics/before-after/?address=1500+Pine+St&radius=40&date=2026-03-01")
    html = given.content.decode()
    assert re.search(r'<input[^>]*name="radius"[^>]*value="40"', html)
    assert "within 40 m of" in html


def test_bad_input_is_refused_with_reasons(history: Any, client_for: Any) -> None:
    analyst = client_for("analyst")
    neither = analyst.get("/analytics/before-after/?date=2026-03-01")
    assert neither.status_code == 400
    assert "Choose a beat or give an address" in neither.content.decode()
    unknown = analyst.get("/analytics/before-after/?date=2026-03-01&address=999+Nowhere+Lane")
    assert unknown.status_code == 400
    too_long = analyst.get(
        f"/analytics/before-after/?date=2026-03-01&beat={history['a1'].pk}&days=9999"
    )
    assert too_long.status_code == 400
    assert analyst.get("/analytics/before-after/").status_code == 200  # the empty form


def test_field_and_desk_roles_are_refused(client_for: Any) -> None:
    for role in ("cso", "dispatcher"):
        assert client_for(role).get("/analytics/before-after/").status_code == 403


def test_the_empty_page_offers_the_programs_own_interventions(
    agency: dict[str, Any], client_for: Any
) -> None:
    """Watch groups with a beat from the day they started, and events held at their address,
    newest first; groups with only a drawn area, groups not yet started, future and cancelled
    events are left out; each link opens the comparison it names."""
    cso, today = agency["cso"], timezone.localdate()
    square = {
        "type": "Polygon",
        "coordinates": [[[-122.34, 47.61], [-122.33, 47.61], [-122.33, 47.62], [-122.34, 47.61]]],
    }
    common = {"actor": cso, "liaison": cso}
    started = today - dt.timedelta(days=20)
    watch_group_create(name="Oak watch", beat=agency["b1"], started_on=started, **common)
    watch_group_create(name="Drawn watch", area=square, started_on=started, **common)
    watch_group_create(
        name="Later watch", beat=agency["a1"], started_on=today + dt.timedelta(days=3), **common
    )
    with time_machine.travel(timezone.now() - dt.timedelta(days=12)):
        held = event(cso, starts_at=timezone.now() + dt.timedelta(days=2))
        rained_off = event(cso, title="Rained-off fair")
    event_cancel(actor=cso, event=rained_off, reason="storm")
    event(cso, title="Next week's fair")
    held_on = timezone.localtime(held.starts_at).date()

    html = client_for("analyst").get("/analytics/before-after/").content.decode()
    rows = re.findall(
        r'<tr><td>([\d-]+)</td><td>([^<]+)</td><td>([^<]+)</td><td><a href="\?([^"]+)"', html
    )
    assert [row[:3] for row in rows] == [
        (held_on.isoformat(), "Event held: Pine Street safety fair", "Pine Street Plaza"),
        (started.isoformat(), "Watch group started: Oak watch", "beat B1"),
    ]
    assert unescape(rows[1][3]) == f"beat={agency['b1'].pk}&date={started.isoformat()}"
    compared = client_for("analyst").get(f"/analytics/before-after/?{unescape(rows[0][3])}")
    page = compared.content.decode()
    assert compared.status_code == 200
    # Ten days since the event: both windows are ten days, not 90 before against 10 after.
    assert f"within 400 m of 1510 Pine St, 10 days before and after {held_on}" in page
    assert 'id="calls-before"' in page
