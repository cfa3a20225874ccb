"""`beatbook import calls` on the two cities' real files, and on the broken files real exports
turn out to be."""

from __future__ import annotations

import csv
import json
import re
import statistics
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beatbook.calls.importing.columns import INDEX, ColumnBuilder
from beatbook.calls.importing.mapping import (
    EXAMPLE_MAPPING,
    MAPPINGS_DIR,
    SCHEMA,
    Mapping,
    MappingError,
    mapping_load,
    mapping_names,
)
from beatbook.calls.importing.parallel import writers_available
from beatbook.calls.importing.reading import ImportFileError, batches, file_check
from beatbook.calls.importing.reading import rows as read_rows
from beatbook.calls.importing.run import Progress, calls_import
from beatbook.calls.importing.transform import RecordBuilder, RowRejected
from beatbook.calls.importing.writing import statistics_refresh, table_rows_known
from beatbook.calls.models import CallRecord, ImportRun
from beatbook.calls.tests.factories import statistics_of_an_empty_table
from beatbook.core.actors import SYSTEM
from beatbook.core.testing import INSIDE_A1
from beatbook.places.models import Beat
from beatbook.places.services import beats_import

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parent / "data"  # real files, see data/README.md
SAN_DIEGO = DATA / "san_diego" / "pd_calls_for_service_2023_datasd.csv"
SEATTLE = DATA / "seattle" / "spd_call_data_dennyblaine_2018-2023.csv"
DEMO_BEATS = Path(__file__).resolve().parents[2] / "demo" / "data" / "seattle_beats.geojson"
SEATTLE_HEADER = (
    "CAD Event Number,Event Clearance Description,Call Type,Priority,Initial Call Type,"
    "Final Call Type,Original Time Queued,Arrived Time,Precinct,Sector,Beat,"
    "Blurred_Longitude,Blurred_Latitude\n"
)


def seattle_row(number: str, **overrides: str) -> str:
    values = {
        "queued": "06/04/2023 4:18:15 PM",
        "arrived": "06/04/2023 4:48:15 PM",
        "type": "--DISTURBANCE - NOISE",
        "lat": "47.6176603",
        "lon": "-122.28112",
        "beat": "C3",
    }
    values.update(overrides)
    return (
        f'{number},ASSISTANCE RENDERED,911,3,NOISE,"{values["type"]}",{values["queued"]},'
        f"{values['arrived']},EAST,CHARLIE,{values['beat']},{values['lon']},{values['lat']}\n"
    )


@pytest.fixture
def spd_beats(db: Any) -> None:
    beats_import(
        actor=SYSTEM,
        collection=json.loads(DEMO_BEATS.read_text()),
        name_property="beat",
        sector_property="sector",
    )


