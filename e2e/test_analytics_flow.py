"""An analyst narrows the dashboard to one beat and one month, the charts redraw, and the
numbers behind a chart come down as CSV."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from beatbook.demo.scale import scale_generate


def test_analyst_filters_to_a_beat_and_a_month_and_exports_csv(
    agency: dict[str, Any], open_session: Any, tmp_path: Path
) -> None:
    scale_generate(30_000)  # about ten weeks of a mid-size city
    analyst = open_session()
    analyst.sign_in(agency["analyst"])
    analyst.goto("/analytics/")
    expect(analyst.page.locator("#total-calls")).to_have_text("30000")  # all in 90 days
    analyst.screenshot("40-analytics-dashboard")
    analyst.page.select_option("#id_beat", label="B1")
    expect(analyst.page.locator("#scope-summary")).to_contain_text("beat B1")
    everywhere = int(analyst.page.locator("#total-calls").inner_text())
    assert 0 < everywhere < 30_000
    end = analyst.page.locator("#id_end").input_value()
    month_start = end[:8] + "01"
    analyst.page.fill("#id_start", month_start)
    analyst.page.locator("#id_start").dispatch_event("change")
    expect(analyst.page.locator("#scope-summary")).to_contain_text(month_start)
    in_month = int(analyst.page.locator("#total-calls").inner_text())
    assert in_month < everywhere
    assert f"start={month_start}" in analyst.page.url  # the selection is in the address
    analyst.screenshot("41-analytics-one-beat-one-month")
    with analyst.page.expect_download() as download:
        analyst.page.locator("#chart-types").get_by_role("link", name="CSV").click()
    path = tmp_path / "types.csv"
    download.value.save_as(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "type,calls"
    assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == in_month
    expect(analyst.page.locator("#hotspot-map")).to_have_attribute(
        "data-hex-loaded", re.compile(r"[1-9]")
    )
    analyst.screenshot("42-analytics-hot-spots")
    assert analyst.problems == []
