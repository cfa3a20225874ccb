"""Forms that offer beats, and lists that name each row's beat, read the beats' names only:
a beat's polygon is a city's real boundary (Seattle's: 10 kB of GeoJSON at the median, 120 kB
at most), and decoding one per row or per checkbox cost a page tens of milliseconds
(places.selectors.beat_choices, and `defer("beat__geometry")` in the lists' selectors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beatbook.alerts.models import Subscription
from beatbook.alerts.tests.factories import draft
from beatbook.casework.tests.factories import case_open
from beatbook.outreach.models import VolunteerShift, WatchGroup
from beatbook.outreach.services.watch import watch_group_create
from beatbook.outreach.tests.factories import event, patrol_shift

pytestmark = pytest.mark.django_db

POLYGON = '"places_beat"."geometry"'


def _get_without_polygons(client: Client, url: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    loaded = [q["sql"] for q in queries.captured_queries if POLYGON in q["sql"]]
    assert loaded == [], url
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "url", "field"),
    [
        ("cso", "/alerts/new/", "beats"),
        ("supervisor", "/outreach/shifts/", "beat"),
        ("cso", "/outreach/watch/", "beat"),
        (None, "/portal/alerts/subscribe/", "beats"),
    ],
)
def test_the_beat_choices_come_without_their_polygons(
    client: Client, client_for: Any, agency: dict[str, Any], role: str | None, url: str, field: str
) -> None:
    page = _get_without_polygons(client_for(role) if role else client, url)
    for beat in ("a1", "b1"):
        assert f'value="{agency[beat].pk}"' in page
        assert f'name="{field}"' in page


def test_an_alert_being_edited_keeps_its_beats_ticked(
    client_for: Any, agency: dict[str, Any]
) -> None:
    alert = draft(agency["cso"], beats=[agency["b1"]])
    page = _get_without_polygons(client_for("cso"), f"/alerts/{alert.pk}/edit/")
    boxes = {
        pk: page.split(f'value="{pk}"', 1)[1].split(">", 1)[0]
        for pk in (agency["a1"].pk, agency["b1"].pk)
    }
    assert "checked" in boxes[agency["b1"].pk]
    assert "checked" not in boxes[agency["a1"].pk]


def test_a_chosen_beat_is_saved_by_each_form(
    client: Client, client_for: Any, agency: dict[str, Any]
) -> None:
    b1 = agency["b1"]
    supervisor = client_for("supervisor")
    starts = dt.datetime(2026, 12, 12, 10, 0)
    shift = {
        "program": "citizen_patrol",
        "title": "Saturday patrol",
        "beat": b1.pk,
        "meeting_point": "Station lobby",
        "starts_at": f"{starts:%Y-%m-%dT%H:%M}",
        "ends_at": f"{starts + dt.timedelta(hours=3):%Y-%m-%dT%H:%M}",
        "capacity": 4,
        "leader": agency["supervisor"].pk,
    }
    assert supervisor.post("/outreach/shifts/", shift).status_code == 302
    assert VolunteerShift.objects.get().beat == b1
    group = {"name": "B1 watch", "beat": b1.pk, "liaison": agency["cso"].pk}
    response = supervisor.post("/outreach/watch/", group | {"started_on": "2026-11-01"})
    assert response.status_code == 302
    assert WatchGroup.objects.get().beat == b1
    answer = client.post("/portal/alerts/subscribe/", {"email": "r@example.org", "beats": [b1.pk]})
    assert answer.status_code in (200, 302)
    assert list(Subscription.objects.get().beats.all()) == [b1]


def test_lists_name_each_rows_beat_without_its_polygon(
    client: Client, client_for: Any, agency: dict[str, Any]
) -> None:
    a1, supervisor = agency["a1"], agency["supervisor"]
    draft(agency["cso"], beats=[a1])
    assert event(supervisor).beat == a1  # placed from its Pine St address
    patrol_shift(supervisor, a1)
    watch_group_create(
        actor=supervisor,
        name="A1 watch",
        liaison=agency["cso"],
        started_on=timezone.localdate(),
        beat=a1,
    )
    case = case_open(agency)
    assert case.beat == a1  # geocoded from its Pine St address
    staff = client_for("supervisor")
    for url in (
        "/alerts/",
        "/outreach/events/",
        "/outreach/shifts/",
        "/outreach/watch/",
    ):
        assert a1.name in _get_without_polygons(staff, url), url
    assert case.number in _get_without_polygons(staff, "/casework/mediation/")
    assert a1.name in _get_without_polygons(client, "/portal/events/")
