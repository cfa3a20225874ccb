"""Coordinators correct or add a directory entry by hand; each save is in its history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.core.testing import login
from beatbook.resources import hsds
from beatbook.resources.models import Service, TaxonomyTerm
from beatbook.resources.services.directory import directory_document
from beatbook.resources.services.editing import hours_text, parse_hours, service_save
from beatbook.resources.tests.factories import directory_build

pytestmark = pytest.mark.django_db


def test_hours_in_plain_words() -> None:
    assert parse_hours("Mon-Fri 09:00-17:00; Sat 10:00-14:00") == [
        *[(day, dt.time(9), dt.time(17)) for day in ("MO", "TU", "WE", "TH", "FR")],
        ("SA", dt.time(10), dt.time(14)),
    ]
    assert parse_hours("wednesday 9:30–12:00") == [("WE", dt.time(9, 30), dt.time(12))]
    assert parse_hours("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("weekdays 9-5", "is not like"),
        ("Mon-Fri 17:00-09:00", "closes before it opens"),
        ("Fri-Mon 09:00-17:00", "days run backwards"),
        ("Mon 25:00-26:00", "a time that is not one"),
    ],
)
def test_hours_that_do_not_read_are_refused_with_their_words(text: str, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        parse_hours(text)


def test_a_coordinator_adds_a_service_that_exports_as_valid_hsds(agency: dict[str, Any]) -> None:
    ids = directory_build()
    housing = TaxonomyTerm.objects.get(pk=ids["need_housing"])
    service = service_save(
        actor=agency["analyst"],
        service=None,
        organization_name="Harbor Housing Help",
        needs=[housing],
        address="1530 Pine St",
        phones="206-555-0177, 206-555-0178",
        hours="Mon-Thu 08:00-12:00; Sat 10:00-14:00",
        languages="English, Spanish",
        name="Rapid Rehousing",
        status="active",
        minimum_age=18,
    )
    assert service.organization.name == "Harbor Housing Help"
    assert Service.objects.filter(organization__name="Harbor Housing Help").count() == 2
    assert (
        hours_text(service)
        == "Mo 08:00-12:00; Tu 08:00-12:00; We 08:00-12:00; Th 08:00-12:00; Sa 10:00-14:00"
    )
    location = service.at_locations.get().location
    assert location.addresses.get().address_1 == "1530 Pine St"
    assert location.addresses.get().city == "Seattle"
    assert [lang.code for lang in service.languages.all()] == ["en", "es"]
    assert [e.verb for e in history_for(service)] == ["service created"]
    assert hsds.validation_errors(directory_document(), hsds.package_schema()) == []


def test_an_edit_records_which_fields_changed(agency: dict[str, Any]) -> None:
    ids = directory_build()
    food = Service.objects.get(pk=ids["food"])
    service_save(
        actor=agency["analyst"],
        service=food,
        organization_name=food.organization.name,
        needs=[TaxonomyTerm.objects.get(pk=ids["need_food"])],
        address="",
        phones="206-555-0190",
        hours="Mon-Fri 09:00-17:00",
        languages="Spanish",
        name=food.name,
        status="temporarily closed",
        alert="Closed for repairs until Monday",
    )
    food.refresh_from_db()
    assert food.status == "temporarily closed"
    assert [p.number for p in food.phones.all()] == ["206-555-0190"]
    (entry,) = history_for(food)
    assert entry.verb == "service edited"
    assert entry.data == {"fields": ["status", "alert"]}
    with pytest.raises(PermissionDenied):
        service_save(
            actor=agency["cso"],
            service=food,
            organization_name="x",
            needs=[],
            address="",
            phones="",
            hours="",
            languages="",
            name="x",
        )


def test_the_edit_page_shows_its_errors(agency: dict[str, Any]) -> None:
    ids = directory_build()
    coordinator = login(Client(), agency["analyst"])
    page = coordinator.get(f"/resources/services/{ids['food']}/edit/").content.decode()
    assert (
        'value="Mo 09:00-17:00; Tu 09:00-17:00; We 09:00-17:00; Th 09:00-17:00; Fr 09:00-17:00"'
        in page
    )
    refused = coordinator.post(
        f"/resources/services/{ids['food']}/edit/",
        {
            "name": "Neighbourhood Food Bank",
            "organization_name": "Pine Street Pantry Society",
            "status": "active",
            "needs": [ids["need_food"]],
            "hours": "sometimes",
        },
    )
    assert refused.status_code == 400
    assert "“sometimes” is not like “Mon-Fri 09:00-17:00”." in refused.content.decode()
    assert (
        login(Client(), agency["cso"]).get(f"/resources/services/{ids['food']}/edit/").status_code
        == 403
    )
