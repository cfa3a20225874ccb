"""A coordinator schedules a safety fair; a resident finds it on the Spanish portal, registers,
and adds it to their calendar; the coordinator sees the sign-up and checks the family in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import icalendar
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from beatbook.outreach.models import Event, Registration


def test_a_safety_fair_is_scheduled_found_in_spanish_registered_for_and_added_to_a_calendar(
    agency: dict[str, Any], open_session: Any
) -> None:
    day = timezone.localtime() + dt.timedelta(days=12)
    coordinator = open_session()
    coordinator.sign_in(agency["analyst"])
    coordinator.page.get_by_role("link", name="Events").click()
    coordinator.page.get_by_role("link", name="+ Schedule an event").click()
    coordinator.page.select_option("#id_kind", value="safety_fair")
    coordinator.page.fill("#id_title", "Oak Street safety fair")
    coordinator.page.fill("#id_title_es", "Feria de seguridad de Oak Street")
    coordinator.page.fill("#id_description", "Free bike locks and home-security tips.")
    coordinator.page.fill("#id_description_es", "Candados gratis y consejos de seguridad.")
    coordinator.page.fill("#id_venue", "Oak Street school yard")
    coordinator.page.fill("#id_address", "1511 Oak Street")
    coordinator.page.fill("#id_starts_at", day.strftime("%Y-%m-%dT10:00"))
    coordinator.page.fill("#id_ends_at", day.strftime("%Y-%m-%dT13:00"))
    coordinator.page.fill("#id_capacity", "60")
    coordinator.page.get_by_role("button", name="Schedule").click()
    expect(coordinator.page.locator("#event-facts")).to_contain_text("beat B1")
    event = Event.objects.get()
    coordinator.screenshot("46-outreach-event-scheduled")

    resident = open_session(phone=True)
    resident.goto("/es/portal/")
    resident.page.get_by_role("link", name="Eventos").first.click()
    expect(resident.page.locator("h1")).to_have_text("Eventos comunitarios")
    resident.page.get_by_role("link", name="Feria de seguridad de Oak Street").click()
    expect(resident.page.locator("#seats-left")).to_have_text("60")
    resident.page.fill("#id_name", "Ana Morales")
    resident.page.fill("#id_email", "ana@example.org")
    resident.page.fill("#id_party_size", "3")
    resident.page.get_by_role("button", name="Inscribirse").click()
    expect(resident.page.locator("#registration-status")).to_have_text("Confirmada")
    resident.screenshot("47-portal-event-registered-es-phone")
    with resident.page.expect_download() as download:
        resident.page.get_by_role("link", name="Agregar a mi calendario").click()
    ics = Path(download.value.path()).read_bytes()
    (vevent,) = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Feria de seguridad de Oak Street"
    assert vevent.decoded("DTSTART") == event.starts_at.astimezone(dt.UTC)
    [confirmation] = mail.outbox
    assert confirmation.to == ["ana@example.org"]
    assert "Inscripción confirmada" in confirmation.subject
    assert Registration.objects.get().token in confirmation.body

    coordinator.goto(f"/outreach/events/{event.pk}/")
    expect(coordinator.page.locator("#registrations")).to_contain_text("Ana Morales")
    coordinator.page.get_by_role("button", name="Check in").click()
    expect(coordinator.page.locator("#attendance")).to_contain_text("3 attended")
    coordinator.screenshot("48-outreach-event-attendance")
    for session in (coordinator, resident):
        assert session.problems == []
