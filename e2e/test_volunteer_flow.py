"""A vetted volunteer opens their link on a phone, signs up for a citizen-patrol shift, and
after the patrol logs it with an observation that goes to dispatch as a call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import expect

from beatbook.calls.models import Call
from beatbook.outreach.models import ShiftSignup, VolunteerShift
from beatbook.outreach.tests.factories import patrol_shift, volunteer


def test_a_volunteer_signs_up_patrols_and_an_observation_becomes_a_call(
    agency: dict[str, Any], open_session: Any
) -> None:
    person = volunteer(agency["analyst"])
    shift = patrol_shift(agency["cso"], agency["a1"])
    phone = open_session(phone=True)
    phone.goto(f"/portal/volunteer/{person.token}/")
    expect(phone.page.locator("#open-shifts")).to_contain_text("Evening patrol, Pine St")
    phone.page.locator(f"[data-shift='{shift.pk}']").get_by_role("button", name="Sign up").click()
    expect(phone.page.locator("#my-shifts")).to_contain_text("Evening patrol, Pine St")
    phone.screenshot("51-volunteer-signed-up-phone")
    signup = ShiftSignup.objects.get()

    # Later: the shift took place, from an hour and a half ago until now.
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    VolunteerShift.objects.filter(pk=shift.pk).update(
        starts_at=now - dt.timedelta(minutes=90), ends_at=now
    )
    phone.page.reload()
    phone.page.fill(f"#log-{signup.pk}-route", "Pine St from 15th to 16th Ave")
    phone.page.get_by_role("button", name="Save the log").click()
    expect(phone.page.locator("#logged")).to_contain_text("1.5 h")
    log_id = ShiftSignup.objects.get().log.pk
    phone.page.fill(f"#obs-{log_id}-text", "Car alarm going for 20 minutes, nobody around")
    phone.page.fill(f"#obs-{log_id}-address", "1530 Pine St")
    phone.page.select_option(f"#obs-{log_id}-report_as", label="Noise complaint")
    phone.page.get_by_role("button", name="Add the observation").click()
    call = Call.objects.get()
    expect(phone.page.locator("#logged")).to_contain_text(f"sent to dispatch as {call.number}")
    phone.screenshot("52-volunteer-observation-to-call-phone")
    assert call.source == "volunteer"
    assert call.beat == agency["a1"]

    desk = open_session()
    desk.sign_in(agency["dispatcher"])
    desk.goto("/calls/board/")
    expect(desk.page.locator("#board-live")).to_contain_text(call.number)
    for session in (phone, desk):
        assert session.problems == []
