"""HSDS 3.0 round trips: export, validate, import into an empty directory, export again."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from beatbook.core.actors import SYSTEM
from beatbook.core.models import AuditEntry
from beatbook.resources import hsds
from beatbook.resources import models as m
from beatbook.resources.exceptions import DirectoryImportRejected
from beatbook.resources.services import directory
from beatbook.resources.services.ohana import ohana_import
from beatbook.resources.tests.factories import directory_build, package_with_tables, uid

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def wipe() -> None:
    for model in (m.Attribute, m.ServiceAtLocation, m.Phone, m.Schedule, m.Language, m.Address):
        model.objects.all().delete()
    m.Service.objects.all().delete()
    m.Location.objects.all().delete()
    m.Program.objects.all().delete()
    m.TaxonomyTerm.objects.all().delete()
    m.Taxonomy.objects.all().delete()
    m.Organization.objects.all().delete()


def test_the_json_export_validates_and_imports_back_to_the_same_directory() -> None:
    ohana_import(actor=SYSTEM, folder=DATA)
    document = directory.directory_document()
    assert document["total_items"] == 23
    assert hsds.validation_errors(document, hsds.package_schema()) == []
    before = directory.directory_rows()
    wipe()
    assert m.Service.objects.count() == 0
    directory.directory_import_json(actor=SYSTEM, data=json.dumps(document).encode())
    after = directory.directory_rows()
    # Taxonomy terms no service uses are not in a service-centred document; all else is.
    used_terms = {row["taxonomy_term_id"] for row in before["attribute"]}
    assert {r["id"] for r in after["taxonomy_term"]} >= used_terms
    for table in hsds.TABLES:
        if table.name == "taxonomy_term":
            continue
        assert after[table.name] == before[table.name], table.name
    assert directory.directory_document() == document


def test_the_tabular_package_round_trips_every_table() -> None:
    ohana_import(actor=SYSTEM, folder=DATA)
    before = directory.directory_rows()
    package = directory.directory_package_zip()
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = set(archive.namelist())
        descriptor = json.loads(archive.read("datapackage.json"))
    assert {"datapackage.json", "services.csv", "organizations.csv", "schedules.csv"} <= names
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["version"] == "3.0.0"
    services = next(r for r in descriptor["resources"] if r["name"] == "service")
    assert services["schema"]["primaryKey"] == "id"
    wipe()
    directory.directory_import_package(actor=SYSTEM, data=package)
    assert directory.directory_rows() == before


def test_the_documents_match_the_hsds_shape() -> None:
    ids = directory_build()
    document = directory.directory_document()
    food = next(s for s in document["contents"] if s["id"] == ids["food"])
    assert food["status"] == "active"
    assert food["organization"]["name"] == "Pine Street Pantry Society"
    assert food["organization"]["description"] == ""  # required even when blank
    location = food["service_at_locations"][0]["location"]
    assert location["location_type"] == "physical"
    assert location["addresses"][0]["address_type"] == "physical"
    assert {s["byday"] for s in food["schedules"]} == {"MO", "TU", "WE", "TH", "FR"}
    assert food["schedules"][0]["freq"] == "WEEKLY"
    term = food["attributes"][0]["taxonomy_term"]
    assert term["name"] == "Food Pantry"
    assert term["taxonomy_detail"]["name"] == "Needs"
    assert food["languages"] == [{"id": uid("lang-food-es"), "name": "Spanish", "code": "es"}]


def bad(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    copy["contents"][0].update(changes)
    return copy


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": "open"}, "contents/0/status: 'open' is not one of"),
        ({"id": "svc-1"}, "contents/0/id: 'svc-1' is not a 'uuid'"),
        ({"name": None}, "contents/0/name: None is not of type 'string'"),
        ({"minimum_age": "twelve"}, "contents/0/minimum_age: 'twelve' is not of type 'number'"),
    ],
)
def test_an_invalid_document_is_refused_whole_with_where_and_why(
    changes: dict[str, Any], message: str
) -> None:
    directory_build()
    document = bad(directory.directory_document(), **changes)
    wipe()
    entries = AuditEntry.objects.count()
    with pytest.raises(DirectoryImportRejected) as refused:
        directory.directory_import_json(actor=SYSTEM, data=json.dumps(document).encode())
    assert any(p.startswith(message) for p in refused.value.problems), refused.value.problems
    assert m.Service.objects.count() == 0
    assert m.Organization.objects.count() == 0
    assert AuditEntry.objects.count() == entries


def test_a_missing_required_field_is_named() -> None:
    directory_build()
    document = directory.directory_document()
    del document["contents"][0]["status"]
    problems = hsds.validation_errors(document, hsds.package_schema())
    assert problems == ["contents/0: 'status' is a required property"]


def test_a_package_with_a_bad_cell_names_file_and_line() -> None:
    directory_build()
    package = directory.directory_package_zip()
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    lines = files["schedules.csv"].splitlines()
    lines[3] = lines[3].replace("09:00", "9 o'clock")
    files["schedules.csv"] = "\r\n".join(lines) + "\r\n"
    files["services.csv"] = files["services.csv"].replace(",active,", ",open,", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    wipe()
    with pytest.raises(DirectoryImportRejected) as refused:
        directory.directory_import_package(actor=SYSTEM, data=buffer.getvalue())
    problems = refused.value.problems
    assert any(
        p == "schedules.csv line 4: opens_at: “9 o'clock” is not a time (HH:MM)" for p in problems
    ), problems
    assert any(
        p.startswith("services.csv line 2: status: 'open' is not one of") for p in problems
    ), problems
    assert m.Schedule.objects.count() == 0


def test_a_link_to_a_record_that_is_nowhere_is_refused() -> None:
    directory_build()
    document = directory.directory_document()
    document["contents"][0]["program_id"] = "6f1d8a52-5a0e-4c0e-9d7c-000000000000"
    with pytest.raises(
        DirectoryImportRejected,
        match="program_id 6f1d8a52-5a0e-4c0e-9d7c-000000000000 is not in the directory",
    ):
        directory.directory_import_json(actor=SYSTEM, data=json.dumps(document).encode())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe not text", "not a JSON document"),
        (b"{ nope", "not a JSON document"),
        (b"PK\x03\x04broken", "not a zip archive"),
    ],
)
def test_files_that_are_not_hsds_get_a_clear_refusal(data: bytes, message: str) -> None:
    with pytest.raises(DirectoryImportRejected, match=message):
        directory.directory_import_upload(actor=SYSTEM, name="upload", data=data)


def test_a_zip_without_hsds_tables_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(DirectoryImportRejected, match="none of the HSDS tables"):
        directory.directory_import_upload(actor=SYSTEM, name="x.zip", data=buffer.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_expanded() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("services.csv", "id\n" + "0" * (25 * 1024 * 1024))
    assert len(buffer.getvalue()) < 200_000
    with pytest.raises(DirectoryImportRejected, match="expands beyond 20 MB"):
        directory.directory_import_upload(actor=SYSTEM, name="x.zip", data=buffer.getvalue())


def test_only_directory_editors_import(agency: dict[str, Any]) -> None:
    from beatbook.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        directory.directory_load(actor=agency["cso"], rows={}, source="x")


def test_the_command_names_the_tables_it_left_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from django.core.management import call_command

    directory_build()
    package = package_with_tables(cost_option="id,service_id,amount\n")
    path = tmp_path / "package.zip"
    path.write_bytes(package)
    call_command("resources", "import", str(path))
    out = capsys.readouterr().out
    assert "note: left out, as Beatbook keeps no such records: cost_option" in out
    assert "Imported" in out
