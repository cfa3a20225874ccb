"""Browser tests: Playwright drives Debian's Chromium against a live Beatbook server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

from beatbook.core.testing import agency_build

# Playwright's sync API runs an event loop in this thread; the test's ORM calls are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("BEATBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package.")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # the browser tests must fail, never skip, without a browser
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}")
        yield chromium
        chromium.close()


class Session:
    """One person's browser window, with the console and CSP problems it saw."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" or "Content Security Policy" in text or "Refused to" in text:
            self.problems.append(text)

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def sign_in(self, user: Any, password: str = "correct horse battery 42") -> None:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        self.goto("/accounts/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", password)
        self.page.fill("#id_otp_token", f"{totp(device.bin_key):06d}")
        self.page.check("#id_acknowledge")
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()


@pytest.fixture
def agency(live_server: Any, transactional_db: Any) -> dict[str, Any]:
    """The small agency, built after the live server's database is ready."""
    return agency_build()


@pytest.fixture
def open_session(browser: Browser, live_server: Any) -> Iterator[Any]:
    contexts = []

    def make(*, phone: bool = False) -> Session:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            geolocation={"latitude": 47.611, "longitude": -122.331},
            permissions=["geolocation"],
        )
        contexts.append(context)
        return Session(context.new_page(), live_server.url)

    yield make
    for context in contexts:
        context.close()
