"""A resident reports in Spanish from a phone; the desk and a CSO work it; the resident sees
the change on the tracking page and by e-mail. Every portal page passes an axe-core scan."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from beatbook.calls.models import Call

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "coche.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 90, 160)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_resident_reports_in_spanish_and_follows_it(
    agency: dict[str, Any], open_session: Any, tmp_path: Path
) -> None:
    resident = open_session(phone=True)
    resident.goto("/es/portal/")
    expect(resident.page.get_by_role("heading", level=1)).to_have_text(
        "Informar un problema que no es una emergencia"
    )
    resident.page.get_by_role("link", name="Vehículo abandonado").click()
    page = resident.page
    map_box = page.locator("#report-map")
    expect(map_box).to_be_visible()
    expect(map_box).to_have_attribute("data-beats-loaded", "1")
    box = map_box.bounding_box()
    map_box.click(position={"x": box["width"] / 2, "y": box["height"] * 0.3})
    expect(page.locator("#pin-note")).to_contain_text("Marcador en 47.6")
    page.get_by_label("Más de una semana").check()
    page.get_by_label("Matrícula, si la puede ver").fill("CANARY1")
    page.get_by_label("¿Cuál es el problema?").fill(
        "Furgoneta blanca sin moverse desde hace semanas"
    )
    page.set_input_files("#id_photos", str(photo_file(tmp_path)))
    page.get_by_label("Correo electrónico para recibir novedades (opcional)").fill(
        "vecina@example.org"
    )
    resident.screenshot("10-portal-report-form-es")
    page.get_by_role("button", name="Enviar informe").click()
    expect(page.get_by_role("heading", name="Su informe")).to_be_visible()
    call = Call.objects.get()
    expect(page.locator("#reference")).to_have_text(call.number)
    expect(page.locator("#public-status")).to_contain_text("Recibido")
    expect(page.locator(".photos img")).to_have_count(1)
    tracking_url = page.url
    assert "/es/portal/track/" in tracking_url
    resident.screenshot("11-portal-tracking-es")

    desk = open_session()
    desk.sign_in(agency["dispatcher"])
    desk.goto("/calls/board/")
    expect(desk.page.locator(f"tr[data-call='{call.number}']")).to_be_visible()
    desk.goto(f"/calls/{call.pk}/")
    desk.page.locator("#recommendations .rec").first.get_by_role("button").click()

    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.page.get_by_role("button", name=f"En route to {call.number}").click()
    cso.page.get_by_role("button", name="On scene").click()
    cso.page.select_option(f"#clear-disposition-{call.pk}", "citation")
    cso.page.get_by_role("button", name="Clear call").click()
    expect(cso.page.get_by_role("heading", name="No call in progress")).to_be_visible()

    page.goto(tracking_url)
    expect(page.locator("#public-status")).to_have_text("Resuelto: se emitió una multa")
    expect(page.locator("#report-timeline")).to_contain_text("El agente llegó")
    subjects = [m.subject for m in mail.outbox if m.to == ["vecina@example.org"]]
    assert any("Resuelto" in s for s in subjects), subjects
    resident.screenshot("12-portal-tracking-resolved-es")
    for session in (resident, desk, cso):
        assert session.problems == []


@pytest.mark.parametrize("lang", ["", "/es"])
def test_portal_pages_have_no_serious_accessibility_violations(
    agency: dict[str, Any], browser: Any, live_server: Any, lang: str
) -> None:
    from beatbook.calls.tests.factories import intake

    call = intake(agency["dispatcher"], code="VEHABND", description="Van left for weeks")
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    paths = [
        "/portal/",
        "/portal/report/VEHABND/",
        "/portal/report/ANIMAL/",
        "/portal/reports/",
        f"/portal/reports/{call.number}/",
        f"/portal/reports/{call.number}/support/",
        "/portal/find-my-cso/",
        "/portal/find-my-cso/?address=1534+Pine+St",
        f"/portal/track/{call.public_token}/",
    ]
    failures = []
    for path in paths:
        page.goto(live_server.url + lang + path)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        )
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                failures.append(
                    (
                        lang + path,
                        violation["id"],
                        violation["help"],
                        [n["target"] for n in violation["nodes"]][:3],
                    )
                )
    context.close()
    assert failures == []
