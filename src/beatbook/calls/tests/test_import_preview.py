"""A calls file checked with its mapping before it is imported: the same rows, rejects and
codes left as the import would give, and nothing written."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from beatbook.calls.importing.coverage import import_coverage
from beatbook.calls.importing.mapping import MAPPINGS_DIR, mapping_load
from beatbook.calls.importing.preview import Preview, import_preview
from beatbook.calls.importing.reading import ImportFileError
from beatbook.calls.importing.run import calls_import
from beatbook.calls.models import CallRecord, ImportRun
from beatbook.calls.tests.test_import import SAN_DIEGO, SEATTLE, SEATTLE_HEADER, seattle_row

pytestmark = pytest.mark.django_db


def comparable(preview: Preview) -> Any:
    return dataclasses.replace(preview.coverage, counted_at=None)


@pytest.mark.parametrize(("path", "name"), [(SAN_DIEGO, "san-diego"), (SEATTLE, "seattle")])
def test_a_check_tells_what_the_import_then_does_and_writes_nothing(
    agency: dict[str, Any], path: Path, name: str
) -> None:
    mapping = mapping_load(name)
    preview = import_preview(path=path, mapping=mapping, batch_size=5000)
    assert not CallRecord.objects.exists()
    assert not ImportRun.objects.exists()
    run = calls_import(path=path, mapping=mapping, batch_size=5000)
    assert (preview.records, preview.importable, preview.rejected, preview.new) == (
        run.rows_total,
        run.rows_imported,
        run.rows_rejected,
        run.rows_imported,
    )
    # The codes it said would be left are the ones the import left, with the same counts.
    assert comparable(preview) == dataclasses.replace(import_coverage(name), counted_at=None)
    # Checked again, every row is already there.
    again = import_preview(path=path, mapping=mapping)
    assert (again.new, again.already_there) == (0, run.rows_imported)
    assert again.as_json() == Preview.from_json(again.as_json()).as_json()


def test_san_diego_checked_names_its_rejects_and_what_its_mapping_leaves(
    agency: dict[str, Any],
) -> None:
    preview = import_preview(path=SAN_DIEGO, mapping=mapping_load("san-diego"))
    assert (preview.records, preview.importable, preview.rejected) == (26595, 26576, 19)
    assert len(preview.rejects) == 19
    assert preview.rejects[0] == (2636, "'call_type' (the call type) is empty")
    shares = {s.label: s.rows for s in preview.coverage.shares}
    assert shares["a Beatbook call type"] == 9934 - 1679  # SELENF is not mapped
    assert preview.coverage.call_types[0].code == "SELENF"
    assert preview.coverage.call_types[0].rows == 1679
    assert preview.coverage.beats[0].code == "521"


def test_the_command_checks_without_writing(
    agency: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    source = tmp_path / "calls.csv"
    rows = [seattle_row("1"), seattle_row("2", queued="never"), seattle_row("3", type="--ODD")]
    source.write_text(SEATTLE_HEADER + "".join(rows))
    call_command("import_calls", str(source), "--mapping", "seattle", "--check")
    out = capsys.readouterr().out
    assert (
        "calls.csv: checked, nothing written. Of its 3 records, 2 would be imported "
        "(2 new, 0 already there) and 1 rejected."
    ) in out
    assert "  line 3: 'Original Time Queued' is 'never', not a time like" in out
    assert (
        "Of the 2 rows it would import with mapping 'seattle', 50 % got a Beatbook call type" in out
    )
    assert "  Call types with no Beatbook call type, most frequent first (rows): --ODD (1)" in out
    assert not CallRecord.objects.exists()
    assert not ImportRun.objects.exists()
    assert not (tmp_path / "calls.csv.rejects.csv").exists()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(CommandError, match="broken.csv"):
        call_command("import_calls", str(broken), "--mapping", "seattle", "--check")
    with pytest.raises(ImportFileError):
        import_preview(path=broken, mapping=mapping_load("seattle"))


def test_days_without_a_call_are_named_by_the_check_the_page_and_the_command(
    agency: dict[str, Any], tmp_path: Path, capsys: Any, client_for: Any
) -> None:
    """A city has calls every day: a night the export missed shows as a day without any."""
    source = tmp_path / "calls.csv"
    days = ["06/01/2023", "06/02/2023", "06/05/2023", "06/05/2023"]
    rows = [
        seattle_row(str(n), queued=f"{day} 4:18:15 PM", arrived=f"{day} 4:48:15 PM")
        for n, day in enumerate(days)
    ]
    source.write_text(SEATTLE_HEADER + "".join(rows))
    preview = import_preview(path=source, mapping=mapping_load("seattle"))
    missing = [dt.date(2023, 6, 3), dt.date(2023, 6, 4)]
    assert preview.coverage.empty_days == missing
    assert preview.coverage.weekly() == [(dt.date(2023, 5, 29), 2), (dt.date(2023, 6, 5), 2)]
    call_command("import_calls", str(source), "--mapping", "seattle")
    out = capsys.readouterr().out
    assert (
        "  From 2023-06-01 to 2023-06-05; 2 days without a single call: 2023-06-03, 2023-06-04."
        in out
    )
    coverage = import_coverage("seattle")
    assert (coverage.empty_days, coverage.weekly()) == (missing, preview.coverage.weekly())
    run = ImportRun.objects.get()
    page = client_for("analyst").get(f"/analytics/imports/{run.pk}/").content.decode()
    assert "<strong>2 days without a single call</strong>: 2023-06-03, 2023-06-04." in page
    assert "<title>29 May 23 · Calls: 2</title>" in page


def test_times_read_in_the_wrong_zone_are_doubted_by_the_check_the_page_and_the_command(
    agency: dict[str, Any], tmp_path: Path, capsys: Any, client_for: Any
) -> None:
    """San Diego's calls are fewest at 04:00. Read as UTC (a mapping left at the default
    for an export in local time), they would be fewest at 20:00 of the agency's day."""
    right = import_preview(path=SAN_DIEGO, mapping=mapping_load("san-diego"))
    assert (sum(right.hours), right.quietest_hour, right.zone_doubt) == (26576, 4, "")
    utc = tmp_path / "san-diego.toml"
    shipped = (MAPPINGS_DIR / "san-diego.toml").read_text()
    utc.write_text(shipped.replace('timezone = "America/Los_Angeles"', 'timezone = "UTC"'))
    (tmp_path / "calls.csv").write_bytes(SAN_DIEGO.read_bytes())
    (tmp_path / "pd_cfs_calltypes_datasd.csv").write_bytes(
        (SAN_DIEGO.parent / "pd_cfs_calltypes_datasd.csv").read_bytes()
    )
    wrong = import_preview(path=tmp_path / "calls.csv", mapping=mapping_load(str(utc)))
    assert wrong.hours == right.hours[8:] + right.hours[:8]  # eight hours late, as read
    assert wrong.zone_doubt.startswith("Calls would be fewest at 20:00 of the agency's day")
    assert Preview.from_json(wrong.as_json()) == wrong  # kept on the check's run
    call_command("import_calls", str(tmp_path / "calls.csv"), "--mapping", str(utc), "--check")
    assert wrong.zone_doubt in capsys.readouterr().out
    run = ImportRun.objects.create(
        source="san-diego",
        file_name="calls.csv",
        status="checked",
        check_only=True,
        preview=wrong.as_json(),
    )
    page = client_for("analyst").get(f"/analytics/imports/{run.pk}/").content.decode()
    assert 'id="check-zone-doubt"><strong>Calls would be fewest at 20:00' in page
    assert "<title>20 · Calls: 507</title>" in page  # the hours drawn
    # Too few calls to judge the hours by: no doubt raised.
    few = import_preview(path=SEATTLE, mapping=mapping_load("seattle"))
    assert (sum(few.hours), few.quietest_hour, few.zone_doubt) == (222, None, "")


