"""Open Referral HSDS 3.0: the tables Beatbook keeps, how each maps to a model, and the
JSON Schema every export is checked against.

One table spec drives the tabular package (one CSV per object plus `datapackage.json`), the
nested service-centred JSON, and the schema. The schema is written from the specification's
field tables (required fields, UUID identifiers, enumerations; STANDARDS.md §3); unknown
properties are allowed, as HSDS allows them."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from beatbook.resources import models as m

HSDS_VERSION = "3.0.0"
HSDS_PROFILE = "https://openreferral.org/imports/hsds/"


@dataclass(frozen=True)
class Column:
    """One HSDS field: its name, the model attribute behind it, and its JSON type."""

    name: str
    attr: str = ""
    type: str = "string"  # string | number | integer | date | time | datetime | uuid
    enum: tuple[str, ...] = ()

    @property
    def model_attr(self) -> str:
        return self.attr or self.name


@dataclass(frozen=True)
class Table:
    name: str  # the HSDS object name, e.g. "service"
    path: str  # its CSV in a tabular package
    model: type[models.Model]
    columns: tuple[Column, ...]
    required: tuple[str, ...] = ("id",)
    tabular_required: tuple[str, ...] = ()
    fixed: dict[str, str] = field(default_factory=dict)  # constant columns, e.g. link_type


def _c(name: str, **kw: Any) -> Column:
    return Column(name, **kw)


def _fk(name: str, attr: str | None = None) -> Column:
    return Column(name, attr=attr or name, type="uuid")


STATUS = ("active", "inactive", "defunct", "temporarily closed")
PLACE_TYPES = ("physical", "postal", "virtual")

TABLES: tuple[Table, ...] = (
    Table(
        "organization",
        "organizations.csv",
        m.Organization,
        (
            _c("id", type="uuid"),
            _c("name"),
            _c("alternate_name"),
            _c("description"),
            _c("email"),
            _c("website"),
            _c("tax_status"),
            _c("tax_id"),
            _c("year_incorporated", type="integer"),
            _c("legal_status"),
        ),
        required=("id", "name", "description"),
    ),
    Table(
        "program",
        "programs.csv",
        m.Program,
        (
            _c("id", type="uuid"),
            _fk("organization_id"),
            _c("name"),
            _c("alternate_name"),
            _c("description"),
        ),
        required=("id", "name", "description"),
        tabular_required=("organization_id",),
    ),
    Table(
        "taxonomy",
        "taxonomies.csv",
        m.Taxonomy,
        (_c("id", type="uuid"), _c("name"), _c("description"), _c("uri"), _c("version")),
        required=("id", "name", "description"),
    ),
    Table(
        "taxonomy_term",
        "taxonomy_terms.csv",
        m.TaxonomyTerm,
        (
            _c("id", type="uuid"),
            _c("code"),
            _c("name"),
            _c("description"),
            _fk("parent_id"),
            _fk("taxonomy_id"),
            # Not an HSDS field: the term's Spanish name for the portal (HSDS allows extras).
            _c("name_es"),
        ),
        required=("id", "name", "description"),
    ),
    Table(
        "service",
        "services.csv",
        m.Service,
        (
            _c("id", type="uuid"),
            _fk("organization_id"),
            _fk("program_id"),
            _c("name"),
            _c("alternate_name"),
            _c("description"),
            _c("url"),
            _c("email"),
            _c("status", enum=STATUS),
            _c("interpretation_services"),
            _c("application_process"),
            _c("fees_description"),
            _c("eligibility_description"),
            _c("minimum_age", type="number"),
            _c("maximum_age", type="number"),
            _c("assured_date", type="date"),
            _c("assurer_email"),
            _c("alert"),
            _c("last_modified", type="datetime"),
        ),
        required=("id", "name", "status"),
        tabular_required=("organization_id",),
    ),
    Table(
        "attribute",
        "attributes.csv",
        m.Attribute,
        (
            _c("id", type="uuid"),
            _fk("link_id", "service_id"),
            _fk("taxonomy_term_id", "term_id"),
        ),
        required=("id", "taxonomy_term_id", "link_id"),
        fixed={"link_type": "service", "link_entity": "service"},
    ),
    Table(
        "location",
        "locations.csv",
        m.Location,
        (
            _c("id", type="uuid"),
            _c("location_type", enum=PLACE_TYPES),
            _fk("organization_id"),
            _c("url"),
            _c("name"),
            _c("alternate_name"),
            _c("description"),
            _c("transportation"),
            _c("latitude", type="number"),
            _c("longitude", type="number"),
            # HSDS 3.0 keeps accessibility as its own object; one description per location.
            _c("accessibility_description", attr="accessibility"),
        ),
        required=("id", "location_type"),
    ),
    Table(
        "address",
        "addresses.csv",
        m.Address,
        (
            _c("id", type="uuid"),
            _fk("location_id"),
            _c("attention"),
            _c("address_1"),
            _c("address_2"),
            _c("city"),
            _c("region"),
            _c("state_province"),
            _c("postal_code"),
            _c("country"),
            _c("address_type", enum=PLACE_TYPES),
        ),
        required=(
            "id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
    ),
    Table(
        "service_at_location",
        "service_at_locations.csv",
        m.ServiceAtLocation,
        (_c("id", type="uuid"), _fk("service_id"), _fk("location_id"), _c("description")),
        tabular_required=("service_id", "location_id"),
    ),
    Table(
        "phone",
        "phones.csv",
        m.Phone,
        (
            _c("id", type="uuid"),
            _fk("location_id"),
            _fk("service_id"),
            _fk("organization_id"),
            _c("number"),
            _c("extension"),
            _c("type"),
            _c("description"),
        ),
        required=("id", "number"),
    ),
    Table(
        "schedule",
        "schedules.csv",
        m.Schedule,
        (
            _c("id", type="uuid"),
            _fk("service_id"),
            _fk("location_id"),
            _c("valid_from", type="date"),
            _c("valid_to", type="date"),
            _c("freq", enum=("WEEKLY", "MONTHLY")),
            _c("byday"),
            _c("opens_at", type="time"),
            _c("closes_at", type="time"),
            _c("description"),
        ),
    ),
    Table(
        "language",
        "languages.csv",
        m.Language,
        (
            _c("id", type="uuid"),
            _fk("service_id"),
            _fk("location_id"),
            _c("name"),
            _c("code"),
            _c("note"),
        ),
    ),
)
TABLE = {table.name: table for table in TABLES}


def empty_rows() -> dict[str, list[dict[str, Any]]]:
    """One empty list per HSDS table, in load order, for a mapper to fill."""
    return {table.name: [] for table in TABLES}


JSON_TYPES = {
    "string": {"type": "string"},
    "uuid": {"type": "string", "format": "uuid"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"},
    "datetime": {"type": "string", "format": "date-time"},
}
BYDAY_PATTERN = r"^(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$"


def object_schema(table: Table, *, tabular: bool = False) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for column in table.columns:
        prop: dict[str, Any] = dict(JSON_TYPES[column.type])
        if column.enum:
            prop["enum"] = list(column.enum)
        if column.name == "byday":
            prop["pattern"] = BYDAY_PATTERN
        if column.name in ("email", "assurer_email"):
            prop["format"] = "email"
        properties[column.name] = prop
    for name, value in table.fixed.items():
        properties[name] = {"type": "string", "const": value}
    required = list(table.required) + (list(table.tabular_required) if tabular else [])
    return {"type": "object", "properties": properties, "required": required}


def _nested(name: str, **children: Any) -> dict[str, Any]:
    schema = object_schema(TABLE[name])
    schema["properties"].update(children)
    return schema


def _many(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def service_schema() -> dict[str, Any]:
    """The service-centred, fully nested document (HSDS `compiled/service.json` shape)."""
    term = _nested("taxonomy_term", taxonomy_detail=object_schema(TABLE["taxonomy"]))
    owned = {
        "phones": _many(object_schema(TABLE["phone"])),
        "schedules": _many(object_schema(TABLE["schedule"])),
        "languages": _many(object_schema(TABLE["language"])),
    }
    location = _nested("location", addresses=_many(object_schema(TABLE["address"])), **owned)
    return _nested(
        "service",
        organization=_nested(
            "organization",
            phones=_many(object_schema(TABLE["phone"])),
            programs=_many(object_schema(TABLE["program"])),
        ),
        program=object_schema(TABLE["program"]),
        attributes=_many(_nested("attribute", taxonomy_term=term)),
        service_at_locations=_many(_nested("service_at_location", location=location)),
        **owned,
    )


def package_schema() -> dict[str, Any]:
    """The JSON export: HSDS's `Page` envelope around the service documents."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["total_items", "total_pages", "page_number", "size", "contents"],
        "properties": {
            "total_items": {"type": "integer"},
            "total_pages": {"type": "integer"},
            "page_number": {"type": "integer"},
            "size": {"type": "integer"},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": _many(service_schema()),
        },
    }


