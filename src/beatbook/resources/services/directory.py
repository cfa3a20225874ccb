"""Import and export of the directory as HSDS 3.0: a JSON document of nested services, or a
tabular data package (one CSV per object and `datapackage.json`, zipped)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from beatbook.core.actors import Actor
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.resources import hsds
from beatbook.resources import models as m
from beatbook.resources.exceptions import DirectoryImportRejected

DIRECTORY_EDITORS = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})
# The biggest directory file we take (a county's 211 export is a few MB).
MAX_IMPORT_BYTES = 20 * 1024 * 1024

Rows = dict[str, list[dict[str, Any]]]  # table name → rows keyed by HSDS field name


# ---------------------------------------------------------------- export


def _table_rows(table: hsds.Table) -> list[dict[str, Any]]:
    queryset = table.model.objects.order_by("pk")  # type: ignore[attr-defined]
    return [hsds.row_of(table, obj) for obj in queryset]


def directory_rows() -> Rows:
    return {table.name: _table_rows(table) for table in hsds.TABLES}


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if key in row:
            grouped[row[key]].append(row)
    return grouped


def _strip(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


def directory_document(rows: Rows | None = None) -> dict[str, Any]:
    """The whole directory as one HSDS `Page` of fully nested service documents."""
    rows = rows or directory_rows()
    organizations = {row["id"]: row for row in rows["organization"]}
    programs = {row["id"]: row for row in rows["program"]}
    taxonomies = {row["id"]: row for row in rows["taxonomy"]}
    terms = {row["id"]: row for row in rows["taxonomy_term"]}
    locations = {row["id"]: row for row in rows["location"]}
    addresses = _by(rows["address"], "location_id")
    at_locations = _by(rows["service_at_location"], "service_id")
    attributes = _by(rows["attribute"], "link_id")
    owned = {
        key: (_by(rows[name], "service_id"), _by(rows[name], "location_id"))
        for key, name in (("phones", "phone"), ("schedules", "schedule"), ("languages", "language"))
    }
    org_phones = _by(rows["phone"], "organization_id")
    org_programs = _by(rows["program"], "organization_id")

    def owned_by(index: int, owner_id: str) -> dict[str, Any]:
        return {
            key: [_strip(r, "service_id", "location_id") for r in maps[index].get(owner_id, [])]
            for key, maps in owned.items()
        }

    def term_doc(term_id: str) -> dict[str, Any]:
        term = dict(terms[term_id])
        if term.get("taxonomy_id") in taxonomies:
            term["taxonomy_detail"] = taxonomies[term["taxonomy_id"]]
        return term

    def location_doc(location_id: str) -> dict[str, Any]:
        location = dict(locations[location_id])
        location["addresses"] = [_strip(a, "location_id") for a in addresses[location_id]]
        location.update(owned_by(1, location_id))
        return location

    contents = []
    for service in rows["service"]:
        doc = dict(service)
        organization = dict(organizations[service["organization_id"]])
        organization["phones"] = [
            _strip(p, "organization_id") for p in org_phones.get(organization["id"], [])
        ]
        organization["programs"] = org_programs.get(organization["id"], [])
        doc["organization"] = organization
        if service.get("program_id") in programs:
            doc["program"] = programs[service["program_id"]]
        doc["attributes"] = [
            {**_strip(a, "link_id"), "link_id": a["link_id"], "taxonomy_term": term_doc(t)}
            for a in attributes.get(service["id"], [])
            if (t := a["taxonomy_term_id"]) in terms
        ]
        doc["service_at_locations"] = [
            {**_strip(sal, "service_id"), "location": location_doc(sal["location_id"])}
            for sal in at_locations.get(service["id"], [])
        ]
        doc.update(owned_by(0, service["id"]))
        contents.append(doc)
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def datapackage_descriptor() -> dict[str, Any]:
    """A Frictionless tabular-data-package descriptor for the CSVs we write."""
    resources = []
    for table in hsds.TABLES:
        fields = [
            {
                "name": column.name,
                "type": {"uuid": "string", "time": "time", "datetime": "datetime"}.get(
                    column.type, column.type
                ),
                **({"format": "uuid"} if column.type == "uuid" else {}),
                **(
                    {"constraints": {"required": True}}
                    if column.name in table.required + table.tabular_required
                    else {}
                ),
            }
            for column in table.columns
        ] + [{"name": name, "type": "string"} for name in table.fixed]
        resources.append(
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields, "primaryKey": "id"},
            }
        )
    return {
        "name": "human_services_data",
        "version": hsds.HSDS_VERSION,
        "profile": "tabular-data-package",
        "created": timezone.now().isoformat(),
        "resources": resources,
    }


def _csv_text(table: hsds.Table, rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    names = [column.name for column in table.columns] + list(table.fixed)
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in names})
    return out.getvalue()


def directory_package_zip() -> bytes:
    rows = directory_rows()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(datapackage_descriptor(), indent=2))
        for table in hsds.TABLES:
            archive.writestr(table.path, _csv_text(table, rows[table.name]))
    return buffer.getvalue()


# ---------------------------------------------------------------- import


def rows_from_document(document: Any) -> Rows:
    """Flatten nested HSDS service documents (a Page, a list, or one service) into tables."""
    problems = _document_problems(document)
    if problems:
        raise DirectoryImportRejected(problems)
    services = (
        document["contents"]
        if isinstance(document, dict) and "contents" in document
        else (document if isinstance(document, list) else [document])
    )
    tables: dict[str, dict[str, dict[str, Any]]] = {t.name: {} for t in hsds.TABLES}

    def keep(name: str, obj: dict[str, Any], **links: Any) -> None:
        columns = {c.name for c in hsds.TABLE[name].columns}
        row = {k: v for k, v in obj.items() if k in columns and not isinstance(v, list | dict)}
        row.update({k: v for k, v in links.items() if v is not None})
        tables[name][row["id"]] = {**tables[name].get(row["id"], {}), **row}

    def keep_owned(obj: dict[str, Any], **owner: Any) -> None:
        for key, name in (
            ("phones", "phone"),
            ("schedules", "schedule"),
            ("languages", "language"),
        ):
            for child in obj.get(key) or []:
                keep(name, child, **owner)

    for service in services:
        organization = service.get("organization") or {}
        if organization:
            keep("organization", organization)
            for phone in organization.get("phones") or []:
                keep("phone", phone, organization_id=organization["id"])
            for program in organization.get("programs") or []:
                keep("program", program, organization_id=organization["id"])
        if service.get("program"):
            keep("program", service["program"])
        keep(
            "service",
            service,
            organization_id=service.get("organization_id") or organization.get("id"),
        )
        keep_owned(service, service_id=service["id"])
        for attribute in service.get("attributes") or []:
            term = attribute.get("taxonomy_term") or {}
            if term.get("taxonomy_detail"):
                keep("taxonomy", term["taxonomy_detail"])
            if term:
                keep("taxonomy_term", term)
            keep(
                "attribute",
                attribute,
                link_id=service["id"],
                taxonomy_term_id=attribute.get("taxonomy_term_id") or term.get("id"),
            )
        for sal in service.get("service_at_locations") or []:
            location = sal.get("location") or {}
            if location:
                keep("location", location)
                for address in location.get("addresses") or []:
                    keep("address", address, location_id=location["id"])
                keep_owned(location, location_id=location["id"])
            keep(
                "service_at_location",
                sal,
                service_id=service["id"],
                location_id=sal.get("location_id") or location.get("id"),
            )
    return {name: list(rows.values()) for name, rows in tables.items()}


def _document_problems(document: Any) -> list[str]:
    if isinstance(document, dict) and "contents" in document:
        return hsds.validation_errors(document, hsds.package_schema())
    services = document if isinstance(document, list) else [document]
    schema = hsds.service_schema()
    problems = []
    for index, service in enumerate(services):
        problems += [f"service {index + 1}: {p}" for p in hsds.validation_errors(service, schema)]
    return problems


def rows_from_package(files: dict[str, str]) -> Rows:
    """Read a tabular package's CSVs (file name → text); every bad cell is reported with its
    file and line, and a package with any is refused whole."""
    problems: list[str] = []
    rows: Rows = {}
    for table in hsds.TABLES:
        text = files.get(table.path)
        if text is None:
            rows[table.name] = []
            continue
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        names = set(reader.fieldnames or [])
        missing = [c for c in table.required + table.tabular_required if c not in names]
        if missing:
            problems.append(f"{table.path}: missing column(s) {', '.join(missing)}")
            continue
        schema = hsds.object_schema(table, tabular=True)
        table_rows = []
        for row in reader:
            line = reader.line_num
            try:
                parsed = {
                    c.name: hsds.from_json_value(c, row.get(c.name))
                    for c in table.columns
                    if row.get(c.name) not in (None, "")
                }
            except ValueError as exc:
                problems.append(f"{table.path} line {line}: {exc}")
                continue
            shown = {
                k: hsds.to_json_value(c, parsed[k])
                for c in table.columns
                if (k := c.name) in parsed
            }
            shown.update({k: row[k] for k in table.fixed if row.get(k)})
            for c in table.columns:
                # A blank cell in a required text column is an empty text, as exported.
                if c.name in table.required and c.type == "string" and c.name in names:
                    shown.setdefault(c.name, "")
            problems += [
                f"{table.path} line {line}: {p}" for p in hsds.validation_errors(shown, schema)
            ]
            table_rows.append(shown)
        rows[table.name] = table_rows
    if problems:
        raise DirectoryImportRejected(problems)
    return rows


def package_files_from_zip(data: bytes) -> tuple[dict[str, str], tuple[str, ...]]:
    """The HSDS tables Beatbook keeps, by file name, and the names of the package's other
    tables (funding, accessibility, …), which are left out and said to be."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DirectoryImportRejected(["the file is not a zip archive"]) from None
    wanted = {table.path for table in hsds.TABLES}
    files: dict[str, str] = {}
    skipped: set[str] = set()
    total = 0
    for info in archive.infolist():
        name = info.filename.rsplit("/", 1)[-1]
        if name not in wanted:
            if name.endswith(".csv"):
                skipped.add(name.removesuffix(".csv"))
            continue
        total += info.file_size
        if total > MAX_IMPORT_BYTES:
            raise DirectoryImportRejected(["the archive expands beyond 20 MB"])
        try:
            files[name] = archive.read(info).decode("utf-8")
        except UnicodeDecodeError:
            raise DirectoryImportRejected([f"{name}: not UTF-8 text"]) from None
    if not files:
        raise DirectoryImportRejected(["the archive holds none of the HSDS tables"])
    return files, tuple(sorted(skipped))


