"""An analyst narrows the dashboard to one beat and one month, the charts redraw, and the
numbers behind a chart come down as CSV."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pypdfium2
from django.utils import timezone
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
    expect(analyst.page.locator("#hotspot-map")).to_have_attribute(
        "data-hex-loaded", re.compile(r"[1-9]")
    )
    # The beats are drawn beneath the cells.
    expect(analyst.page.locator("#hotspot-map")).to_have_attribute("data-beats-loaded", "1")
    assert analyst.page.locator("#hotspot-map .leaflet-beats-pane path").count() >= 2
    analyst.screenshot("40-analytics-dashboard")
    analyst.page.select_option("#id_beat", label="B1")
    expect(analyst.page.locator("#scope-summary")).to_contain_text("beat B1")
    # The redrawn map picks the beat out among the others.
    expect(analyst.page.locator("#hotspot-map")).to_have_attribute("data-beats-highlighted", "1")
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
    # The hot spots tested by permutations instead: the legend says so, the map redraws.
    analyst.page.select_option("#id_hot_spot_test", label="Permutations")
    expect(analyst.page.locator("#hot-spot-test")).to_contain_text("conditional permutations")
    expect(analyst.page.locator("#hotspot-map")).to_have_attribute(
        "data-hex-loaded", re.compile(r"[1-9]")
    )
    assert "hot_spot_test=permutations" in analyst.page.url
    analyst.screenshot("42b-analytics-hot-spots-permutations")
    # The month before the selection's end, as a PDF with the charts.
    month = analyst.page.locator("#report-month").input_value()
    assert re.fullmatch(r"\d{4}-\d{2}", month)
    with analyst.page.expect_download() as download:
        analyst.page.locator("#monthly-report").get_by_role("button", name="PDF").click()
    assert download.value.suggested_filename == f"program-report-{month}.pdf"
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    document = pypdfium2.PdfDocument(pdf.read_bytes())
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    assert "Community Service Officer program:" in " ".join(text.split())
    assert "Calls per week" in text
    # The other pages keep the selection made here.
    analyst.page.get_by_role("link", name="Workload").click()
    expect(analyst.page.locator("#scope-summary")).to_contain_text(f"{month_start} to")
    expect(analyst.page.locator("#scope-summary")).to_contain_text("beat B1")
    assert analyst.problems == []


def test_supervisor_reads_workload_diversion_and_a_before_after(
    agency: dict[str, Any], open_session: Any, settings: Any
) -> None:
    settings.BEATBOOK_SWORN_HOURLY_COST = 95.0  # the demo's example costs
    settings.BEATBOOK_CSO_HOURLY_COST = 45.0
    from beatbook.analytics.tests.programme import closed_call, patrol
    from beatbook.calls.choices import CallStatus
    from beatbook.calls.models import CallRecord
    from beatbook.calls.records import call_records_backfill
    from beatbook.outreach.services.watch import watch_group_create
    from beatbook.roster.models import Shift

    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    unit, a1 = agency["cso_unit"], agency["a1"]
    for days_ago in range(40, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        Shift.objects.create(
            user=agency["cso"], starts_at=day, ends_at=day + dt.timedelta(hours=10)
        )
        calls = 1 if days_ago > 20 else 3  # the beat got busier twenty days ago
        for n in range(calls):
            start = day + dt.timedelta(hours=1 + 2 * n)
            closed_call(
                beat=a1,
                received=start,
                unit=unit,
                dispatched=start + dt.timedelta(minutes=5),
                on_scene=start + dt.timedelta(minutes=15),
                closed=start + dt.timedelta(minutes=50),
            )
        patrol(
            unit=unit,
            beat=a1,
            started=day + dt.timedelta(hours=7),
            ended=day + dt.timedelta(hours=8, minutes=30),
        )
    closed_call(
        beat=a1,
        received=today - dt.timedelta(days=3),
        status=CallStatus.ESCALATED,
        escalation_reason="Weapon seen on scene",
    )
    call_records_backfill()
    watch_group_create(
        actor=agency["cso"],
        name="Pine Street watch",
        liaison=agency["cso"],
        started_on=(today - dt.timedelta(days=20)).date(),
        beat=a1,
    )
    # The rest of the city, steady: two calls a day in beat B1 from the imported history.
    CallRecord.objects.bulk_create(
        CallRecord(
            source="city",
            source_id=f"{days_ago}-{n}",
            received_at=today - dt.timedelta(days=days_ago, hours=n),
            original_code="NOISE",
            beat=agency["b1"],
        )
        for days_ago in range(40, 0, -1)
        for n in range(2)
    )

    supervisor = open_session()
    supervisor.sign_in(agency["supervisor"])
    supervisor.goto("/analytics/workload/")
    row = supervisor.page.locator("#workload-table tbody tr").first
    expect(row).to_contain_text("North")
    expect(row.locator("td").nth(3)).to_have_text("80")  # 20 × 1 + 20 × 3 calls
    expect(supervisor.page.locator("#chart-people svg")).to_be_visible()
    supervisor.screenshot("43-analytics-workload")

    supervisor.page.get_by_role("link", name="Diversion").click()
    expect(supervisor.page.locator("#handled-calls")).to_contain_text("80")
    expect(supervisor.page.locator("#escalation-table")).to_contain_text("Weapon seen on scene")
    expect(supervisor.page.locator("#cost-avoided")).to_contain_text(
        "of sworn time, at $95 an hour"
    )
    # Each call took a CSO 45 minutes from dispatch to close: $33.75 at $45 an hour.
    expect(supervisor.page.locator("#cso-hours")).to_have_text("60")
    expect(supervisor.page.locator("#net-saving")).to_contain_text(
        "Per call handled: $34 of CSO time against"
    )
    # Of every call on record, what CSOs could take: the program's own 81, all noise calls;
    # the city's 80 came without a Beatbook call type, so they count neither way.
    expect(supervisor.page.locator("#potential-eligible")).to_contain_text("81 (100 %)")
    expect(supervisor.page.locator("#potential-unmapped")).to_contain_text("80 calls")
    expect(supervisor.page.locator("#chart-potential-busy svg")).to_be_visible()
    expect(supervisor.page.locator("#chart-potential-beats svg")).to_contain_text("A1")
    supervisor.screenshot("44-analytics-diversion")

    # The watch group the beat started twenty days ago is offered for comparison; its link
    # fills the form, and with only twenty days since, both windows are twenty days long.
    supervisor.page.get_by_role("link", name="Before and after").click()
    offered = supervisor.page.locator("#recent-interventions tbody tr").first
    expect(offered).to_contain_text("Watch group started: Pine Street watch")
    supervisor.screenshot("46-analytics-recent-interventions")
    offered.get_by_role("link", name="Compare before and after").click()
    pivot = (today - dt.timedelta(days=20)).date().isoformat()
    expect(supervisor.page.locator("#comparison-summary")).to_contain_text(
        f"Calls in beat A1, 20 days before and after {pivot}"
    )
    expect(supervisor.page.locator("#window-shortened")).to_contain_text("You asked for 90")
    expect(supervisor.page.locator("#id_beat option:checked")).to_have_text("A1")
    expect(supervisor.page.locator("#calls-before")).to_have_text("20")
    expect(supervisor.page.locator("#calls-after")).to_have_text("61")  # with the escalation
    expect(supervisor.page.locator("#verdict")).to_contain_text("More calls than")
    # Around it, the bordering beat; the place rose, so there is no drop to weigh.
    expect(supervisor.page.locator("#surroundings")).to_contain_text("bordering beats B1")
    expect(supervisor.page.locator("#wdq")).to_contain_text("did not fall")
    # The map outlines the beat and shades where the calls were: more after, so orange.
    where = supervisor.page.locator("#before-after-map")
    expect(where).to_have_attribute("data-beats-highlighted", "1")
    # The bordering beat it was compared against is drawn too, dashed purple.
    expect(where).to_have_attribute("data-beats-bordering", "1")
    bordering = where.locator('.leaflet-beats-pane path[stroke="#6a3d9a"]')
    expect(bordering).to_have_count(1)
    expect(bordering).to_have_attribute("stroke-dasharray", "6 4")
    cells = where.locator(".leaflet-overlay-pane path")
    expect(cells.first).to_have_attribute("fill", "#d94801")
    cells.first.hover()
    expect(supervisor.page.locator(".leaflet-tooltip").last).to_have_text("20 before · 61 after")
    supervisor.screenshot("45-analytics-before-after")

    # Around an address, the band between the radius and twice it is the surroundings.
    supervisor.page.locator("#id_beat").select_option(label="No beat (an address)")
    supervisor.page.locator("#id_address").fill("1500 Pine St")
    supervisor.page.get_by_role("button", name="Compare").click()
    expect(supervisor.page.locator("#surroundings")).to_contain_text(
        "between 150 and 300 m from it"
    )
    where = supervisor.page.locator("#before-after-map")
    expect(where).to_have_attribute("data-ring-drawn", "1")
    band = where.locator('.leaflet-overlay-pane path[stroke="#6a3d9a"]')
    expect(band).to_have_count(1)
    expect(band).to_have_attribute("fill-rule", "evenodd")  # a band: the circle inside is a hole
    expect(where).not_to_have_class(re.compile("leaflet-zoom-anim"))
    supervisor.screenshot("45b-analytics-before-after-address")
    assert supervisor.problems == []