def test_figures_kept_before_days_were_counted_are_counted_again(agency: dict[str, Any]) -> None:
    from beatbook.calls.models import SourceCoverage

    calls_import(path=SEATTLE, mapping=mapping_load("seattle"))
    import_coverage("seattle")
    kept = SourceCoverage.objects.get()
    kept.figures.pop("days")
    kept.save()
    assert import_coverage("seattle").days  # counted again, not read without them
    assert "days" in SourceCoverage.objects.get().figures


def test_a_long_history_is_drawn_by_month(agency: dict[str, Any], client_for: Any) -> None:
    """Four years of weeks would be columns thinner than a pixel: months instead."""
    from beatbook.analytics.import_views import _periods_chart
    from beatbook.calls.importing.coverage import Coverage

    days = [("2020-01-15", 3), ("2020-02-01", 2), ("2023-12-31", 1)]
    coverage = Coverage(
        source="s", rows=6, shares=[], call_types=[], beats=[], dispositions=[], days=days
    )
    assert len(coverage.weekly()) > 156
    months = coverage.monthly()
    assert months[:2] == [(dt.date(2020, 1, 1), 3), (dt.date(2020, 2, 1), 2)]
    assert (len(months), months[-1]) == (48, (dt.date(2023, 12, 1), 1))
    svg = str(_periods_chart(coverage))
    assert "Calls per month" in svg
    assert "<title>Jan 2020 · Calls: 3</title>" in svg
    short = Coverage(
        source="s",
        rows=1,
        shares=[],
        call_types=[],
        beats=[],
        dispositions=[],
        days=[("2023-06-01", 1)],
    )
    assert "Calls per week" in str(_periods_chart(short))
