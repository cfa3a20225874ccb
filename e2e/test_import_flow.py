"""An analyst brings a city's calls export in from the browser: a missing code table is named
in place, then the import runs, its row shows the counts, and the rejects come down as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from beatbook.calls.models import CallRecord

DATA = Path(__file__).resolve().parent.parent / "src/beatbook/calls/tests/data/san_diego"
CALLS = DATA / "pd_calls_for_service_2023_datasd.csv"
TYPES = DATA / "pd_cfs_calltypes_datasd.csv"


def test_analyst_imports_a_city_export_from_the_browser(
    agency: dict[str, Any], open_session: Any, settings: Any, tmp_path: Path
) -> None:
    settings.BEATBOOK_IMPORTS_DIR = tmp_path / "imports"
    analyst = open_session()
    analyst.sign_in(agency["analyst"])
    analyst.goto("/analytics/")
    analyst.page.locator("#analytics-nav").get_by_role("link", name="Imports").click()
    expect(analyst.page.locator("#import-runs")).to_contain_text("Nothing has been imported yet.")
    page = analyst.page
    page.set_input_files("#id_calls", str(CALLS))
    page.select_option("#id_mapping", "san-diego")
    page.get_by_role("button", name="Check and import").click()
    # The answer replaces the form in place, with the reason next to the field.
    expect(page.locator("#import-form")).to_contain_text(
        "reads its call types' descriptions from pd_cfs_calltypes_datasd.csv"
    )
    assert CallRecord.objects.count() == 0
    analyst.screenshot("47-imports-missing-code-table")
    page.set_input_files("#id_calls", str(CALLS))
    page.select_option("#id_mapping", "san-diego")
    page.set_input_files("#id_tables", str(TYPES))
    # First only checked: what the import would do, with nothing imported.
    page.get_by_label("Only check it: import nothing yet").check()
    page.get_by_role("button", name="Check it, import nothing").click()
    expect(page.locator(".messages")).to_contain_text("handed to the check of every row")
    row = page.locator("#import-runs-table tbody tr").first
    expect(row).to_have_attribute("data-status", "checked")
    assert CallRecord.objects.count() == 0
    row.get_by_role("link", name="What the check found").click()
    expect(page.locator("#check-summary")).to_contain_text("26,576 would be imported")
    page.get_by_text("Rows it would reject, with line and reason (19)").click()
    expect(page.locator("#check-rejects tbody tr")).to_have_count(19)
    expect(page.locator("#check-rejects")).to_contain_text("(the call type) is empty")
    expect(page.locator("#coverage-chart svg")).to_be_visible()
    analyst.screenshot("47b-imports-checked-not-imported")
    page.locator("#check-summary").get_by_role("button", name="Import it").click()
    expect(page.locator(".messages")).to_contain_text("checked, and now queued for import")
    row = page.locator("#import-runs-table tbody tr").first
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text("26,595 of 26,595 (100 %)")
    expect(row).to_contain_text("26,576")
    assert page.url.endswith("/analytics/imports/")
    assert CallRecord.objects.filter(source="san-diego").count() == 26576
    analyst.screenshot("48-imports-done")
    with page.expect_download() as download:
        row.get_by_role("link", name="CSV").click()
    rejects = tmp_path / "rejects.csv"
    download.value.save_as(rejects)
    lines = rejects.read_text().splitlines()
    assert lines[0].startswith("line,reason,")
    assert len(lines) == 20
    # What the mapping left without a Beatbook value, for whoever corrects it.
    row.get_by_role("link", name="What the mapping left").click()
    expect(page.locator("h1")).to_have_text("What mapping “san-diego” left unmapped")
    expect(page.locator("#coverage-shares")).to_contain_text("a Beatbook call type")
    expect(page.locator("#coverage-chart svg")).to_be_visible()
    assert page.locator("#unmapped-call-types tbody tr").count() == 15
    analyst.screenshot("49-imports-what-the-mapping-left")
    # The most frequent code left, given its Beatbook call type in place: its rows take it.
    first = page.locator("#unmapped-call-types tbody tr").first
    code = first.get_attribute("data-code")
    assert code
    left = CallRecord.objects.filter(source="san-diego", original_code=code).count()
    first.get_by_label(f"Beatbook value for {code}").select_option("XPATROL")
    first.get_by_role("button", name="Map").click()
    corrected = page.locator("#code-corrections tbody tr").first
    expect(corrected).to_have_attribute("data-state", "applied")
    expect(corrected).to_contain_text(f"{left:,}")
    expect(page.locator(f'#unmapped-call-types tr[data-code="{code}"]')).to_have_count(0)
    assert CallRecord.objects.filter(original_code=code, call_type__code="XPATROL").count() == left
    analyst.screenshot("49b-imports-code-mapped-in-place")
    # Given by mistake: taken back, after a confirmation, the rows lose it and the code is
    # listed again.
    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    corrected.get_by_role("button", name="Take back").click()
    expect(corrected).to_have_attribute("data-state", "taken-back")
    assert messages[0].startswith(f"Take back XPATROL from call type code {code}?")
    expect(page.locator(f'#unmapped-call-types tr[data-code="{code}"]')).to_have_count(1)
    assert not CallRecord.objects.filter(original_code=code, call_type__isnull=False).exists()
    analyst.screenshot("49c-imports-code-taken-back")
    # It was the wrong file after all: its rows come out again, after a confirmation.
    page.get_by_role("link", name="Back to the imports").click()
    remove = page.get_by_role("button", name="Remove its rows")
    # It is seen: the header's link-style button (white text, no background) was invisible
    # on the white card.
    assert remove.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(179, 38, 30)"
    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    row = page.locator("#import-runs-table tbody tr").first
    expect(row).to_have_attribute("data-status", "removed")
    expect(row).to_contain_text("26,576 rows removed")
    assert CallRecord.objects.filter(source="san-diego").count() == 0
    analyst.screenshot("50-imports-removed")
    # The refused upload's 400, which the browser logs for the page's own request; no other.
    assert analyst.problems == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
