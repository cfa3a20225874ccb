"""A CSO starts a neighbourhood watch by drawing its area on the map, adds a captain with
her consent, and writes to the group."""

from __future__ import annotations

from typing import Any

from django.core import mail
from playwright.sync_api import expect

from beatbook.outreach.models import WatchGroup


def test_a_cso_draws_a_watch_area_adds_a_captain_and_writes_to_the_group(
    agency: dict[str, Any], open_session: Any
) -> None:
    cso = open_session()
    cso.sign_in(agency["cso"])
    cso.goto("/outreach/watch/")
    cso.page.fill("#id_name", "Pine Street Block Watch")
    cso.page.fill("#id_started_on", "2026-11-01")
    drawing = cso.page.locator("#area-map")
    expect(drawing.locator(".leaflet-interactive").first).to_be_visible()  # beats drawn
    box = drawing.bounding_box()
    assert box is not None
    for dx, dy in ((0.40, 0.30), (0.60, 0.30), (0.55, 0.60)):
        cso.page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    expect(cso.page.locator("#area-note")).to_have_text("3 corner(s)")
    cso.page.get_by_role("button", name="Start the group").click()
    expect(cso.page.locator("h1")).to_have_text("Pine Street Block Watch")
    group = WatchGroup.objects.get()
    ring = group.area["coordinates"][0]
    assert len(ring) == 4
    assert ring[0] == ring[-1]

    cso.page.fill("#members #id_name", "Rosa Díaz")
    cso.page.fill("#members #id_email", "rosa@example.org")
    cso.page.check("#members #id_is_captain")
    cso.page.select_option("#members #id_consent_method", value="signed_form")
    cso.page.check("#members #id_consent_to_email")
    cso.page.get_by_role("button", name="Add", exact=True).click()
    expect(cso.page.locator("#members")).to_contain_text("Rosa Díaz (captain)")
    cso.page.fill("#messages #id_subject", "Meeting moved to Thursday")
    cso.page.fill("#messages #id_body", "We meet Thursday at 7 pm in the library.")
    cso.page.get_by_role("button", name="Send").click()
    expect(cso.page.locator("#messages")).to_contain_text("1 recipient")
    cso.screenshot("53-watch-group")
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]
    assert cso.problems == []