def test_san_diego_real_file(agency: dict[str, Any], tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.csv"
    run = calls_import(path=SAN_DIEGO, mapping=mapping_load("san-diego"), rejects_path=rejects)
    assert (run.status, run.rows_read, run.rows_imported, run.rows_rejected) == (
        "done",
        26595,
        26576,
        19,
    )
    lines = rejects.read_text().splitlines()
    assert len(lines) == 20
    assert lines[1].startswith("2636,'call_type' (the call type) is empty,E23010002860,")
    records = CallRecord.objects.filter(source="san-diego")
    # 586 illegal parking (832) and 586H handicapped parking (41), per the data's README.
    assert records.filter(call_type__code="PARKING").count() == 873
    parking = records.filter(original_code="586").first()
    assert parking is not None
    assert parking.original_description == "ILLEGAL PARKING"
    # 402 rows have beat -1 (README); those among the rejects are not imported.
    rejected_unknown = sum(1 for line in lines[1:] if line.split(",")[-2] == "-1")
    assert records.filter(beat_code="-1").count() + rejected_unknown == 402
    assert not records.exclude(beat=None).exists()  # no SDPD polygons here: codes kept
    first = records.order_by("received_at").first()
    assert first is not None
    assert first.received_at.isoformat() == "2023-01-01T08:00:05+00:00"  # 00:00:05 PST
    assert first.block_text == "5th Ave / G"
    assert records.filter(disposition="report").exists()


def test_a_rerun_adds_nothing(agency: dict[str, Any]) -> None:
    mapping = mapping_load("san-diego")
    calls_import(path=SAN_DIEGO, mapping=mapping)
    again = calls_import(path=SAN_DIEGO, mapping=mapping)
    assert (again.rows_imported, again.rows_already_there) == (0, 26576)
    assert CallRecord.objects.count() == 26576
    assert ImportRun.objects.count() == 2


def test_a_corrected_mapping_updates_the_rows_imported_before(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    # The first mapping knew no noise: those calls came in without a Beatbook type.
    shipped = (MAPPINGS_DIR / "seattle.toml").read_text()
    narrow = tmp_path / "seattle.toml"
    narrow.write_text(shipped.replace('  ["NOISE", "NOISE"],\n', ""))
    source = tmp_path / "calls.csv"
    rows = [seattle_row(f"N{n}") for n in range(3)]
    rows.append(seattle_row("P1", type="--TRAFFIC - PARKING VIOL (EXCEPT ABANDONED CAR)"))
    source.write_text(SEATTLE_HEADER + "".join(rows))
    first = calls_import(path=source, mapping=mapping_load(str(narrow)))
    assert first.rows_imported == 4
    noise = CallRecord.objects.filter(source_id__startswith="N")
    assert set(noise.values_list("call_type", flat=True)) == {None}
    # The corrected mapping without --update leaves them as they were.
    shipped_mapping = mapping_load("seattle")
    again = calls_import(path=source, mapping=shipped_mapping)
    assert (again.rows_imported, again.rows_updated, again.rows_already_there) == (0, 0, 4)
    assert set(noise.values_list("call_type", flat=True)) == {None}
    # With it, the three noise calls take the new type; the parking call, unchanged, stays.
    updated = calls_import(path=source, mapping=shipped_mapping, update=True)
    assert (updated.rows_imported, updated.rows_updated, updated.rows_already_there) == (0, 3, 1)
    assert updated.message == "0 imported, 3 updated, 1 already there, 0 rejected"
    assert set(noise.values_list("call_type__code", flat=True)) == {"NOISE"}
    assert set(noise.values_list("import_run", flat=True)) == {updated.pk}
    parking = CallRecord.objects.get(source_id="P1")
    assert (parking.call_type.code, parking.import_run_id) == ("PARKING", first.pk)
    # Nothing left to change; a new row in the file is imported as usual.
    source.write_text(SEATTLE_HEADER + "".join(rows) + seattle_row("N9"))
    last = calls_import(path=source, mapping=shipped_mapping, update=True)
    assert (last.rows_imported, last.rows_updated, last.rows_already_there) == (1, 0, 4)
    assert CallRecord.objects.count() == 5


def test_an_import_that_grows_the_table_a_lot_refreshes_the_planners_statistics(
    agency: dict[str, Any],
) -> None:
    statistics_of_an_empty_table()
    assert table_rows_known() == 0
    calls_import(path=SAN_DIEGO, mapping=mapping_load("san-diego"))
    assert table_rows_known() == 26576
    # 222 more rows are under a tenth of what the planner knows of: left to autovacuum.
    calls_import(path=SEATTLE, mapping=mapping_load("seattle"))
    assert CallRecord.objects.count() == 26798
    assert table_rows_known() == 26576


def test_statistics_are_refreshed_only_past_a_tenth() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert not statistics_refresh(added=0, known=0)
        assert not statistics_refresh(added=100, known=1000)
    assert not queries.captured_queries
    with CaptureQueriesContext(connection) as queries:
        assert statistics_refresh(added=101, known=1000)
    assert [q["sql"] for q in queries.captured_queries] == ['ANALYZE "calls_callrecord"']


def test_seattle_real_file_gets_beats_cells_and_response_times(
    agency: dict[str, Any], spd_beats: None
) -> None:
    run = calls_import(path=SEATTLE, mapping=mapping_load("seattle"))
    assert (run.rows_imported, run.rows_rejected) == (222, 0)
    records = CallRecord.objects.filter(source="seattle")
    assert set(records.values_list("beat__name", flat=True)) == {"C3"}
    assert not records.filter(h3_cell="").exists()
    arrived = list(
        records.exclude(response_seconds=None).values_list("response_seconds", flat=True)
    )
    # The data's README: 186 rows with an arrival, median queued → arrived 27 minutes.
    assert len(arrived) == 186
    assert round(statistics.median(arrived) / 60) == 27
    # "PARKING VIOL (EXCEPT ABANDONED CAR)" is parking, not an abandoned vehicle.
    assert records.filter(call_type__code="PARKING").count() == 15
    assert not records.filter(call_type__code="VEHABND").exists()
    assert records.filter(call_type=None).exists()  # alarms etc. keep only their own code


def test_an_interrupted_import_keeps_whole_batches_and_the_next_run_finishes(
    agency: dict[str, Any],
) -> None:
    mapping = mapping_load("san-diego")

    def stop_after_first_batch(progress: Progress) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        calls_import(
            path=SAN_DIEGO, mapping=mapping, batch_size=1000, progress=stop_after_first_batch
        )
    assert CallRecord.objects.count() == 1000
    assert ImportRun.objects.get().status == "interrupted"
    rest = calls_import(path=SAN_DIEGO, mapping=mapping, batch_size=1000)
    assert (rest.rows_imported, rest.rows_already_there) == (25576, 1000)
    assert CallRecord.objects.count() == 26576


def test_bad_rows_are_rejected_by_line_and_reason_and_good_rows_kept(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text(
        SEATTLE_HEADER
        + seattle_row("1")
        + seattle_row("2", queued="yesterday")
        + seattle_row("3", arrived="06/04/2023 3:00:00 PM")
        + seattle_row("4", lat="147.5")
        + seattle_row("1")
        + seattle_row("5", type="--MULTI\nLINE NOISE")
        + seattle_row("")
        + seattle_row("6")
    )
    rejects = tmp_path / "rejects.csv"
    run = calls_import(path=source, mapping=mapping_load("seattle"), rejects_path=rejects)
    assert (run.rows_imported, run.rows_rejected) == (3, 5)
    with rejects.open(newline="") as f:
        reasons = [(row["line"], row["reason"]) for row in csv.DictReader(f)]
    expected = [
        ("3", "'Original Time Queued' is 'yesterday', not a time like"),
        ("4", "'Arrived Time' (2023-06-04 22:00 UTC) is before the call was received"),
        ("5", "'Blurred_Latitude' is 147.5, outside ±90"),
        ("6", "incident 1 appears twice in this file"),
        ("9", "'CAD Event Number' (the incident number) is empty"),  # 7-8: a quoted newline
    ]
    assert [line for line, _ in reasons] == [line for line, _ in expected]
    for (_, reason), (_, start) in zip(reasons, expected, strict=True):
        assert reason.startswith(start), reason
    assert set(CallRecord.objects.values_list("source_id", flat=True)) == {"1", "5", "6"}
    assert CallRecord.objects.get(source_id="5").original_code == "--MULTI\nLINE NOISE"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            SEATTLE_HEADER.encode() + seattle_row("1").encode() + b"2,caf\xe9\n",
            "line 3: not valid utf-8",
        ),
        (b"", "is empty"),
        (b"CAD Event Number,Beat\n1,C3\n", "the header lacks 'Original Time Queued'"),
        (SEATTLE_HEADER.encode() + b'1,"unclosed\n', "line"),
    ],
)
def test_a_broken_file_is_refused_with_a_clear_message_and_nothing_written(
    agency: dict[str, Any], tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "calls.csv"
    source.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        calls_import(path=source, mapping=mapping_load("seattle"))
    assert CallRecord.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_a_byte_order_mark_does_not_hide_the_first_column(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "calls.csv"
    source.write_bytes(b"\xef\xbb\xbf" + (SEATTLE_HEADER + seattle_row("77")).encode())
    assert calls_import(path=source, mapping=mapping_load("seattle")).rows_imported == 1


def test_a_third_city_needs_only_a_mapping_file(agency: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "springfield.toml").write_text(
        """
name = "springfield"
timezone = "America/Chicago"
encoding = "latin-1"
[columns]
source_id = "Incident"
received_at = "Opened"
on_scene_at = "OnScene"
call_type = "Nature"
block = "Location"
[formats]
datetime = ["%d.%m.%Y %H:%M"]
[call_types.exact]
"BARKING DOG" = "ANIMAL"
[dispositions.exact]
"""
    )
    source = tmp_path / "springfield.csv"
    source.write_bytes(
        "Incident,Opened,OnScene,Nature,Location\n"
        "S-1,02.03.2024 23:10,02.03.2024 23:40,BARKING DOG,12XX BLOCK OF ÉVERGREEN TER\n".encode(
            "latin-1"
        )
    )
    run = calls_import(path=source, mapping=mapping_load(str(tmp_path / "springfield.toml")))
    record = CallRecord.objects.get()
    assert (run.rows_imported, record.source, record.call_type.code) == (1, "springfield", "ANIMAL")
    assert record.response_seconds == 1800
    assert record.received_at.isoformat() == "2024-03-03T05:10:00+00:00"
    assert record.block_text == "1200 block of Évergreen Ter"


def test_mapping_mistakes_are_named(agency: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="san-diego, seattle"):
        mapping_load("gotham")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[columns]\nsource_id = "a"\nreceived_at = "b"\ncall_type = "c"\n'
        '[formats]\ndatetime = "%Y"\n[call_types.exact]\n"X" = "NOSUCHTYPE"\n'
    )
    source = tmp_path / "calls.csv"
    source.write_text("a,b,c\n1,2024,X\n")
    with pytest.raises(MappingError, match="NOSUCHTYPE are not Beatbook call types"):
        calls_import(path=source, mapping=mapping_load(str(bad)))
    bad.write_text('[columns]\nsource_id = "a"\n')
    with pytest.raises(MappingError, match="received_at, call_type must be given"):
        mapping_load(str(bad))


MINIMAL_MAPPING = (
    '[columns]\nsource_id = "a"\nreceived_at = "b"\ncall_type = "c"\n[formats]\ndatetime = "%Y"\n'
)


@pytest.mark.parametrize(
    ("added", "named"),
    [
        (
            '[call_type.exact]\n"X" = "NOISE"\n',
            "bad.toml: the file's top level: no such section or key 'call_type' (did you mean "
            "'call_types'?); it may hold name, description, encoding,",
        ),
        ('[address]\nstreet = "road"\n', "[address] street: 'road' should be a list in brackets"),
        ('[beats]\nunknown = "-1"\n', "[beats] unknown: '-1' should be a list in brackets"),
        ('[lookups.call_types]\nfile = "types.csv"\n', "[lookups.call_types]: 'code' must be"),
        ('[call_types]\nexact = ["X"]\n', "[call_types] exact: ['X'] should be a table"),
        ('[call_types.exact]\n"X" = 3\n', "[call_types.exact] X: 3 should be a text in quotes"),
        ('[columns.more]\nlat = "y"\n', "[columns]: no such key 'more'; it may hold source_id,"),
        ("[formats.more]\n", "[formats]: no such key 'more'"),
        ('[dispositions]\nrules = "x"\n', "[dispositions] rules: 'x' should be a list"),
    ],
)
def test_a_mistake_in_a_mappings_shape_is_named_with_where_it_is(
    tmp_path: Path, added: str, named: str
) -> None:
    """A third city's mapping is written by hand: a misspelt section used to map nothing,
    and a text where a list belongs was read letter by letter (street = "road": the columns
    r, o, a, d). Each is refused, naming the file, the place and what belongs there."""
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL_MAPPING + added)
    with pytest.raises(MappingError) as error:
        mapping_load(str(bad))
    assert named in str(error.value)


