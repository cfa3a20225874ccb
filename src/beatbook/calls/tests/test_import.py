"""`beatbook import calls` on the two cities' real files, and on the broken files real exports
turn out to be."""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from beatbook.calls.importing.mapping import MappingError, mapping_load
from beatbook.calls.importing.reading import ImportFileError
from beatbook.calls.importing.run import Progress, calls_import
from beatbook.calls.models import CallRecord, ImportRun
from beatbook.core.actors import SYSTEM
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


def test_the_command_reports_progress_and_the_summary(
    agency: dict[str, Any], tmp_path: Path, capsys: Any
) -> None:
    source = tmp_path / "calls.csv"
    source.write_text(SEATTLE_HEADER + seattle_row("1") + seattle_row("2", queued="never"))
    call_command("import_calls", str(source), "--mapping", "seattle")
    out = capsys.readouterr().out
    assert "calls.csv: 1 imported, 0 already there, 1 rejected." in out
    assert (tmp_path / "calls.csv.rejects.csv").exists()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_calls", str(tmp_path / "nope.csv"), "--mapping", "seattle")
    with pytest.raises(CommandError, match="No mapping 'gotham'"):
        call_command("import_calls", str(source), "--mapping", "gotham")