def _check_links(rows: Rows) -> list[str]:
    """Every id a row points to must be in the file or already in the directory."""
    problems = []
    present = {name: {str(r["id"]) for r in table_rows} for name, table_rows in rows.items()}
    targets = {
        "organization_id": "organization",
        "program_id": "program",
        "taxonomy_id": "taxonomy",
        "parent_id": "taxonomy_term",
        "service_id": "service",
        "link_id": "service",
        "taxonomy_term_id": "taxonomy_term",
        "location_id": "location",
    }
    for name, table_rows in rows.items():
        for row in table_rows:
            for key, target in targets.items():
                value = row.get(key)
                if value is None or str(value) in present[target]:
                    continue
                model = hsds.TABLE[target].model
                if not model.objects.filter(pk=value).exists():  # type: ignore[attr-defined]
                    problems.append(f"{name} {row['id']}: {key} {value} is not in the directory")
    return problems


def _model_values(table: hsds.Table, row: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for column in table.columns:
        value = hsds.from_json_value(column, row.get(column.name))
        field = table.model._meta.get_field(column.model_attr)
        if value is None and not field.null:
            value = ""
        values[column.model_attr] = value
    return values


@dataclass(frozen=True)
class DirectoryImported:
    counts: dict[str, int]  # records created or updated, by HSDS table
    skipped_tables: tuple[str, ...] = ()  # the package's tables Beatbook does not keep


@transaction.atomic
def directory_load(
    *, actor: Actor, rows: Rows, source: str, skipped_tables: tuple[str, ...] = ()
) -> dict[str, int]:
    """Create or update every record in `rows` (matched by HSDS id), all or nothing."""
    require_role(actor, DIRECTORY_EDITORS, action="import the resource directory")
    problems = _check_links(rows)
    if problems:
        raise DirectoryImportRejected(problems)
    counts: dict[str, int] = {}
    for table in hsds.TABLES:
        parents: list[tuple[Any, Any]] = []
        for row in rows.get(table.name, []):
            values = _model_values(table, row)
            object_id = values.pop("id")
            if table.name == "taxonomy_term":
                # Parents may come after their children in a file: link them at the end.
                parents.append((object_id, values.pop("parent_id")))
            table.model.objects.update_or_create(id=object_id, defaults=values)  # type: ignore[attr-defined]
        for term_id, parent_id in parents:
            m.TaxonomyTerm.objects.filter(pk=term_id).update(parent_id=parent_id)
        counts[table.name] = len(rows.get(table.name, []))
    data: dict[str, Any] = {"source": source, **counts}
    if skipped_tables:
        data["skipped_tables"] = list(skipped_tables)
    history_record(obj=None, actor=actor, verb="directory_imported", data=data)
    return counts


def directory_import_json(*, actor: Actor, data: bytes, source: str = "json") -> DirectoryImported:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DirectoryImportRejected([f"not a JSON document ({exc})"]) from None
    rows = rows_from_document(document)
    return DirectoryImported(directory_load(actor=actor, rows=rows, source=source))


def directory_import_package(
    *, actor: Actor, data: bytes, source: str = "package"
) -> DirectoryImported:
    files, skipped = package_files_from_zip(data)
    counts = directory_load(
        actor=actor, rows=rows_from_package(files), source=source, skipped_tables=skipped
    )
    return DirectoryImported(counts, skipped)


def directory_import_upload(*, actor: Actor, name: str, data: bytes) -> DirectoryImported:
    """A file from the import form: `.json` or a zipped package, told apart by content."""
    if len(data) > MAX_IMPORT_BYTES:
        raise DirectoryImportRejected(["the file is larger than 20 MB"])
    if data[:4] == b"PK\x03\x04":
        return directory_import_package(actor=actor, data=data, source=name)
    return directory_import_json(actor=actor, data=data, source=name)


def service_verify(*, actor: Actor, service: m.Service) -> m.Service:
    """Record that someone confirmed the service's details with the provider today."""
    require_role(actor, DIRECTORY_EDITORS | {Role.CSO}, action="verify a service")
    service.assured_date = timezone.localdate()
    service.assurer_email = getattr(actor, "email", "")[:254]
    service.last_modified = timezone.now()
    service.save(update_fields=["assured_date", "assurer_email", "last_modified"])
    history_record(obj=service, actor=actor, verb="service_verified")
    return service