def test_every_mistake_in_a_mappings_shape_is_named_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('timezon = "UTC"\n' + MINIMAL_MAPPING + '[address]\ncross = "x"\n')
    with pytest.raises(MappingError) as error:
        mapping_load(str(bad))
    assert str(error.value).startswith(
        "bad.toml: the file's top level: no such section or key 'timezon' (did you mean "
        "'timezone'?); "
    )
    assert "; [address] cross: 'x' should be a list in brackets" in str(error.value)
    # Only a time may be given as a list of columns (joined), and not an empty one.
    bad.write_text(
        '[columns]\nsource_id = ["a", "b"]\nreceived_at = []\ncall_type = "c"\n'
        '[formats]\ndatetime = "%Y"\n'
    )
    with pytest.raises(MappingError) as error:
        mapping_load(str(bad))
    assert str(error.value) == (
        "bad.toml: [columns] received_at: [] should be a text in quotes or a list of them; "
        "[columns] source_id: ['a', 'b'] should be a text in quotes."
    )
    # The shipped mappings have the shape (the imports page's tables to add: test_imports).
    assert [mapping_load(name).name for name in mapping_names()] == ["san-diego", "seattle"]


def test_a_time_format_or_a_beat_that_cannot_be_is_refused_before_any_row(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    """Each would have rejected every row one by one ("not a time like …"), or left every
    row without its beat."""
    bad = tmp_path / "bad.toml"
    columns = '[columns]\nsource_id = "a"\nreceived_at = "b"\ncall_type = "c"\nbeat = "d"\n'
    for formats, named in [
        ('"%Y-%m-%d %H:%Q"', "datetime '%Y-%m-%d %H:%Q': not a strptime format ('Q' is a bad"),
        ('["%Y-%m-%d", "%H:%M"]', "datetime '%H:%M': has no year (%Y or %y)"),
    ]:
        bad.write_text(f"{columns}[formats]\ndatetime = {formats}\n")
        with pytest.raises(MappingError, match=re.escape(named)):
            mapping_load(str(bad))
    bad.write_text(
        f'{columns}[formats]\ndatetime = "%Y-%m-%dT%H:%M:%S%z"\n'
        '[beats.rename]\n"N1" = "A1"\n"N2" = "North 2"\n'
    )
    source = tmp_path / "calls.csv"
    source.write_text("a,b,c,d\n1,2024-03-01T10:00:00-0800,NOISE,N1\n")
    with pytest.raises(MappingError, match=r"\[beats.rename\]: North 2 are not Beatbook beats"):
        calls_import(path=source, mapping=mapping_load(str(bad)))
    assert not CallRecord.objects.exists()
    bad.write_text(bad.read_text().replace('"North 2"', '"b1"'))  # any case, as codes
    assert calls_import(path=source, mapping=mapping_load(str(bad))).rows_imported == 1
    assert CallRecord.objects.get().beat.name == "A1"


def test_the_mapping_guides_example_is_a_mapping_that_imports(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    """The example mapping (downloaded from the imports page, shown in docs/importing.md)
    holds every key a mapping may: it must load, and read a file written as it describes."""
    import tomllib

    guide = (Path(__file__).resolve().parents[4] / "docs" / "importing.md").read_text()
    shown = re.search(r"```toml\n(.*?)```", guide, re.DOTALL)
    assert shown is not None
    text = EXAMPLE_MAPPING.read_text()
    assert text.split("\n", 2)[2] == shown.group(1)  # the same, but for its two first lines
    written = tomllib.loads(text)
    # Every key the file's shape allows is shown (and nothing else, or it would not load);
    # x, y and crs, which replace lat and lon, as comments.
    commented = {"crs", "x", "y"}
    for name in commented:
        assert re.search(rf"^# {name} = ", text, re.MULTILINE), name
    for section, schema in SCHEMA["properties"].items():
        assert section in written or section in commented, section
        if "properties" in schema:
            assert set(written[section]) == set(schema["properties"]) - commented, section
    mapping = mapping_load(str(EXAMPLE_MAPPING))
    (tmp_path / "call_types.csv").write_text("call_type,description\n586,Parked too long\n")
    header = "Incident,Opened,Nature,NatureText,DispDate,DispTime,OnScene,Closed,Pri,Outcome,Beat,"
    header += "Latitude,Longitude,Location,address_number,street_dir,street_name,street_suffix,"
    header += "cross_dir,cross_name,cross_suffix\n"
    rows = [
        "S-1,02.03.2024 23:10,586,,02.03.2024,23:25,02.03.2024 23:40,,2,R,NORTH-1,,,,1520,,Pine,"
        "St,,,\n",
        "S-2,03.03.2024 01:02:03,LOUD PARTY,Party,,,,,high,UNFOUNDED CALL,-1,,,,,,,,,,\n",
        "S-3,yesterday,586,,,,,,,,,,,,,,,,,,\n",
    ]
    source = tmp_path / "calls.csv"
    source.write_bytes((header + "".join(rows)).encode("latin-1"))
    run = calls_import(path=source, mapping=mapping)
    assert (run.rows_imported, run.rows_rejected) == (2, 1)
    first, second = CallRecord.objects.order_by("source_id")
    assert (first.source, first.call_type.code, first.original_description) == (
        "springfield",
        "PARKING",
        "Parked too long",
    )
    assert (first.response_seconds, first.disposition, first.beat.name) == (1800, "report", "A1")
    assert first.block_text == "1500 block of Pine St"
    assert first.received_at.isoformat() == "2024-03-03T05:10:00+00:00"  # Chicago's time
    assert first.dispatched_at.isoformat() == "2024-03-03T05:25:00+00:00"  # from two columns
    assert (second.call_type.code, second.disposition, second.beat) == ("NOISE", "unfounded", None)
    assert (first.priority, second.priority) == (2, 2)  # "high", by [priorities.exact]


def test_the_command_reports_progress_and_the_summary(
    agency: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text(SEATTLE_HEADER + seattle_row("1") + seattle_row("2", queued="never"))
    call_command("import_calls", str(source), "--mapping", "seattle")
    out = capsys.readouterr().out
    assert "calls.csv: 1 imported, 0 already there, 1 rejected." in out
    assert (tmp_path / "calls.csv.rejects.csv").exists()
    # What the mapping left, for whoever ran it: this agency has no beat C3.
    run = ImportRun.objects.get()
    assert (
        "Of the 1 rows of source 'seattle', 100 % got a Beatbook call type, "
        "0 % got a beat of ours, 100 % got a place on the map"
    ) in out
    assert "  Beat codes that are no beat of ours, most frequent first (rows): C3 (1)" in out
    assert "with no Beatbook call type" not in out
    assert f"/analytics/imports/{run.pk}/; then import again with --update." in out
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_calls", str(tmp_path / "nope.csv"), "--mapping", "seattle")
    with pytest.raises(CommandError, match="not a file; give the calls export's CSV file"):
        call_command("import_calls", str(tmp_path), "--mapping", "seattle")
    with pytest.raises(CommandError, match="No mapping 'gotham'"):
        call_command("import_calls", str(source), "--mapping", "gotham")


def test_the_commands_help_names_the_mappings_it_ships_and_it_batches_as_benchmarked() -> None:
    from beatbook.calls.importing.run import BATCH
    from beatbook.calls.management.commands.import_calls import Command

    named = Command.help.split("--mapping ", 1)[1].split("|PATH.toml", 1)[0].split("|")
    assert sorted(named) == sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))
    assert [mapping_load(name).name for name in named] == named  # each loads
    options = (
        Command()
        .create_parser("beatbook", "import_calls")
        .parse_args(["calls.csv", "--mapping", "seattle"])
    )
    assert options.batch_size == BATCH  # the batches B1 measures


# --- the column path (polars) against the row path (RecordBuilder), row for row ---------------


def _row_path(path: Path, mapping: Mapping) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """What importing row by row keeps and rejects: the reference the columns must match."""
    builder = RecordBuilder(mapping, path.parent)
    kept: dict[str, Any] = {}
    rejected: list[tuple[int, str]] = []
    for line, row in read_rows(path, mapping):
        source_id = (row.get(mapping.columns["source_id"]) or "").strip()
        if source_id in kept:
            rejected.append((line, f"incident {source_id} appears twice in this file"))
            continue
        try:
            kept[source_id] = builder.build(row)
        except RowRejected as exc:
            rejected.append((line, str(exc)))
    return kept, rejected


def _column_path(
    path: Path, mapping: Mapping, batch_size: int
) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    check = file_check(path, mapping)
    builder = ColumnBuilder(RecordBuilder(mapping, path.parent))
    kept: dict[str, Any] = {}
    rejected: list[tuple[int, str]] = []
    for first, raw in batches(path, mapping, check, batch_size):
        built = builder.build(raw, first)
        for record in built.records.drop(INDEX).to_dicts():
            kept[record["source_id"]] = record
        rejected += [(check.record_lines[n], why) for n, why, _ in built.rejects]
    return kept, rejected


def _assert_paths_agree(path: Path, mapping: Mapping, batch_size: int = 20_000) -> int:
    """Both paths keep the same records, field for field, and reject the same lines with
    the same reasons; returns how many were kept."""
    rows_kept, rows_rejected = _row_path(path, mapping)
    columns_kept, columns_rejected = _column_path(path, mapping, batch_size)
    assert columns_rejected == rows_rejected
    assert columns_kept.keys() == rows_kept.keys()
    for source_id, record in rows_kept.items():
        assert columns_kept[source_id] == {"source_id": source_id, **record}, source_id
    return len(rows_kept)


def test_the_columns_and_the_rows_agree_on_both_cities_real_files(
    agency: dict[str, Any], spd_beats: None
) -> None:
    assert _assert_paths_agree(SEATTLE, mapping_load("seattle"), batch_size=50) == 222
    assert _assert_paths_agree(SAN_DIEGO, mapping_load("san-diego")) == 26576


def counted(function: Any, calls: list[Any]) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return function(*args, **kwargs)

    return wrapper


def test_a_time_split_over_two_columns_is_read_as_one_by_both_paths(
    agency: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    """Los Angeles writes the dispatch date with a midnight time in one column and the time
    in the next ("01/02/2024 12:00:00 AM", "21:30:05"): a list of columns is joined with a
    space, and the format reads the whole."""
    (tmp_path / "la.toml").write_text(
        """
name = "la"
timezone = "America/Los_Angeles"
[columns]
source_id = "Incident Number"
received_at = ["Dispatch Date", "Dispatch Time"]
on_scene_at = ["Arrival Date", "Arrival Time"]
call_type = "Call Type Code"
[formats]
datetime = "%m/%d/%Y 12:00:00 AM %H:%M:%S"
[call_types.exact]
"507P" = "NOISE"
"""
    )
    header = (
        "Incident Number,Dispatch Date,Dispatch Time,Arrival Date,Arrival Time,Call Type Code\n"
    )
    rows = [
        "LA-1,01/02/2024 12:00:00 AM,21:30:05,01/02/2024 12:00:00 AM,21:50:05,507P\n",
        "LA-2, 01/03/2024 12:00:00 AM , 01:02:03 ,,,507P\n",  # no arrival: both empty
        "LA-3,01/03/2024 12:00:00 AM,,,,507P\n",  # the time missing: not a time
        "LA-4,01/03/2024 12:00:00 AM,7:02,,,507P\n",  # not the format
        "LA-5,01/03/2024 12:00:00 AM,02:00:00,,08:00:00,507P\n",  # half an arrival
    ]
    source = tmp_path / "calls.csv"
    source.write_text(header + "".join(rows))
    mapping = mapping_load(str(tmp_path / "la.toml"))
    assert mapping.columns["received_at"] == "Dispatch Date + Dispatch Time"
    assert _assert_paths_agree(source, mapping) == 2
    # The columns read the fine rows themselves, one without an arrival too: only the three
    # it cannot read go down the row path (one by one, far slower).
    rowwise: list[Any] = []
    monkeypatch.setattr(RecordBuilder, "build", counted(RecordBuilder.build, rowwise))
    _column_path(source, mapping, 20_000)
    assert len(rowwise) == 3
    run = calls_import(path=source, mapping=mapping, rejects_path=tmp_path / "rejects.csv")
    assert (run.rows_imported, run.rows_rejected) == (2, 3)
    first = CallRecord.objects.get(source_id="LA-1")
    assert first.received_at.isoformat() == "2024-01-03T05:30:05+00:00"
    assert (first.response_seconds, first.call_type.code) == (1200, "NOISE")
    assert CallRecord.objects.get(source_id="LA-2").on_scene_at is None
    with (tmp_path / "rejects.csv").open() as f:
        rejected = list(csv.DictReader(f))
    assert [(r["line"], r["reason"]) for r in rejected] == [
        (
            "4",
            "'Dispatch Date + Dispatch Time' is '01/03/2024 12:00:00 AM', not a time like "
            "%m/%d/%Y 12:00:00 AM %H:%M:%S",
        ),
        (
            "5",
            "'Dispatch Date + Dispatch Time' is '01/03/2024 12:00:00 AM 7:02', not a time "
            "like %m/%d/%Y 12:00:00 AM %H:%M:%S",
        ),
        (
            "6",
            "'Arrival Date + Arrival Time' is '08:00:00', not a time like "
            "%m/%d/%Y 12:00:00 AM %H:%M:%S",
        ),
    ]
    assert rejected[0]["Dispatch Time"] == ""  # each reject with the file's own columns
    # A file without one of the columns is refused before any row, naming it.
    source.write_text(header.replace("Arrival Time", "Arrived") + rows[0])
    with pytest.raises(ImportFileError, match="the header lacks 'Arrival Time'"):
        calls_import(path=source, mapping=mapping)


def test_a_tab_separated_export_is_read_with_its_delimiter(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    mapping_file = tmp_path / "tabs.toml"
    mapping_file.write_text('delimiter = "\\t"\n' + MINIMAL_MAPPING.replace('"%Y"', '"%Y-%m-%d"'))
    mapping = mapping_load(str(mapping_file))
    assert mapping.delimiter == "\t"
    rows = ["a\tb\tc\n", "1\t2024-03-01\tNOISE\n", "2\t2024-03-02\tPARKING, VIOLATION\n"]
    plain, quoted = tmp_path / "plain.tsv", tmp_path / "quoted.tsv"
    plain.write_text("".join(rows))
    # Quoted fields, and another encoding: the file is rewritten before polars reads it.
    quoted.write_bytes(("".join(rows) + '3\t2024-03-03\t"NOISE\tLOUD"\n').encode("utf-16"))
    assert _assert_paths_agree(plain, mapping) == 2
    run = calls_import(path=plain, mapping=mapping)
    assert run.rows_imported == 2
    assert CallRecord.objects.get(source_id="2").original_code == "PARKING, VIOLATION"
    mapping.encoding = "utf-16"
    assert _assert_paths_agree(quoted, mapping) == 3
    assert calls_import(path=quoted, mapping=mapping).rows_imported == 1  # 1 and 2 are there
    assert CallRecord.objects.get(source_id="3").original_code == "NOISE\tLOUD"
    for bad in ('";;"', '""', '"\\""'):
        mapping_file.write_text(f"delimiter = {bad}\n" + MINIMAL_MAPPING)
        with pytest.raises(MappingError, match="one character between fields"):
            mapping_load(str(mapping_file))


def test_priorities_written_as_text_are_numbered_by_the_mapping_in_both_paths(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    """A CAD that writes "P1" or "HIGH" had every row rejected ("not a number"), and one
    priority too large for its column failed the whole batch on PostgreSQL."""
    mapping_file = tmp_path / "p.toml"
    mapping_file.write_text(
        MINIMAL_MAPPING.replace("[formats]", 'priority = "p"\n[formats]').replace(
            '"%Y"', '"%Y-%m-%d"'
        )
        + '[priorities.exact]\n"P1" = 1\n"High" = 2\n'
    )
    mapping = mapping_load(str(mapping_file))
    assert mapping.priorities == {"P1": 1, "HIGH": 2}
    texts = ["p1", "HIGH", "3", "", "0", "P9", "100", "-1", "99999"]
    source = tmp_path / "calls.csv"
    rows = "".join(f"{n},2024-03-01,NOISE,{t}\n" for n, t in enumerate(texts))
    source.write_text("a,b,c,p\n" + rows)
    assert _assert_paths_agree(source, mapping) == 5
    run = calls_import(path=source, mapping=mapping, rejects_path=tmp_path / "rejects.csv")
    assert (run.rows_imported, run.rows_rejected) == (5, 4)
    kept = dict(CallRecord.objects.values_list("source_id", "priority"))
    assert kept == {"0": 1, "1": 2, "2": 3, "3": None, "4": 0}
    with (tmp_path / "rejects.csv").open() as f:
        reasons = [r["reason"] for r in csv.DictReader(f)]
    assert reasons[0].startswith("'p' is 'P9', not a number (a priority written as text is")
    assert reasons[1:] == [f"'p' is '{t}', not a priority from 0 to 99" for t in texts[6:]]
    for bad, named in [
        ('"P1" = "1"', "[priorities.exact] P1: '1' should be a whole number, without quotes"),
        ('"P1" = 120', "[priorities.exact] P1: 120 is greater than the maximum of 99"),
    ]:
        mapping_file.write_text(MINIMAL_MAPPING + f"[priorities.exact]\n{bad}\n")
        with pytest.raises(MappingError, match=re.escape(named)):
            mapping_load(str(mapping_file))


def test_iso_times_with_a_fraction_are_read_as_columns_alike(
    agency: dict[str, Any], tmp_path: Path, monkeypatch: Any
) -> None:
    """Socrata's exports write "2024-01-02T21:30:05.000": read by the columns (strptime row
    by row made such a file's import several times slower), as the row path reads them."""
    (tmp_path / "iso.toml").write_text(
        '[columns]\nsource_id = "id"\nreceived_at = "t"\ncall_type = "c"\n'
        '[formats]\ndatetime = "%Y-%m-%dT%H:%M:%S.%f"\n'
    )
    times = ["2024-01-02T21:30:05.000", "2024-01-02T21:30:05.5", "2024-01-02T21:30:05.123456"]
    times += ["2024-01-02T21:30:05", "2024-01-02T21:30:05.1234567", "2024-01-02T21:30:05."]
    source = tmp_path / "calls.csv"
    source.write_text("id,t,c\n" + "".join(f"{n},{t},NOISE\n" for n, t in enumerate(times)))
    mapping = mapping_load(str(tmp_path / "iso.toml"))
    assert _assert_paths_agree(source, mapping) == 3
    rowwise: list[Any] = []
    monkeypatch.setattr(RecordBuilder, "build", counted(RecordBuilder.build, rowwise))
    kept, rejected = _column_path(source, mapping, 20_000)
    assert len(rowwise) == 3  # only the three times no format reads
    assert [r["received_at"].microsecond for r in kept.values()] == [0, 500000, 123456]


def test_points_in_a_projected_coordinate_system_are_placed_by_both_paths(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    """Many CAD exports give a state plane's or UTM's x and y, not latitude and longitude:
    with crs named, they are placed (and their beat found from the point) alike by both
    paths; a point pyproj cannot place is rejected with its line."""
    from pyproj import Transformer

    (tmp_path / "utm.toml").write_text(
        """
name = "utm-city"
crs = "EPSG:32610"
[columns]
source_id = "Id"
received_at = "Time"
call_type = "Type"
x = "X"
y = "Y"
[formats]
datetime = "%Y-%m-%d %H:%M"
"""
    )
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32610", always_xy=True)
    x, y = to_utm.transform(INSIDE_A1[1], INSIDE_A1[0])
    rows = [
        f"1,2024-03-01 10:00,NOISE,{x:.3f},{y:.3f}\n",
        "2,2024-03-01 10:00,NOISE,,\n",  # no point
        "3,2024-03-01 10:00,NOISE,0,0\n",  # a CAD's "no location"
        f"4,2024-03-01 10:00,NOISE,{x:.3f},\n",  # half a point is none
        f"5,2024-03-01 10:00,NOISE,abc,{y:.3f}\n",
        f"6,2024-03-01 10:00,NOISE,1e400,{y:.3f}\n",
        "7,2024-03-01 10:00,NOISE,1e12,1e12\n",  # off the projection
    ]
    source = tmp_path / "calls.csv"
    source.write_text("Id,Time,Type,X,Y\n" + "".join(rows))
    mapping = mapping_load(str(tmp_path / "utm.toml"))
    assert _assert_paths_agree(source, mapping) == 4
    run = calls_import(path=source, mapping=mapping, rejects_path=tmp_path / "rejects.csv")
    assert (run.rows_imported, run.rows_rejected) == (4, 3)
    placed = CallRecord.objects.get(source_id="1")
    assert (placed.lat, placed.lon) == pytest.approx(INSIDE_A1, abs=1e-6)
    assert (placed.beat.name, placed.h3_cell != "") == ("A1", True)
    assert list(
        CallRecord.objects.filter(lat__isnull=True)
        .order_by("source_id")
        .values_list("source_id", flat=True)
    ) == ["2", "3", "4"]
    with (tmp_path / "rejects.csv").open() as f:
        reasons = [(r["line"], r["reason"]) for r in csv.DictReader(f)]
    assert reasons == [
        ("6", "'X' is 'abc', not a number"),
        ("7", "'X' is '1e400', not a number"),
        ("8", "'X', 'Y' (1e+12, 1e+12) is no point in EPSG:32610"),
    ]


def test_a_projected_mapping_names_its_coordinate_system(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    for top, columns, named in [
        ("", 'x = "X"\ny = "Y"\n', "x and y go together, with crs ="),
        ('crs = "EPSG:32610"\n', 'x = "X"\n', "x and y go together"),
        ('crs = "EPSG:32610"\n', "", "crs 'EPSG:32610' is for x and y, and [columns] has none"),
        ('crs = "EPSG:32610"\n', 'x = "X"\ny = "Y"\nlat = "L"\n', "or x and y, not both"),
        ('crs = "EPSG:99999"\n', 'x = "X"\ny = "Y"\n', "crs 'EPSG:99999': no coordinate"),
    ]:
        bad.write_text(top + MINIMAL_MAPPING.replace("[formats]", columns + "[formats]"))
        with pytest.raises(MappingError, match=re.escape(named)):
            mapping_load(str(bad))


def test_the_columns_and_the_rows_agree_on_every_kind_of_awkward_row(
    agency: dict[str, Any], spd_beats: None, tmp_path: Path
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text(
        SEATTLE_HEADER
        + seattle_row("1")
        # the hour skipped in spring, and the hour that comes twice in the autumn
        + seattle_row("2", queued="03/10/2024 2:30:00 AM", arrived="03/10/2024 3:45:00 AM")
        + seattle_row("3", queued="11/03/2024 1:30:00 AM", arrived="11/03/2024 1:50:00 AM")
        + seattle_row("4", queued="06/04/2023 4:18:15PM")  # no space: not the format
        + seattle_row("5", queued="06/31/2023 4:18:15 PM")  # no such day
        + seattle_row("6", queued="06/04/2023 13:18:15 PM")  # no such hour
        + seattle_row("7", queued="٠٦/04/2023 4:18:15 PM")  # other digits: Python reads them
        + seattle_row("8", lat="nan")
        + seattle_row("9", lat="4_7.6")  # Python's float() reads it; polars does not
        + seattle_row("10", lat="", lon="")
        + seattle_row("11", lat="0", lon="0")  # a CAD's "no location"
        + seattle_row("12", lat="47.6", lon="")
        + seattle_row("2", queued="yesterday")  # a repeat that is also bad: named a repeat
        + seattle_row("13", queued="yesterday")
        + seattle_row("13")  # the first was rejected: this one is kept
        + seattle_row("14", beat="ZZ9")
        + seattle_row("x" * 41)
        + seattle_row(" 15 ")
        + "16,,,,,,06/04/2023 4:18:15 PM\n"  # a short row
        + "\n"  # a blank line
        + seattle_row("17", type="--MULTI\nLINE NOISE")
    )
    _assert_paths_agree(source, mapping_load("seattle"), batch_size=4)
    kept, _ = _row_path(source, mapping_load("seattle"))
    assert set(kept) == {"1", "2", "3", "7", "9", "10", "11", "12", "13", "14", "15", "17"}
    assert kept["2"]["received_at"].isoformat() == "2024-03-10T10:30:00+00:00"  # read as PST
    assert kept["3"]["received_at"].isoformat() == "2024-11-03T08:30:00+00:00"  # the first


def test_a_file_without_quotes_is_checked_in_one_pass_and_lines_still_named(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "calls.csv"
    rows = [seattle_row(str(n)).replace('"', "") for n in range(1, 6)]
    rows[3] = seattle_row("4", queued="never").replace('"', "")
    source.write_text(SEATTLE_HEADER + "".join(rows) + "\n")  # and a blank line at the end
    check = file_check(source, mapping_load("seattle"))
    assert isinstance(check.record_lines, range)
    assert check.records == 6
    rejects = tmp_path / "rejects.csv"
    run = calls_import(path=source, mapping=mapping_load("seattle"), rejects_path=rejects)
    assert (run.rows_imported, run.rows_rejected) == (4, 2)
    with rejects.open(newline="") as f:
        lines = [(row["line"], row["reason"][:30]) for row in csv.DictReader(f)]
    assert lines == [
        ("5", "'Original Time Queued' is 'nev"),
        ("7", "'CAD Event Number' (the incide"),
    ]


def test_old_mac_line_ends_are_read_as_python_reads_them(
    agency: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "calls.csv"
    source.write_bytes(
        (SEATTLE_HEADER + seattle_row("1") + seattle_row("2")).replace("\n", "\r").encode()
    )
    check = file_check(source, mapping_load("seattle"))
    assert not check.plain
    run = calls_import(path=source, mapping=mapping_load("seattle"))
    assert (run.rows_imported, run.rows_rejected) == (2, 0)
    assert set(CallRecord.objects.values_list("source_id", flat=True)) == {"1", "2"}


def test_without_a_beat_column_both_paths_find_the_beat_from_the_point(
    agency: dict[str, Any], spd_beats: None, tmp_path: Path
) -> None:
    shipped = (Path(mapping_load("seattle").path)).read_text()
    no_beats = tmp_path / "seattle-points.toml"
    no_beats.write_text(shipped.replace('beat = "Beat"\n', ""))
    mapping = mapping_load(str(no_beats))
    assert "beat" not in mapping.columns
    assert _assert_paths_agree(SEATTLE, mapping) == 222
    kept, _ = _column_path(SEATTLE, mapping, 1000)
    assert {r["beat_id"] for r in kept.values()} == {Beat.objects.get(name="C3").pk}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_batches_are_written_side_by_side_and_stay_whole(
    agency: dict[str, Any], settings: Any
) -> None:
    """The real command's case (no surrounding transaction): on PostgreSQL two connections
    write at once; counts, an interruption and the re-run come out as with one."""
    settings.BEATBOOK_IMPORT_WRITERS = 2
    assert writers_available() == (2 if connection.vendor == "postgresql" else 1)
    mapping = mapping_load("san-diego")
    seen: list[Progress] = []

    def stop_after_second_batch(progress: Progress) -> None:
        seen.append(progress)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        calls_import(
            path=SAN_DIEGO, mapping=mapping, batch_size=2000, progress=stop_after_second_batch
        )
    interrupted = ImportRun.objects.get()
    written = CallRecord.objects.count()
    assert interrupted.status == "interrupted"
    assert written == interrupted.rows_imported  # batches still being written were counted
    # whole batches only: every row of each batch read is written or rejected
    assert interrupted.rows_read % 2000 == 0
    assert interrupted.rows_read >= 4000
    assert written == interrupted.rows_read - interrupted.rows_rejected
    rest = calls_import(path=SAN_DIEGO, mapping=mapping, batch_size=2000)
    assert (rest.rows_imported, rest.rows_already_there) == (26576 - written, written)
    assert rest.rows_rejected == 19
    assert CallRecord.objects.count() == 26576
    # An update side by side: every row compared, none of them changed, a changed one put back.
    CallRecord.objects.filter(source_id__in=["E23010000001", "E23010000002"]).update(priority=-7)
    redo = calls_import(path=SAN_DIEGO, mapping=mapping, batch_size=2000, update=True)
    assert (redo.rows_imported, redo.rows_updated, redo.rows_already_there) == (0, 2, 26574)
    assert not CallRecord.objects.filter(priority=-7).exists()
    # the writers' threads end with the import, whether it finished or was interrupted
    assert not [t for t in threading.enumerate() if t.name.startswith("import-writer")]