def validation_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Every way `instance` breaks `schema`, each naming where ("contents/3/status: …")."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    messages = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(document)"
        messages.append(f"{where}: {error.message}")
    return messages


def to_json_value(column: Column, value: Any) -> Any:
    """A model value as HSDS writes it; None for nothing (the key is then left out)."""
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if column.type == "time":
        return value.strftime("%H:%M")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_json_value(column: Column, value: Any) -> Any:
    """Parse a JSON or CSV cell for `column`; raises ValueError with a message for people."""
    if value is None or value == "":
        return None
    try:
        return _parsed(column, value)
    except ValueError:
        shape = {
            "uuid": "a UUID",
            "number": "a number",
            "integer": "a whole number",
            "date": "a date (YYYY-MM-DD)",
            "time": "a time (HH:MM)",
            "datetime": "a date and time (ISO 8601)",
        }.get(column.type, "text")
        raise ValueError(f"{column.name}: “{value}” is not {shape}") from None


def _parsed(column: Column, value: Any) -> Any:
    if column.type == "uuid":
        return uuid.UUID(str(value))
    if column.type in ("number", "integer"):
        number = float(value)
        if column.type == "integer" or column.name in ("minimum_age", "maximum_age"):
            if number != int(number):
                raise ValueError(f"{column.name} must be a whole number, not {value}")
            return int(number)
        return number
    if column.type == "date":
        return dt.date.fromisoformat(str(value))
    if column.type == "time":
        return dt.time.fromisoformat(str(value))
    if column.type == "datetime":
        return dt.datetime.fromisoformat(str(value))
    return str(value)


def row_of(table: Table, obj: models.Model) -> dict[str, Any]:
    """One record as an HSDS object (flat: foreign keys as ids, empty values left out)."""
    row: dict[str, Any] = {}
    for column in table.columns:
        shown = to_json_value(column, getattr(obj, column.model_attr))
        if shown is not None:
            row[column.name] = shown
        elif column.name in table.required and column.type == "string":
            row[column.name] = ""  # required even when the provider left it blank
    row.update(table.fixed)
    return row
