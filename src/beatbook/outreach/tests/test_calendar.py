from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
from django.test import Client

from beatbook.outreach import services
from beatbook.outreach.tests.factories import event, register

pytestmark = pytest.mark.django_db


def _parse(response: Any) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


class TestCalendarFeed:
    def test_the_feed_parses_round_trip_with_the_rfc_5545_essentials(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(
            agency["cso"],
            title="Fair; with, commas",
            description="Line one\nLine two, with a comma; and a semicolon. " + "x" * 120,
        )
        raw = client.get("/portal/events.ics")
        body = raw.content
        assert b"\r\n" in body
        assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded
        assert b"SUMMARY:Fair\\; with\\, commas" in body
        calendar = _parse(raw)
        assert calendar["VERSION"] == "2.0"
        assert "Beatbook events" in str(calendar["PRODID"])
        assert "community events" in str(calendar["X-WR-CALNAME"])
        assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
        (vevent,) = calendar.walk("VEVENT")
        assert str(vevent["UID"]) == f"event-{fair.pk}@127.0.0.1"
        assert str(vevent["SUMMARY"]) == "Fair; with, commas"
        assert str(vevent["DESCRIPTION"]).startswith("Line one\nLine two, with a comma;")
        assert vevent.decoded("DTSTART") == fair.starts_at.astimezone(dt.UTC)
        assert vevent.decoded("DTEND") == fair.ends_at.astimezone(dt.UTC)
        assert "DTSTAMP" in vevent
        assert "DURATION" not in vevent
        assert str(vevent["STATUS"]) == "CONFIRMED"
        assert str(vevent["URL"]).endswith(f"/portal/events/{fair.number}/")
        assert "1510 Pine" not in str(vevent["LOCATION"])
        assert str(vevent["LOCATION"]).startswith("Pine Street Plaza, ")
        assert calendar.to_ical() == icalendar.Calendar.from_ical(calendar.to_ical()).to_ical()

    def test_a_cancelled_event_stays_with_a_higher_sequence(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        before = _parse(client.get("/portal/events.ics")).walk("VEVENT")[0]
        services.event_cancel(actor=agency["cso"], event=fair, reason="Storm")
        after = _parse(client.get("/portal/events.ics")).walk("VEVENT")[0]
        assert str(after["UID"]) == str(before["UID"])
        assert (before["SEQUENCE"], after["SEQUENCE"]) == (0, 1)
        assert str(after["STATUS"]) == "CANCELLED"
        assert "Storm" in str(after["DESCRIPTION"])

    def test_per_beat_feeds_and_private_events_and_people_left_out(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        north = event(agency["cso"])
        south = event(agency["cso"], title="Oak fair", address="1511 Oak Street")
        internal = event(agency["cso"], title="Staff briefing", is_public=False)
        register(north, 1, name="Maria Resident")

        def uids(url: str) -> set[str]:
            return {str(v["UID"]) for v in _parse(client.get(url)).walk("VEVENT")}

        assert uids("/portal/events.ics") == {
            f"event-{north.pk}@127.0.0.1",
            f"event-{south.pk}@127.0.0.1",
        }
        assert uids("/portal/events/beat/B1.ics") == {f"event-{south.pk}@127.0.0.1"}
        assert client.get("/portal/events/beat/Z9.ics").status_code == 404
        body = client.get("/portal/events.ics").content.decode()
        assert "Maria" not in body
        assert "resident1@" not in body
        assert internal.title not in body

    def test_calendar_apps_polling_an_unchanged_feed_get_304(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        first = client.get("/portal/events.ics")
        again = client.get("/portal/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        fields = {name: getattr(fair, name) for name in services.EVENT_FIELDS}
        services.event_update(actor=agency["cso"], event=fair, **(fields | {"title": "New"}))
        changed = client.get("/portal/events.ics", HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200

    def test_one_event_for_add_to_calendar_in_spanish(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        fair = event(agency["cso"])
        calendar = _parse(client.get(f"/es/portal/events/{fair.number}/event.ics"))
        (vevent,) = calendar.walk("VEVENT")
        assert str(vevent["SUMMARY"]) == "Feria de seguridad de Pine Street"
        assert str(vevent["URL"]).endswith(f"/es/portal/events/{fair.number}/")
