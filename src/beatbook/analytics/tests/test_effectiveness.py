"""Before and after an intervention, against counts and intervals worked out by hand."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.utils import timezone

from beatbook.analytics.effectiveness import Place, compare, rate_ratio, ratio_of_ratios
from beatbook.calls.models import CallRecord, CallType

pytestmark = pytest.mark.django_db
PIVOT = dt.date(2026, 3, 1)


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def history(agency: dict[str, Any]) -> dict[str, Any]:
    noise = CallType.objects.get(code="NOISE")
    a1, b1 = agency["a1"], agency["b1"]
    numbers = itertools.count()
    rows = [
        *[(at(2, 10), a1, 47.610, -122.335, "") for _ in range(10)],  # at 1500 Pine St
        *[(at(3, 10), a1, 47.6101, -122.3351, "") for _ in range(4)],
        (at(3, 12), a1, None, None, "1500 block of Pine St"),  # no coordinates: by its block
        (at(3, 5), a1, 47.613, -122.335, ""),  # about 330 m north: outside the radius
        *[(at(2, 15), b1, 47.59, -122.33, "") for _ in range(20)],
        *[(at(3, 15), b1, 47.59, -122.33, "") for _ in range(20)],
        (at(1, 15), a1, 47.610, -122.335, ""),  # before the window
    ]
    CallRecord.objects.bulk_create(
        CallRecord(
            source="test",
            source_id=str(next(numbers)),
            received_at=when,
            call_type=noise,
            original_code="NOISE",
            beat=beat,
            lat=lat,
            lon=lon,
            block_text=block,
        )
        for when, beat, lat, lon, block in rows
    )
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


def test_a_beat(history: Any) -> None:
    result = compare(Place("beat A1", beat_id=history["a1"].pk), PIVOT, 28)
    assert (result.before, result.after) == (10, 6)


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
    csv_text = analyst.get(f"/analytics/before-after/?{query}&format=csv")
    lines = b"".join(csv_text.streaming_content).decode().splitlines()
    assert lines == ["call_type,before,after", "Noise complaint,10,5", "All types,10,5"]


def test_a_link_without_radius_and_days_shows_the_ones_it_uses(
    history: Any, client_for: Any
) -> None:
    """A mediation case links with its address, 40 m and a date; a watch group with its beat
    and start: the fields left out show the 150 m and 90 days the comparison used."""
    analyst = client_for("analyst")
    page = analyst.get(f"/analytics/before-after/?beat={history['a1'].pk}&date=2026-03-01")
    html = page.content.decode()
    assert page.status_code == 200
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
