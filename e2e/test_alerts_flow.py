"""A CSO drafts a road-closure alert in both languages; a supervisor approves it; it is on the
portal (home page and alerts, in Spanish too), in the Atom feed and as valid CAP 1.2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core import mail
from lxml import etree
from playwright.sync_api import expect

from beatbook.alerts.models import Alert

SCHEMA = Path(__file__).resolve().parent.parent / "src/beatbook/alerts/tests/data/CAP-v1.2.xsd"


def test_a_cso_drafts_a_supervisor_approves_and_the_alert_reaches_portal_and_feeds(
    agency: dict[str, Any], open_session: Any
) -> None:
    cso = open_session()
    cso.sign_in(agency["cso"])
    cso.page.get_by_role("link", name="Alerts").click()
    cso.page.get_by_role("link", name="+ Draft an alert").click()
    cso.page.select_option("#id_category", value="Transport")
    cso.page.fill("#id_event", "Road closure")
    cso.page.fill("#id_headline", "Pine St closed for water main repair")
    cso.page.fill("#id_headline_es", "Pine St cerrada por reparación")
    cso.page.fill("#id_description", "Closed between 15th and 16th Ave until Friday.")
    cso.page.fill("#id_description_es", "Cerrada entre la 15 y la 16 hasta el viernes.")
    cso.page.fill("#id_instruction", "Use Pike St instead.")
    cso.page.get_by_label("A1").check()
    cso.page.get_by_role("button", name="Save draft").click()
    cso.page.get_by_role("button", name="Submit for approval").click()
    expect(cso.page.locator("#alert-status")).to_have_text("Waiting for approval")

    supervisor = open_session()
    supervisor.sign_in(agency["supervisor"])
    supervisor.goto("/alerts/")
    supervisor.page.locator("#review-queue").get_by_role("link").click()
    supervisor.screenshot("49-alert-waiting-for-approval")
    supervisor.page.get_by_role("button", name="Approve and publish").click()
    expect(supervisor.page.locator("#alert-status")).to_have_text("Published")
    alert = Alert.objects.get()

    resident = open_session(phone=True)
    resident.goto("/es/portal/")
    expect(resident.page.locator("#home-alerts")).to_contain_text("Pine St cerrada")
    resident.page.get_by_role("link", name="Alertas", exact=True).first.click()
    expect(resident.page.locator("#live-alerts")).to_contain_text("Pine St cerrada")
    resident.screenshot("50-portal-alerts-es-phone")
    atom = resident.page.request.get(f"{resident.base_url}/portal/alerts.atom")
    assert "Pine St closed for water main repair" in atom.text()
    cap = resident.page.request.get(f"{resident.base_url}/portal/alerts/{alert.number}.xml")
    assert cap.headers["content-type"].startswith("application/cap+xml")
    etree.XMLSchema(etree.parse(str(SCHEMA))).assertValid(etree.fromstring(cap.body()))

    # The resident subscribes in Spanish and confirms from the email (a POST from the page).
    resident.page.get_by_role("link", name="Recibir alertas por correo").click()
    resident.page.fill("#id_email", "ana@example.org")
    resident.page.get_by_label("A1").check()
    resident.page.get_by_role("button", name="Suscribirse").click()
    expect(resident.page.locator("#subscribe-sent")).to_be_visible()
    confirmation = next(m for m in mail.outbox if m.to == ["ana@example.org"])
    link = next(line for line in confirmation.body.splitlines() if "/alerts/confirm/" in line)
    resident.page.goto(link.replace("http://127.0.0.1:8000", resident.base_url))
    resident.page.get_by_role("button", name="Confirmar").click()
    expect(resident.page.locator("#subscription-confirmed")).to_be_visible()
    for session in (cso, supervisor, resident):
        assert session.problems == []
