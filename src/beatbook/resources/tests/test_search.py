"""Directory search: need (with sub-terms), distance, language, open now, age, words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from beatbook.resources.models import Schedule, TaxonomyTerm
from beatbook.resources.selectors import needs, services_search, stale_services
from beatbook.resources.tests.factories import directory_build

pytestmark = pytest.mark.django_db
PINE_ST = (47.611, -122.333)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def names(results: list[Any]) -> list[str]:
    return [r.service.name for r in results]


@pytest.fixture
def ids() -> dict[str, str]:
    return directory_build()


def test_needs_are_top_level_terms_with_an_active_service(ids: dict[str, str]) -> None:
    assert [t.name for t in needs()] == ["Food", "Housing"]


def test_a_need_finds_services_filed_under_its_sub_terms_and_never_defunct_ones(
    ids: dict[str, str],
) -> None:
    food = TaxonomyTerm.objects.get(pk=ids["need_food"])
    assert names(services_search(need=food)) == ["Neighbourhood Food Bank"]


def test_nearest_first_with_distances_and_a_radius(ids: dict[str, str]) -> None:
    results = services_search(near=PINE_ST)
    assert names(results) == ["Neighbourhood Food Bank", "Eviction Prevention Clinic"]
    # 47.6125,-122.333 is 0.0015° of latitude north of 47.611: 167 m.
    assert results[0].distance_m == pytest.approx(166.8, abs=1)
    assert results[0].distance_km == 0.2
    assert results[1].distance_m == pytest.approx(3054, abs=25)
    assert names(services_search(near=PINE_ST, within_km=2)) == ["Neighbourhood Food Bank"]


def test_language_matches_the_service_or_its_location(ids: dict[str, str]) -> None:
    assert names(services_search(language="es")) == ["Neighbourhood Food Bank"]
    assert names(services_search(language="vi")) == ["Eviction Prevention Clinic"]
    assert services_search(language="ko") == []


def test_open_now_follows_the_weekly_hours(ids: dict[str, str]) -> None:
    monday_10 = local(2026, 11, 23, 10)
    saturday_11 = local(2026, 11, 28, 11)
    monday_18 = local(2026, 11, 23, 18)
    assert names(services_search(open_now=True, at=monday_10)) == ["Neighbourhood Food Bank"]
    assert names(services_search(open_now=True, at=saturday_11)) == ["Eviction Prevention Clinic"]
    assert services_search(open_now=True, at=monday_18) == []
    every = {r.service.name: r.open_now for r in services_search(at=monday_18)}
    assert every == {"Neighbourhood Food Bank": False, "Eviction Prevention Clinic": False}


def test_a_dated_closure_or_holiday_hours_replace_the_week(ids: dict[str, str]) -> None:
    thanksgiving = dt.date(2026, 11, 26)
    Schedule.objects.create(
        service_id=ids["food"], valid_from=thanksgiving, valid_to=thanksgiving, description="Closed"
    )
    assert services_search(open_now=True, at=local(2026, 11, 26, 10)) == []
    Schedule.objects.create(
        service_id=ids["food"],
        valid_from=dt.date(2026, 12, 24),
        opens_at=dt.time(9),
        closes_at=dt.time(12),
    )
    assert names(services_search(open_now=True, at=local(2026, 12, 24, 11))) == [
        "Neighbourhood Food Bank"
    ]
    assert services_search(open_now=True, at=local(2026, 12, 24, 13)) == []


def test_age_keeps_services_whose_range_includes_it(ids: dict[str, str]) -> None:
    assert names(services_search(age=16)) == ["Neighbourhood Food Bank"]
    assert set(names(services_search(age=40))) == {
        "Neighbourhood Food Bank",
        "Eviction Prevention Clinic",
    }


def test_words_search_name_description_organisation_and_terms(ids: dict[str, str]) -> None:
    assert names(services_search(words="rent")) == ["Eviction Prevention Clinic"]
    assert names(services_search(words="pantry")) == ["Neighbourhood Food Bank"]
    assert names(services_search(words="pantry groceries")) == ["Neighbourhood Food Bank"]
    assert services_search(words="pantry rent") == []


def test_services_not_verified_within_the_setting_are_flagged(
    ids: dict[str, str], settings: Any
) -> None:
    settings.BEATBOOK_RESOURCE_VERIFY_DAYS = 10_000
    assert [s.name for s in stale_services()] == ["Eviction Prevention Clinic"]  # never verified
    settings.BEATBOOK_RESOURCE_VERIFY_DAYS = 1
    assert [s.name for s in stale_services()] == [
        "Eviction Prevention Clinic",
        "Neighbourhood Food Bank",
    ]


def test_hours_read_as_runs_of_days(ids: dict[str, str]) -> None:
    food, housing = services_search(near=PINE_ST)
    assert food.hours_text == ["Monday–Friday 09:00–17:00"]
    assert housing.hours_text == ["Saturday 10:00–14:00"]
    Schedule.objects.create(
        service_id=ids["food"], byday="SU", opens_at=dt.time(9), closes_at=dt.time(17)
    )
    Schedule.objects.create(
        service_id=ids["food"], byday="WE", opens_at=dt.time(18), closes_at=dt.time(20)
    )
    Schedule.objects.create(
        service_id=ids["food"], valid_from=dt.date(2026, 12, 25), description="Closed"
    )
    (food, _) = services_search(near=PINE_ST)
    assert food.hours_text == [
        "Monday–Friday, Sunday 09:00–17:00",
        "Wednesday 18:00–20:00",
        "2026-12-25: closed",
    ]
