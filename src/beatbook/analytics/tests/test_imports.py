"""The imports page: a city's export uploaded, checked, imported in the background, with its
progress, its rejects and a second try; and who may do it."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beatbook.analytics.import_views import time_left
from beatbook.analytics.models import WeeklyCount
from beatbook.analytics.rollups import rollups_check
from beatbook.calls.importing import uploads
from beatbook.calls.importing.corrections import code_correct
from beatbook.calls.importing.mapping import EXAMPLE_MAPPING, MAPPINGS_DIR, mapping_load
from beatbook.calls.importing.run import Progress
from beatbook.calls.importing.uploads import (
    ImportUploadError,
    import_upload_retry,
    import_upload_run,
)
from beatbook.calls.models import CallRecord, ImportRun, SourceCoverage
from beatbook.calls.tests.test_import import SAN_DIEGO, SEATTLE_HEADER, seattle_row
from beatbook.core.actors import actor_label
from beatbook.core.history import history_for
from beatbook.core.middleware import RequestSizeLimitMiddleware
from beatbook.core.testing import assert_refused, roles_other_than

pytestmark = pytest.mark.django_db

PAGE = "/analytics/imports/"
SAN_DIEGO_TYPES = SAN_DIEGO.parent / "pd_cfs_calltypes_datasd.csv"


@pytest.fixture(autouse=True)
def imports_dir(settings: Any, tmp_path: Path) -> Path:
    settings.BEATBOOK_IMPORTS_DIR = tmp_path / "imports"
    return Path(settings.BEATBOOK_IMPORTS_DIR)


def upload(path: Path, name: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/csv")


def seattle_file(rows: int = 3, name: str = "calls.csv") -> SimpleUploadedFile:
    text = SEATTLE_HEADER + "".join(seattle_row(f"2023-{n:06d}") for n in range(rows))
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def post_san_diego(client: Any) -> Any:
    """San Diego's real file with its mapping and code table, as an analyst sends them."""
    return client.post(
        PAGE,
        {"calls": upload(SAN_DIEGO), "mapping": "san-diego", "tables": [upload(SAN_DIEGO_TYPES)]},
    )


