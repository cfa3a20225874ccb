"""R06: after 30 idle minutes the screen locks and the record text leaves the page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from beatbook.calls import services
from beatbook.calls.tests.factories import intake


def test_idle_screen_locks_and_hides_the_record(agency: dict[str, Any], open_session: Any) -> None:
    call = intake(agency["dispatcher"], description="Caller reports a neighbour's loud stereo")
    services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    cso = open_session(phone=True)
    cso.page.clock.install()
    cso.sign_in(agency["cso"])
    expect(cso.page.locator("#field-queue")).to_contain_text(call.number)
    cso.page.clock.fast_forward("29:00")
    expect(cso.page.locator("#idle-lock")).to_have_count(0)
    cso.page.clock.fast_forward("02:00")
    expect(cso.page.locator("#idle-lock")).to_be_visible()
    assert call.number not in cso.page.content()
    assert "loud stereo" not in cso.page.content()
    cso.screenshot("07-idle-lock")
    cso.page.get_by_role("link", name="Sign in").click()
    expect(cso.page).to_have_url(f"{cso.base_url}/accounts/login/?next=%2Fcalls%2Ffield%2F")
