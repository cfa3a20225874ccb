"""The spine's main flow in real browsers: desk takes a call, dispatch assigns, a CSO on a
phone works it, and the board follows every step without a reload."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from beatbook.calls.models import Call

BOARD_WAIT_MS = 5000  # two browsers must see each other's changes within five seconds


def test_phone_call_to_cleared_call(agency: dict[str, Any], open_session: Any) -> None:
    desk = open_session()
    desk.sign_in(agency["dispatcher"])
    watcher = open_session()
    watcher.sign_in(agency["supervisor"])
    watcher.goto("/calls/board/")
    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    expect(cso.page.get_by_role("heading", name="No call in progress")).to_be_visible()

    # The desk takes a phone call.
    desk.goto("/calls/new/")
    desk.page.select_option("#id_call_type", label="Noise complaint (NOISE) · P3")
    desk.page.fill("#id_description", "Loud music from the third floor since 10pm")
    desk.page.fill("#id_address", "1534 Pine St")
    desk.page.fill("#id_caller_name", "Ann Example")
    desk.page.fill("#id_caller_phone", "206-555-0100")
    desk.page.click("button:has-text('Take call')")
    call = Call.objects.get()
    expect(
        desk.page.get_by_role("heading", name=f"{call.number} · Noise complaint")
    ).to_be_visible()
    desk.screenshot("01-call-detail-with-recommendations")

    # The supervisor's board shows the new call without a reload.
    queued_row = watcher.page.locator(f"tr[data-call='{call.number}']")
    expect(queued_row).to_be_visible(timeout=BOARD_WAIT_MS)

    # The recommendation names the nearest CSO of the team that covers the beat, with reasons.
    recommendation = desk.page.locator("#recommendations .rec").first
    expect(recommendation).to_contain_text("U-cso")
    expect(recommendation).to_contain_text("team covers beat A1")
    recommendation.get_by_role("button").click()
    expect(
        desk.page.locator(f"tr[data-call='{call.number}'][data-status='dispatched']")
    ).to_be_visible()

    # The CSO's phone shows the assignment without a reload, and they work it.
    assigned = cso.page.locator(f".assigned[data-call='{call.number}']")
    expect(assigned).to_be_visible(timeout=8000)
    cso.screenshot("02-cso-phone-assigned")
    assigned.get_by_role("button", name=f"En route to {call.number}").click()
    expect(
        watcher.page.locator(f"tr[data-call='{call.number}'][data-status='en_route']")
    ).to_be_visible(timeout=BOARD_WAIT_MS)

    cso.page.get_by_role("button", name="On scene").click()
    expect(
        watcher.page.locator(f"tr[data-call='{call.number}'][data-status='on_scene']")
    ).to_be_visible(timeout=BOARD_WAIT_MS)

    cso.page.fill("#field-note", "Spoke with the tenant, music off")
    cso.page.get_by_role("button", name="Add note").click()
    expect(cso.page.locator(".messages")).to_contain_text("note done")
    cso.page.select_option(f"#clear-disposition-{call.pk}", "advised")
    cso.page.fill(f"#clear-note-{call.pk}", "Resolved on scene")
    cso.screenshot("03-cso-phone-on-scene")
    cso.page.get_by_role("button", name="Clear call").click()
    expect(cso.page.get_by_role("heading", name="No call in progress")).to_be_visible()

    # The board drops the cleared call within five seconds.
    expect(watcher.page.locator(f"tr[data-call='{call.number}']")).to_have_count(
        0, timeout=BOARD_WAIT_MS
    )
    watcher.screenshot("04-board-after-clear")
    call.refresh_from_db()
    assert call.status == "cleared"
    assert call.disposition == "advised"

    # The call page tells the whole story.
    desk.goto(f"/calls/{call.pk}/")
    history = desk.page.locator("#call-history")
    for verb in (
        "received",
        "queued",
        "dispatched",
        "marked en route",
        "marked on scene",
        "note added",
        "cleared",
    ):
        expect(history).to_contain_text(verb)
    for session in (desk, watcher, cso):
        assert session.problems == []


def test_danger_is_flagged_not_queued(agency: dict[str, Any], open_session: Any) -> None:
    desk = open_session()
    desk.sign_in(agency["dispatcher"])
    desk.goto("/calls/new/")
    desk.page.select_option("#id_call_type", label="Welfare check (WELFARE) · P2")
    desk.page.fill("#id_description", "Man waving a knife at people outside the store")
    desk.page.fill("#id_address", "1551 Oak St")
    desk.page.click("button:has-text('Take call')")
    expect(desk.page.get_by_role("alert")).to_contain_text("Flagged for sworn officers")
    expect(desk.page.locator("#recommendations")).to_have_count(0)
    desk.goto("/calls/board/")
    expect(desk.page.get_by_role("table", name="Calls flagged for escalation")).to_contain_text(
        "knife"
    )
    desk.screenshot("05-board-flagged")
    assert desk.problems == []


def test_emergency_button_reaches_every_board(agency: dict[str, Any], open_session: Any) -> None:
    desk = open_session()
    desk.sign_in(agency["dispatcher"])
    desk.goto("/calls/board/")
    cso = open_session(phone=True)
    cso.sign_in(agency["cso"])
    cso.page.once("dialog", lambda dialog: dialog.accept())
    cso.page.click("#emergency-button")
    expect(cso.page.locator(".messages")).to_contain_text("EMERGENCY sent")
    alarm = desk.page.locator(".alarm")
    expect(alarm).to_contain_text("EMERGENCY · U-cso", timeout=BOARD_WAIT_MS)
    desk.screenshot("06-board-emergency")
    alarm.get_by_role("button", name="Acknowledge").click()
    expect(desk.page.locator(".alarm")).to_have_count(0)
    assert desk.problems == []
    assert cso.problems == []


def test_login_page_shows_the_notice_and_needs_it_acknowledged(
    agency: dict[str, Any], open_session: Any
) -> None:
    visitor = open_session()
    visitor.goto("/accounts/login/")
    expect(visitor.page.get_by_label("System-use notice")).to_contain_text("Authorized use only")
    visitor.screenshot("00-login")
    visitor.page.fill("#id_username", "dispatcher")
    visitor.page.fill("#id_password", "correct horse battery 42")
    visitor.page.click("button[type=submit]")
    expect(visitor.page.locator(".errorlist")).to_contain_text("acknowledge")
    assert visitor.problems == [] or all("400" in p for p in visitor.problems)