def kept(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_analyst_imports_san_diego_and_downloads_the_rejects(
    client_for: Any,
    analyst: Any,
    imports_dir: Path,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    # As a city's export would be: written to a temporary file by Django, then moved.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    client = client_for("analyst", csrf=True)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'name="calls"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            PAGE,
            {
                "csrfmiddlewaretoken": page.context["csrf_token"],
                "calls": upload(SAN_DIEGO),
                "mapping": "san-diego",
                "tables": [upload(SAN_DIEGO_TYPES)],
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(callbacks) == 1  # the import is queued once the run is committed
    run = ImportRun.objects.get()
    assert (run.status, run.source, run.rows_total) == ("done", "san-diego", 26595)
    assert (run.rows_read, run.rows_imported, run.rows_rejected) == (26595, 26576, 19)
    assert run.started_by == actor_label(analyst)
    assert CallRecord.objects.filter(source="san-diego").count() == 26576
    # The upload's rows are in the database, so its file goes; the rejects stay.
    names = [p.name for p in kept(imports_dir)]
    assert sorted(names) == ["pd_cfs_calltypes_datasd.csv", "rejects.csv"]
    table = next(p for p in kept(imports_dir) if p.name == SAN_DIEGO_TYPES.name)
    assert (table.stat().st_mode & 0o777, table.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    kept_rejects = next(p for p in kept(imports_dir) if p.name == "rejects.csv")
    assert kept_rejects.stat().st_mode & 0o777 == 0o600
    listing = client.get(PAGE).content.decode()
    row = re.search(r'<tr id="import-run-\d+" data-status="done">.*?</tr>', listing, re.S)
    assert row is not None
    assert "26,576" in row.group()
    assert "26,595 of 26,595 (100 %)" in row.group()
    assert 'hx-trigger="every' not in listing  # nothing running, nothing to poll
    rejects = client.get(f"/analytics/imports/{run.pk}/rejects.csv")
    assert rejects.status_code == 200
    assert rejects["Content-Disposition"].endswith(f'filename="import-{run.pk}-rejects.csv"')
    lines = b"".join(rejects.streaming_content).decode().splitlines()
    assert lines[0].startswith("line,reason,")
    assert len(lines) == 1 + 19
    history = list(history_for(run).order_by("id"))
    assert [(e.verb, e.actor_id) for e in history] == [
        ("import queued", analyst.pk),
        ("import done", None),
    ]
    assert history[0].data == {
        "file": SAN_DIEGO.name,
        "mapping": "san-diego",
        "records": 26595,
        "update": False,
    }


def test_a_third_city_needs_only_its_mapping_file(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    mapping = (MAPPINGS_DIR / "seattle.toml").read_text()
    mapping = re.sub(r'(?m)^name = ".*"$', 'name = "springfield"', mapping)
    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            PAGE,
            {
                "calls": seattle_file(4),
                "mapping_file": SimpleUploadedFile("springfield.toml", mapping.encode()),
            },
        )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert (run.status, run.source, run.rows_imported) == ("done", "springfield", 4)
    assert CallRecord.objects.filter(source="springfield").count() == 4
    # Its mapping comes back down, to correct with the codes it left and upload again.
    coverage = client.get(f"/analytics/imports/{run.pk}/").content.decode()
    assert f'href="/analytics/imports/{run.pk}/mapping.toml"' in coverage
    assert "as shipped with Beatbook" not in coverage
    used = client.get(f"/analytics/imports/{run.pk}/mapping.toml")
    assert used["Content-Disposition"] == 'attachment; filename="springfield.toml"'
    assert b"".join(used.streaming_content).decode() == mapping


def test_the_mapping_an_import_used_comes_down_when_it_is_kept(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for("analyst").post(PAGE, {"calls": seattle_file(2), "mapping": "seattle"})
    shipped = ImportRun.objects.get()
    # A command run given a mapping file of its own: the file was on the server's disk.
    own = ImportRun.objects.create(source="gotham", file_name="calls.csv", status="done")
    supervisor = client_for("supervisor")
    page = supervisor.get(f"/analytics/imports/{shipped.pk}/").content.decode()
    assert "the mapping this import used</a>, as shipped with Beatbook" in page
    used = supervisor.get(f"/analytics/imports/{shipped.pk}/mapping.toml")
    assert b"".join(used.streaming_content) == (MAPPINGS_DIR / "seattle.toml").read_bytes()
    assert (
        'id="mapping-used"' not in supervisor.get(f"/analytics/imports/{own.pk}/").content.decode()
    )
    assert supervisor.get(f"/analytics/imports/{own.pk}/mapping.toml").status_code == 404
    for role in roles_other_than({"analyst", "supervisor", "admin"}):
        assert_refused(client_for(role).get(f"/analytics/imports/{shipped.pk}/mapping.toml"))


def test_the_same_file_again_adds_nothing(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(PAGE, {"calls": seattle_file(5), "mapping": "seattle"})
    first, second = ImportRun.objects.order_by("id")
    assert (first.rows_imported, first.rows_already_there) == (5, 0)
    assert (second.status, second.rows_imported, second.rows_already_there) == ("done", 0, 5)
    assert CallRecord.objects.count() == 5


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"calls": "seattle"}, "mapping", "Choose a mapping or upload a mapping file."),
        (
            {"calls": "san-diego", "mapping": "san-diego"},
            "tables",
            "reads its call types' descriptions from pd_cfs_calltypes_datasd.csv",
        ),
        ({"calls": "latin-1", "mapping": "seattle"}, "calls", "line 2: not valid utf-8"),
        ({"calls": "no-beat", "mapping": "seattle"}, "calls", "the header lacks 'Beat'"),
        ({"calls": "seattle", "mapping_file": "[columns"}, "mapping_file", "not valid TOML"),
        (
            {"calls": "seattle", "mapping_file": 'name = "x"\n[columns]\nbeat = "Beat"\n'},
            "mapping_file",
            "must be given",
        ),
        (
            {"calls": "seattle", "mapping_file": '[format]\ndatetime = "%Y"\n'},
            "mapping_file",
            "no such section or key 'format' (did you mean 'formats'?)",
        ),
        ({"calls": "seattle", "mapping": "atlantis"}, "mapping", "Select a valid choice"),
        (
            {"calls": "seattle", "mapping": "seattle", "mapping_file": 'name = "x"'},
            "__all__",
            "Choose a mapping or upload one, not both.",
        ),
        ({"calls": "symbols", "mapping": "seattle"}, "calls", "Rename '!!!' and upload it again."),
        (
            {"calls": "named-as-table", "mapping": "san-diego", "tables": "its own"},
            "calls",
            "Rename 'pd_cfs_calltypes_datasd.csv' and upload it again.",
        ),
    ],
)
def test_a_bad_upload_is_refused_with_its_reason_and_nothing_is_kept(
    client_for: Any,
    imports_dir: Path,
    django_capture_on_commit_callbacks: Any,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    files = {
        "seattle": seattle_file(2),
        "san-diego": upload(SAN_DIEGO),
        "latin-1": SimpleUploadedFile(
            "calls.csv", (SEATTLE_HEADER + seattle_row("1", type="CAF\xc9")).encode("latin-1")
        ),
        "symbols": SimpleUploadedFile("!!!", seattle_file(2).read()),
        "named-as-table": upload(SAN_DIEGO, name=SAN_DIEGO_TYPES.name),
        "no-beat": SimpleUploadedFile("calls.csv", SEATTLE_HEADER.replace(",Beat,", ",").encode()),
    }
    data: dict[str, Any] = {"calls": files[form["calls"]]}
    if "tables" in form:
        data["tables"] = [upload(SAN_DIEGO_TYPES)]
    if "mapping" in form:
        data["mapping"] = form["mapping"]
    if "mapping_file" in form:
        data["mapping_file"] = SimpleUploadedFile("city.toml", form["mapping_file"].encode())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for("analyst").post(PAGE, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not ImportRun.objects.exists()
    assert callbacks == []
    assert kept(imports_dir) == []


def test_an_empty_file_is_refused_by_the_form(client_for: Any) -> None:
    # Django refuses a 0-byte upload itself; the import's own message covers a header alone.
    response = client_for("analyst").post(
        PAGE, {"calls": SimpleUploadedFile("calls.csv", b"\n"), "mapping": "seattle"}
    )
    assert response.status_code == 400
    assert "there is no header line" in " ".join(response.context["form"].errors["calls"])


def test_a_failed_import_is_shown_and_runs_again(
    client_for: Any, imports_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        post_san_diego(client)
    run = ImportRun.objects.get()
    assert run.status == "queued"
    # The code table goes missing before the worker starts.
    table = next(p for p in kept(imports_dir) if p.name == SAN_DIEGO_TYPES.name)
    moved = table.rename(table.with_suffix(".away"))
    queued[0]()
    run.refresh_from_db()
    assert run.status == "failed"
    assert "pd_cfs_calltypes_datasd.csv is not next to the calls file" in run.message
    assert run.finished_at is not None
    page = client.get(PAGE).content.decode()
    assert "is not next to the calls file" in page
    assert f"/analytics/imports/{run.pk}/again/" in page
    moved.rename(table)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/analytics/imports/{run.pk}/again/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.rows_imported) == ("done", 26576)
    verbs = list(history_for(run).order_by("id").values_list("verb", flat=True))
    assert verbs == ["import queued", "import failed", "import queued again", "import done"]
    # Done: there is nothing to run again.
    again = client.post(f"/analytics/imports/{run.pk}/again/", follow=True)
    assert "Only a failed, interrupted or stalled upload can run again." in again.content.decode()


def test_running_again_takes_the_state_it_was_shown(
    analyst: Any, django_capture_on_commit_callbacks: Any, client_for: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        client_for("analyst").post(PAGE, {"calls": seattle_file(2), "mapping": "seattle"})
    ImportRun.objects.update(status=ImportRun.Status.FAILED)
    seen = ImportRun.objects.get()
    # Someone else ran it again first, and the worker has taken it.
    ImportRun.objects.update(status=ImportRun.Status.RUNNING)
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(ImportUploadError, match="changed meanwhile"),
    ):
        import_upload_retry(actor=analyst, run=seen)
    assert queued == []
    assert ImportRun.objects.get().status == "running"


def test_an_interrupted_upload_runs_again_and_counts_afresh(
    client_for: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    client = client_for("admin")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        post_san_diego(client)

    def stop(progress: Progress) -> None:
        raise KeyboardInterrupt  # the worker is stopped after its first batch

    whole = uploads.calls_import
    monkeypatch.setattr(
        uploads, "calls_import", functools.partial(whole, batch_size=1000, progress=stop)
    )
    with pytest.raises(KeyboardInterrupt):
        queued[0]()
    run = ImportRun.objects.get()
    assert (run.status, run.rows_read, run.rows_imported) == ("interrupted", 1000, 1000)
    monkeypatch.setattr(uploads, "calls_import", whole)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/imports/{run.pk}/again/")
    run.refresh_from_db()
    assert run.status == "done"
    assert (run.rows_read, run.rows_imported, run.rows_already_there) == (26595, 25576, 1000)
    assert CallRecord.objects.count() == 26576
    verbs = list(history_for(run).order_by("id").values_list("verb", flat=True))
    assert verbs == ["import queued", "import interrupted", "import queued again", "import done"]


def test_a_mapping_to_start_from_comes_down_from_the_page(client_for: Any) -> None:
    """For a city not listed: the example (every key explained) or a shipped mapping."""
    client = client_for("analyst")
    page = client.get(PAGE).content.decode()
    for name in ("example", "seattle", "san-diego"):
        assert f'href="/analytics/imports/mappings/{name}.toml"' in page
    example = client.get("/analytics/imports/mappings/example.toml")
    assert example["Content-Disposition"] == 'attachment; filename="example.toml"'
    assert b"".join(example.streaming_content) == EXAMPLE_MAPPING.read_bytes()
    seattle = client.get("/analytics/imports/mappings/seattle.toml")
    assert b"".join(seattle.streaming_content) == (MAPPINGS_DIR / "seattle.toml").read_bytes()
    assert client.get("/analytics/imports/mappings/gotham.toml").status_code == 404
    assert client.get("/analytics/imports/mappings/..%2Fsettings.toml").status_code == 404
    for role in roles_other_than({"analyst", "supervisor", "admin"}):
        assert_refused(client_for(role).get("/analytics/imports/mappings/example.toml"))


def test_what_the_mapping_left_is_shown_and_comes_down_to_fill_in(
    client_for: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    rows = [
        seattle_row("1"),  # noise: a type, beat C3 unknown here (the agency has A1 and B1)
        seattle_row("2", type="--ALARMS - COMMERCIAL BURGLARY"),
        seattle_row("3", type="--ALARMS - COMMERCIAL BURGLARY", beat="99"),
        seattle_row("4", type='--ASSAULTS ""OTHER""', lat="", lon=""),  # CSV-quoted
    ]
    data = (SEATTLE_HEADER + "".join(rows)).replace("ASSISTANCE RENDERED", "GONE ON ARRIVAL", 1)
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            PAGE,
            {"calls": SimpleUploadedFile("calls.csv", data.encode()), "mapping": "seattle"},
        )
    run = ImportRun.objects.get()
    assert f"/analytics/imports/{run.pk}/" in client.get(PAGE).content.decode()
    page = client.get(f"/analytics/imports/{run.pk}/")
    assert page.status_code == 200
    shares = {s.label: (s.rows, s.of) for s in page.context["coverage"].shares}
    assert shares == {
        "a Beatbook call type": (1, 4),
        "a beat of ours": (0, 4),
        "a place on the map": (3, 4),
        "a disposition": (3, 4),
        "a response time": (4, 4),
    }
    html = page.content.decode()
    assert "25 %" in html  # one row in four has a Beatbook type
    assert [(c.code, c.rows) for c in page.context["coverage"].call_types] == [
        ("--ALARMS - COMMERCIAL BURGLARY", 2),
        ('--ASSAULTS "OTHER"', 1),
    ]
    assert [(c.code, c.rows) for c in page.context["coverage"].beats] == [("C3", 3), ("99", 1)]
    assert [(c.code, c.rows) for c in page.context["coverage"].dispositions] == [
        ("GONE ON ARRIVAL", 1)
    ]
    assert "--ALARMS - COMMERCIAL BURGLARY" in html
    csv_lines = (
        b"".join(client.get(f"/analytics/imports/{run.pk}/unmapped.csv").streaming_content)
        .decode()
        .splitlines()
    )
    assert csv_lines[0] == "kind,code,description,rows"
    # A code a spreadsheet would take for a formula is defused, as in every CSV of ours;
    # the TOML below carries the codes as they are.
    assert 'call type,"\'--ASSAULTS ""OTHER""",,1' in csv_lines
    assert "beat,C3,,3" in csv_lines
    stub = client.get(f"/analytics/imports/{run.pk}/unmapped.toml")
    assert stub["Content-Disposition"] == 'attachment; filename="seattle-unmapped.toml"'
    tables = tomllib.loads(stub.content.decode())
    assert tables["call_types"]["exact"] == {
        "--ALARMS - COMMERCIAL BURGLARY": "",
        '--ASSAULTS "OTHER"': "",
    }
    assert tables["beats"]["rename"] == {"C3": "", "99": ""}
    assert tables["dispositions"]["exact"] == {"GONE ON ARRIVAL": ""}
    # Added to the mapping as it says, its values filled in, the tables are a mapping's.
    filled = stub.content.decode().replace('"GONE ON ARRIVAL" = ""', '"GONE ON ARRIVAL" = "report"')
    filled = filled.replace('"C3" = ""', '"C3" = "A1"')
    (tmp_path / "seattle.toml").write_text((MAPPINGS_DIR / "seattle.toml").read_text() + filled)
    corrected = mapping_load(str(tmp_path / "seattle.toml"))
    assert (corrected.beats["C3"], corrected.dispositions) == ("A1", {"GONE ON ARRIVAL": "report"})
    assert client.get(f"/analytics/imports/{run.pk}/unmapped.xml").status_code == 404
    for role in roles_other_than({"analyst", "supervisor", "admin"}):
        assert_refused(client_for(role).get(f"/analytics/imports/{run.pk}/"))
        assert_refused(client_for(role).get(f"/analytics/imports/{run.pk}/unmapped.csv"))


def test_a_corrected_mapping_is_applied_with_update(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    calls = SEATTLE_HEADER + seattle_row("1", type="--ALARMS - COMMERCIAL BURGLARY")
    mapping = (MAPPINGS_DIR / "seattle.toml").read_text()
    corrected = mapping + '\n[call_types.exact]\n"--ALARMS - COMMERCIAL BURGLARY" = "PERSUSP"\n'
    for toml, update in ((mapping, False), (corrected, False), (corrected, True)):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                PAGE,
                {
                    "calls": SimpleUploadedFile("calls.csv", calls.encode()),
                    "mapping_file": SimpleUploadedFile("seattle.toml", toml.encode()),
                    **({"update": "on"} if update else {}),
                },
            )
    runs = list(ImportRun.objects.order_by("id"))
    assert [(r.update, r.rows_imported, r.rows_updated, r.rows_already_there) for r in runs] == [
        (False, 1, 0, 0),
        (False, 0, 0, 1),
        (True, 0, 1, 0),
    ]
    assert CallRecord.objects.get().call_type.code == "PERSUSP"
    assert "1 updated" in client.get(PAGE).content.decode()


def test_a_stalled_import_is_flagged_and_runs_again(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(PAGE, {"calls": seattle_file(3), "mapping": "seattle"})
    run = ImportRun.objects.get()
    # The worker took it, wrote a batch and was killed (no status written on the way out).
    minutes_ago = timezone.now() - dt.timedelta(minutes=9)
    ImportRun.objects.filter(pk=run.pk).update(status="running", progress_at=minutes_ago)
    page = client.get(PAGE).content.decode()
    assert f"import-run-{run.pk}-stalled" not in page  # 9 minutes: still working
    assert f"/analytics/imports/{run.pk}/again/" not in page
    ImportRun.objects.filter(pk=run.pk).update(progress_at=minutes_ago - dt.timedelta(minutes=2))
    page = client.get(PAGE).content.decode()
    assert (
        f"No progress since {timezone.localtime(minutes_ago - dt.timedelta(minutes=2)):%H:%M}"
        in page
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/imports/{run.pk}/again/")
    run.refresh_from_db()
    assert (run.status, run.rows_imported) == ("done", 3)


def test_the_worker_takes_a_queued_upload_once(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for("analyst").post(PAGE, {"calls": seattle_file(3), "mapping": "seattle"})
    run = ImportRun.objects.get()
    finished = run.finished_at
    again = import_upload_run(run_id=run.pk)  # a second delivery of the same task
    assert (again.status, again.rows_imported, again.finished_at) == ("done", 3, finished)
    assert CallRecord.objects.count() == 3


def test_a_running_import_shows_its_progress_and_the_page_polls(
    client_for: Any, analyst: Any, imports_dir: Path
) -> None:
    now = timezone.now()
    run = ImportRun.objects.create(
        source="seattle",
        file_name="spd-2024.csv",
        status=ImportRun.Status.RUNNING,
        started_at=now - dt.timedelta(seconds=10),
        rows_total=20_000,
        rows_read=5_000,
        rows_imported=4_990,
        rows_rejected=10,
        upload_dir="0123abcd",
        rejects_file=str(imports_dir / "0123abcd" / "rejects.csv"),
    )
    client = client_for("supervisor")
    with time_machine.travel(now, tick=False):
        page = client.get(PAGE)
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "5,000 of 20,000 (25 %)" in html
    assert "5,000 of 20,000 (25 %) · 500 rows/s · about 30 s left" in html
    assert str(imports_dir) not in html  # an upload's rejects come as a link once written
    assert 'name="calls"' not in html  # a supervisor follows imports but does not start them
    version = page.context["version"]
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_X_LIVE_VERSION": version}
    with time_machine.travel(now, tick=False):
        assert client.get(PAGE, **poll).status_code == 204  # nothing changed
        ImportRun.objects.filter(pk=run.pk).update(rows_read=10_000)
        fresh = client.get(PAGE, **poll)
    assert fresh.status_code == 200
    assert "10,000 of 20,000 (50 %)" in fresh.content.decode()
    assert "<h1>" not in fresh.content.decode()  # the table alone, swapped in place


def test_time_left_reads_as_people_say_it() -> None:
    assert [time_left(s) for s in (30, 89, 90, 1_500, 5_370, 7_290)] == [
        "30 s",
        "89 s",
        "2 min",
        "25 min",
        "1 h 30 min",
        "2 h 2 min",
    ]


@pytest.mark.parametrize("role", roles_other_than({"analyst", "supervisor", "admin"}))
def test_other_roles_cannot_see_imports(client_for: Any, role: str) -> None:
    assert_refused(client_for(role).get(PAGE))


@pytest.mark.parametrize("role", roles_other_than({"analyst", "admin"}))
def test_only_analysts_and_administrators_import_and_the_body_is_not_read(
    client_for: Any, role: str, monkeypatch: Any
) -> None:
    def read(request: HttpRequest) -> None:
        raise AssertionError("the upload was read for a role that may not import")

    monkeypatch.setattr(HttpRequest, "_load_post_and_files", read)
    # Without the CSRF check, which would refuse first: the view itself must not read it.
    response = client_for(role).post(PAGE, {"calls": seattle_file(2), "mapping": "seattle"})
    assert_refused(response)
    assert not ImportRun.objects.exists()


def test_signed_out_uploads_are_not_read(client: Any, monkeypatch: Any) -> None:
    def read(request: HttpRequest) -> None:
        raise AssertionError("the upload was read before signing in")

    monkeypatch.setattr(HttpRequest, "_load_post_and_files", read)
    response = client.post(PAGE, {"calls": seattle_file(2), "mapping": "seattle"})
    assert_refused(response)


def test_the_form_still_needs_its_csrf_token(client_for: Any) -> None:
    response = client_for("analyst", csrf=True).post(
        PAGE, {"calls": seattle_file(2), "mapping": "seattle"}
    )
    assert response.status_code == 403
    assert not ImportRun.objects.exists()


def test_rejects_and_runs_again_are_refused_to_others(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_san_diego(client_for("analyst"))
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FAILED)
    for role in roles_other_than({"analyst", "supervisor", "admin"}):
        assert_refused(client_for(role).get(f"/analytics/imports/{run.pk}/rejects.csv"))
    for role in roles_other_than({"analyst", "admin"}):
        assert_refused(client_for(role).post(f"/analytics/imports/{run.pk}/again/"))
    assert ImportRun.objects.get().status == "failed"
    # A run of the command keeps its rejects where the command was told: not served here.
    command_run = ImportRun.objects.create(
        source="seattle", file_name="x.csv", rejects_file="/etc/passwd"
    )
    assert (
        client_for("analyst").get(f"/analytics/imports/{command_run.pk}/rejects.csv").status_code
        == 404
    )


def test_only_the_imports_page_takes_a_large_body(settings: Any) -> None:
    settings.BEATBOOK_MAX_REQUEST_BYTES = 1000
    settings.BEATBOOK_MAX_IMPORT_BYTES = 5000
    middleware = RequestSizeLimitMiddleware(lambda request: HttpResponse("passed"))

    def post(path: str, length: int) -> HttpResponse:
        request = RequestFactory().post(path, data=b"", content_type="text/csv")
        request.META["CONTENT_LENGTH"] = str(length)
        return middleware(request)

    assert post(PAGE, 4000).content == b"passed"
    assert post(PAGE, 6000).status_code == 413
    assert post("/calls/new/", 4000).status_code == 413
    assert post("/calls/new/", 900).content == b"passed"


def test_what_the_mapping_left_is_counted_once_per_change_of_its_rows(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"calls": seattle_file(3), "mapping": "seattle"})
    run = ImportRun.objects.get()
    kept = SourceCoverage.objects.get(source="seattle")  # counted by the worker
    assert kept.counted_at >= run.finished_at
    assert kept.figures["rows"] == 3

    def visit() -> tuple[Any, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/analytics/imports/{run.pk}/")
        assert page.status_code == 200
        return page, [q["sql"] for q in queries.captured_queries if "calls_callrecord" in q["sql"]]

    page, counted = visit()
    assert counted == []  # the page reads the kept figures; it does not count the rows
    assert page.context["coverage"].rows == 3
    assert f"counted {timezone.localtime(kept.counted_at):%Y-%m-%d %H:%M}" in page.content.decode()
    # A run of the source that stopped after writing a batch: its rows changed since the
    # count, and nothing counted them again.
    later = ImportRun.objects.create(source="seattle", file_name="more.csv", status="failed")
    CallRecord.objects.create(
        source="seattle",
        source_id="X1",
        import_run=later,
        received_at=timezone.now(),
        original_code="--NEW CODE",
    )
    ImportRun.objects.filter(pk=later.pk).update(progress_at=timezone.now())
    page, counted = visit()
    assert counted != []
    assert page.context["coverage"].rows == 4
    assert [c.code for c in page.context["coverage"].call_types] == ["--NEW CODE"]
    assert visit()[1] == []  # and kept again


def test_a_mistaken_import_is_removed_and_the_dashboards_follow(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    other = SEATTLE_HEADER + "".join(seattle_row(f"K{n}") for n in range(3))
    for data in (seattle_file(5), SimpleUploadedFile("other.csv", other.encode())):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(PAGE, {"calls": data, "mapping": "seattle"})
    mistaken, kept_run = ImportRun.objects.order_by("id")
    page = client.get(PAGE).content.decode()
    assert f"/analytics/imports/{mistaken.pk}/remove/" in page
    assert "data-confirm=" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/analytics/imports/{mistaken.pk}/remove/", follow=True)
    assert "calls.csv: its 5 rows are being removed." in response.content.decode()
    mistaken.refresh_from_db()
    assert (mistaken.status, mistaken.rows_removed, mistaken.message) == (
        "removed",
        5,
        "5 rows removed",
    )
    assert set(CallRecord.objects.values_list("import_run", flat=True)) == {kept_run.pk}
    assert rollups_check() == []  # the weeks the removed rows were in were counted again
    assert sum(WeeklyCount.objects.values_list("calls", flat=True)) == 3
    verbs = list(history_for(mistaken).order_by("id").values_list("verb", flat=True))
    assert verbs == ["import queued", "import done", "import removal queued", "import removed"]
    page = client.get(PAGE).content.decode()
    assert f"/analytics/imports/{mistaken.pk}/remove/" not in page  # nothing left to remove
    again = client.post(f"/analytics/imports/{mistaken.pk}/remove/", follow=True)
    assert "Only a finished import with rows of its own can be removed." in again.content.decode()


def test_removing_an_import_leaves_the_rows_a_later_one_updated(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("admin")
    calls = SEATTLE_HEADER + "".join(
        seattle_row(str(n), type="--ALARMS - COMMERCIAL BURGLARY") for n in range(3)
    )
    mapping = (MAPPINGS_DIR / "seattle.toml").read_text()
    corrected = mapping + '\n[call_types.exact]\n"--ALARMS - COMMERCIAL BURGLARY" = "PERSUSP"\n'
    later_rows = SEATTLE_HEADER + "".join(
        seattle_row(str(n), type="--ALARMS - COMMERCIAL BURGLARY") for n in range(2)
    )
    for text, toml, update in ((calls, mapping, False), (later_rows, corrected, True)):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                PAGE,
                {
                    "calls": SimpleUploadedFile("calls.csv", text.encode()),
                    "mapping_file": SimpleUploadedFile("seattle.toml", toml.encode()),
                    **({"update": "on"} if update else {}),
                },
            )
    first, later = ImportRun.objects.order_by("id")
    assert later.rows_updated == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/imports/{first.pk}/remove/")
    first.refresh_from_db()
    assert first.rows_removed == 1
    assert sorted(CallRecord.objects.values_list("source_id", flat=True)) == ["0", "1"]


def test_a_stalled_removal_can_be_started_again(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"calls": seattle_file(4), "mapping": "seattle"})
    run = ImportRun.objects.get()
    # Its removal was queued and the worker stopped before taking it.
    ImportRun.objects.update(status="removing", progress_at=timezone.now())
    page = client.get(PAGE).content.decode()
    assert "0 rows removed so far" in page
    assert f"/analytics/imports/{run.pk}/remove/" not in page  # still within the time allowed
    ImportRun.objects.update(progress_at=timezone.now() - dt.timedelta(minutes=11))
    assert f"/analytics/imports/{run.pk}/remove/" in client.get(PAGE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/imports/{run.pk}/remove/")
    run.refresh_from_db()
    assert (run.status, run.rows_removed) == ("removed", 4)
    assert not CallRecord.objects.exists()


def test_a_removal_started_again_counts_again_the_weeks_its_first_attempt_emptied(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    rows = [seattle_row("J1", queued="01/08/2023 9:00:00 AM", arrived="01/08/2023 9:20:00 AM")]
    rows += [seattle_row(f"J{n}") for n in range(2, 5)]  # June 2023
    calls = SimpleUploadedFile("calls.csv", (SEATTLE_HEADER + "".join(rows)).encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"calls": calls, "mapping": "seattle"})
    run = ImportRun.objects.get()
    assert rollups_check() == []
    with django_capture_on_commit_callbacks(execute=False):  # queued; the worker then dies
        client.post(f"/analytics/imports/{run.pk}/remove/")
    # after deleting the January row, before counting any week again
    CallRecord.objects.filter(source_id="J1").delete()
    ImportRun.objects.update(rows_removed=1, progress_at=timezone.now() - dt.timedelta(hours=1))
    assert rollups_check() != []  # January's week still counts the deleted row
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/imports/{run.pk}/remove/")
    run.refresh_from_db()
    assert (run.status, run.rows_removed) == ("removed", 4)
    assert (run.removal_start.month, run.removal_end.month) == (1, 6)
    assert rollups_check() == []
    assert not WeeklyCount.objects.filter(calls__gt=0).exists()


@pytest.mark.parametrize("role", roles_other_than({"analyst", "admin"}))
def test_only_analysts_and_administrators_remove_an_import(
    client_for: Any, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for("analyst").post(PAGE, {"calls": seattle_file(2), "mapping": "seattle"})
    run = ImportRun.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        assert_refused(client_for(role).post(f"/analytics/imports/{run.pk}/remove/"))
    assert queued == []
    assert CallRecord.objects.count() == 2
    assert ImportRun.objects.get().status == "done"


def test_the_page_asks_the_same_queries_however_many_runs_it_lists(client_for: Any) -> None:
    client = client_for("analyst")

    def queries_with(runs: int) -> int:
        for n in range(runs - ImportRun.objects.count()):
            ImportRun.objects.create(source="seattle", file_name=f"{n}.csv", status="done")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(8)


def test_an_upload_checked_only_shows_what_it_would_do_then_is_imported_from_there(
    client_for: Any, django_capture_on_commit_callbacks: Any, imports_dir: Path
) -> None:
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            PAGE,
            {
                "calls": upload(SAN_DIEGO),
                "mapping": "san-diego",
                "tables": [upload(SAN_DIEGO_TYPES)],
                "check_only": "on",
            },
            follow=True,
        )
    assert "26,595 records checked and handed to the check of every row" in answer.content.decode()
    run = ImportRun.objects.get()
    assert (run.status, run.check_only, run.rows_read, run.rows_rejected) == (
        "checked",
        True,
        26595,
        19,
    )
    assert run.message == "26576 would be imported (26576 new, 0 already there), 19 rejected"
    assert not CallRecord.objects.exists()
    assert not SourceCoverage.objects.exists()  # nothing of the source was counted: no rows
    row = client.get(PAGE).content.decode()
    assert f"/analytics/imports/{run.pk}/import/" in row
    assert "What the check found" in row
    page = client.get(f"/analytics/imports/{run.pk}/")
    text = page.content.decode()
    assert "would leave in pd_calls_for_service_2023_datasd.csv" in text
    assert "26,576 would be imported</strong> (26,576 new, 0 already here)" in text
    assert (
        '<td class="num">2636</td><td>&#x27;call_type&#x27; (the call type) is empty</td>' in text
    )
    assert page.context["coverage"].call_types[0].code == "SELENF"
    assert 'aria-label="Beatbook value for SELENF"' in text  # mapped before the import
    stub = client.get(f"/analytics/imports/{run.pk}/unmapped.toml").content.decode()
    assert tomllib.loads(stub)["call_types"]["exact"]["SELENF"] == ""
    # Every reject, not only the first shown, comes down as the import's rejects do.
    assert f'href="/analytics/imports/{run.pk}/rejects.csv" id="check-rejects-csv"' in text
    rejects = b"".join(client.get(f"/analytics/imports/{run.pk}/rejects.csv").streaming_content)
    lines = rejects.decode().splitlines()
    assert len(lines) == 20
    assert lines[1].startswith("2636,'call_type' (the call type) is empty,E23010002860,")
    assert (imports_dir / run.upload_dir / "rejects.csv").stat().st_mode & 0o777 == 0o600
    # Looks right: imported from the page, the same run, from the file kept.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/imports/{run.pk}/import/")
    run.refresh_from_db()
    assert (run.status, run.check_only, run.rows_imported, run.rows_rejected) == (
        "done",
        False,
        26576,
        19,
    )
    assert CallRecord.objects.filter(import_run=run).count() == 26576
    assert not (imports_dir / run.upload_dir / run.file_name).exists()
    assert "left unmapped" in client.get(f"/analytics/imports/{run.pk}/").content.decode()
    verbs = list(history_for(run).order_by("id").values_list("verb", flat=True))
    assert verbs == ["check queued", "checked", "import queued after its check", "import done"]
    again = client.post(f"/analytics/imports/{run.pk}/import/", follow=True)
    assert "Only a checked upload whose file is kept can be imported." in again.content.decode()


def test_a_checked_upload_is_discarded_with_its_file(
    client_for: Any, django_capture_on_commit_callbacks: Any, imports_dir: Path
) -> None:
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"calls": seattle_file(3), "mapping": "seattle", "check_only": "on"})
    run = ImportRun.objects.get()
    assert kept(imports_dir)  # the file waits for "Import it"
    answer = client.post(f"/analytics/imports/{run.pk}/discard/", follow=True)
    assert "calls.csv: discarded; its file is deleted" in answer.content.decode()
    run.refresh_from_db()
    assert run.status == "discarded"
    assert kept(imports_dir) == []
    # What the check found is still there to read; it can no longer be imported.
    page = client.get(f"/analytics/imports/{run.pk}/").content.decode()
    assert "the file was discarded" in page
    assert f"/analytics/imports/{run.pk}/import/" not in page
    refused = client.post(f"/analytics/imports/{run.pk}/import/", follow=True)
    assert "can be imported" in refused.content.decode()
    assert not CallRecord.objects.exists()


def test_a_check_that_stopped_runs_again_as_a_check(
    client_for: Any, django_capture_on_commit_callbacks: Any, analyst: Any
) -> None:
    client = client_for("analyst")
    client.post(PAGE, {"calls": seattle_file(2), "mapping": "seattle", "check_only": "on"})
    run = ImportRun.objects.get()
    ImportRun.objects.filter(pk=run.pk).update(
        status="checking", progress_at=timezone.now() - dt.timedelta(minutes=11)
    )
    run.refresh_from_db()
    assert uploads.stalled(run)
    assert uploads.can_retry(run)
    with django_capture_on_commit_callbacks(execute=True):
        import_upload_retry(actor=analyst, run=run)
    run.refresh_from_db()
    assert (run.status, run.rows_imported) == ("checked", 0)
    assert not CallRecord.objects.exists()
    verbs = list(history_for(run).order_by("id").values_list("verb", flat=True))
    assert verbs == ["check queued", "check queued again", "checked"]


def test_only_importers_import_or_discard_a_checked_upload(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for("analyst").post(
            PAGE, {"calls": seattle_file(2), "mapping": "seattle", "check_only": "on"}
        )
    run = ImportRun.objects.get()
    for role in roles_other_than({"analyst", "admin"}):
        assert_refused(client_for(role).post(f"/analytics/imports/{run.pk}/import/"))
        assert_refused(client_for(role).post(f"/analytics/imports/{run.pk}/discard/"))
    run.refresh_from_db()
    assert run.status == "checked"
    page = client_for("supervisor").get(f"/analytics/imports/{run.pk}/").content.decode()
    assert "would leave in calls.csv" in page
    assert "/import/" not in page


def test_a_checked_upload_not_imported_within_its_days_is_discarded(
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    imports_dir: Path,
    settings: Any,
    capsys: Any,
) -> None:
    settings.BEATBOOK_CHECKED_UPLOAD_DAYS = 7
    client = client_for("analyst")
    for name in ("old.csv", "recent.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                PAGE,
                {"calls": seattle_file(2, name=name), "mapping": "seattle", "check_only": "on"},
            )
    old, recent = ImportRun.objects.order_by("id")
    checked = timezone.now() - dt.timedelta(days=8)
    ImportRun.objects.filter(pk=old.pk).update(finished_at=checked)
    page = client.get(f"/analytics/imports/{recent.pk}/").content.decode()
    recent.refresh_from_db()
    until = timezone.localtime(recent.finished_at + dt.timedelta(days=7))
    assert f"is kept for <em>Import it</em> until {until:%Y-%m-%d %H:%M}, then discarded." in page
    call_command("analytics", "expire")
    out = capsys.readouterr().out
    assert f"Discarded old.csv (checked {checked:%Y-%m-%d})." in out
    assert "1 checked upload(s) not imported, discarded." in out
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, recent.status) == ("discarded", "checked")
    assert not (imports_dir / old.upload_dir).exists()
    assert (imports_dir / recent.upload_dir / recent.file_name).exists()
    entry = history_for(old).order_by("id").last()
    assert entry is not None
    assert (entry.verb, entry.data) == (
        "checked upload discarded",
        {"why": "not imported in 7 days"},
    )


def odd_code_checked(client: Any, capture: Any) -> ImportRun:
    """Two Seattle rows uploaded to be checked only, the second with a code the shipped
    mapping leaves without a call type; the checked run."""
    data = SEATTLE_HEADER + seattle_row("1") + seattle_row("2", type="--ODD - THING")
    calls = SimpleUploadedFile("calls.csv", data.encode())
    with capture(execute=True):
        client.post(PAGE, {"calls": calls, "mapping": "seattle", "check_only": "on"})
    return ImportRun.objects.get()


def test_codes_a_check_found_are_mapped_on_its_page_and_the_file_is_checked_again(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    run = odd_code_checked(client, django_capture_on_commit_callbacks)
    url = f"/analytics/imports/{run.pk}/"
    page = client.get(url)
    assert [c.code for c in page.context["coverage"].call_types] == ["--ODD - THING"]
    assert 'aria-label="Beatbook value for --ODD - THING"' in page.content.decode()
    # A code the check did not find is refused, as on an import's page.
    refused = client.post(
        f"{url}corrections/",
        {"kind": "call_type", "code": "--OTHER", "value": "PERSUSP"},
        follow=True,
    )
    assert "has no rows whose call type code --OTHER" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"{url}corrections/", {"kind": "call_type", "code": "--ODD - THING", "value": "PERSUSP"}
        )
    assert answer.status_code == 302
    text = client.get(answer["Location"]).content.decode()
    assert "calls.csv is checked again with it, and its import will apply it" in text
    run.refresh_from_db()
    assert run.status == "checked"
    page = client.get(url)
    assert page.context["coverage"].call_types == []  # the check again applied it
    assert page.context["coverage"].shares[0].rows == 2
    assert not CallRecord.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}import/")
    assert CallRecord.objects.get(source_id="2").call_type.code == "PERSUSP"
    verbs = list(history_for(run).order_by("id").values_list("verb", flat=True))
    assert verbs[:4] == ["check queued", "checked", "check queued again", "checked"]


def test_a_value_taken_back_on_a_checks_page_has_the_file_checked_again_without_it(
    client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for("analyst")
    capture = django_capture_on_commit_callbacks
    run = odd_code_checked(client, capture)
    url = f"/analytics/imports/{run.pk}/"
    fields = {"kind": "call_type", "code": "--ODD - THING"}
    with capture(execute=True):
        client.post(f"{url}corrections/", {**fields, "value": "PERSUSP"})
    assert client.get(url).context["coverage"].call_types == []
    with capture(execute=True):
        answer = client.post(f"{url}corrections/", {**fields, "take_back": "1"}, follow=True)
    assert "calls.csv is checked again without it" in answer.content.decode()
    run.refresh_from_db()
    assert run.status == "checked"
    page = client.get(url)
    assert [c.code for c in page.context["coverage"].call_types] == ["--ODD - THING"]
    with capture(execute=True):
        client.post(f"{url}import/")
    assert CallRecord.objects.get(source_id="2").call_type is None
    verbs = list(history_for(run).order_by("id").values_list("verb", flat=True))
    assert verbs[:6] == [
        "check queued",
        "checked",
        "check queued again",
        "checked",
        "check queued again",
        "checked",
    ]


def test_a_code_mapped_while_the_file_is_being_checked_has_it_checked_again(
    client_for: Any, django_capture_on_commit_callbacks: Any, analyst: Any, monkeypatch: Any
) -> None:
    client = client_for("analyst")
    data = SEATTLE_HEADER + seattle_row("1", type="--ODD - THING") + seattle_row("2")
    calls = SimpleUploadedFile("c.csv", data.encode())
    client.post(PAGE, {"calls": calls, "mapping": "seattle", "check_only": "on"})
    run = ImportRun.objects.get()
    reading_the_file = uploads.import_preview
    mapped: list[Any] = []

    def check_while_the_analyst_maps(**kwargs: Any) -> Any:
        found = reading_the_file(**kwargs)
        if not mapped:  # the code is mapped on the page while the worker reads the file
            mapped.append(
                code_correct(
                    actor=analyst,
                    source="seattle",
                    kind="call_type",
                    code="--ODD - THING",
                    value="PERSUSP",
                    codes_left={"--ODD - THING"},
                )
            )
        return found

    monkeypatch.setattr(uploads, "import_preview", check_while_the_analyst_maps)
    with django_capture_on_commit_callbacks(execute=True):
        import_upload_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "checked"
    verbs = list(history_for(run).order_by("id").values_list("verb", flat=True))
    assert verbs == ["check queued", "checked", "check queued again", "checked"]
    checked = uploads.run_preview(run)
    assert checked is not None
    assert checked.coverage.call_types == []  # the second check read the file with it
