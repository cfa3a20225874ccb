"""The mapping file: which column holds what, how times are written, and how the source's
codes translate into Beatbook's. A third city needs only a new file like the shipped ones."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from beatbook.calls.choices import Disposition
from beatbook.calls.importing.points import UnknownCrs, crs_check

MAPPINGS_DIR = Path(__file__).parent / "mappings"
# Every key a mapping may hold, each explained; to start a third city's mapping from.
EXAMPLE_MAPPING = Path(__file__).parent / "example-mapping.toml"
FIELDS = (
    "source_id",
    "received_at",
    "dispatched_at",
    "on_scene_at",
    "cleared_at",
    "priority",
    "call_type",
    "call_type_description",
    "disposition",
    "beat",
    "lat",
    "lon",
    "x",
    "y",
    "block",
)
REQUIRED = ("source_id", "received_at", "call_type")
# Times an export may split over columns ("Dispatch Date", "Dispatch Time"): given as a list,
# their texts are joined with a space and read with the formats.
TIME_FIELDS = ("received_at", "dispatched_at", "on_scene_at", "cleared_at")
LOOKUP = ("file", "code", "description")  # a code table: its file, code and text columns
PRIORITY_MAX = 99  # a source's priorities, kept as it numbers them (0 to 9 in most CADs)

# The file's shape, so that a mistake in a third city's mapping is named instead of ignored
# (a section spelt [call_type] mapped nothing) or failing deep in the import (street =
# "road" was read as the columns r, o, a, d). What the values mean is checked below.
_TEXT = {"type": "string"}
_TEXTS = {"type": "array", "items": _TEXT}
_CODES = {"type": "object", "additionalProperties": _TEXT}


def _table(properties: dict[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "required": list(required),
    }


SCHEMA = _table(
    {
        "name": _TEXT,
        "description": _TEXT,
        "encoding": _TEXT,
        "delimiter": _TEXT,
        "timezone": _TEXT,
        "crs": _TEXT,
        "columns": _table(
            {
                name: {"anyOf": [_TEXT, {**_TEXTS, "minItems": 1}]}
                if name in TIME_FIELDS
                else _TEXT
                for name in FIELDS
            }
        ),
        "formats": _table({"datetime": {"anyOf": [_TEXT, _TEXTS]}}),
        "address": _table({"number": _TEXT, "street": _TEXTS, "cross": _TEXTS}),
        "lookups": _table({"call_types": _table(dict.fromkeys(LOOKUP, _TEXT), LOOKUP)}),
        "call_types": _table({"exact": _CODES, "rules": {"type": "array"}}),
        "dispositions": _table({"exact": _CODES, "rules": {"type": "array"}}),
        "beats": _table({"rename": _CODES, "unknown": _TEXTS}),
        "priorities": _table(
            {
                "exact": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": PRIORITY_MAX,
                    },
                }
            }
        ),
    }
)
_KINDS = {
    "string": "a text in quotes",
    "array": 'a list in brackets, e.g. ["A", "B"]',
    "integer": "a whole number, without quotes",
    "object": 'a table: a [section] header, or "KEY" = "value" lines',
}


class MappingError(Exception):
    """The mapping file itself is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class AddressParts:
    number: str
    street: list[str]
    cross: list[str]


@dataclass(frozen=True)
class Lookup:
    file: str
    code: str
    description: str


@dataclass
class Mapping:
    name: str
    path: Path
    encoding: str
    timezone: str
    columns: dict[str, str]  # a field's column (for a time split over columns, their names)
    datetime_formats: list[str]
    call_types: dict[str, str]
    call_type_rules: list[tuple[re.Pattern[str], str]]
    dispositions: dict[str, str]
    disposition_rules: list[tuple[re.Pattern[str], str]]
    beats: dict[str, str]
    unknown_beats: set[str]
    address: AddressParts | None
    call_type_lookup: Lookup | None
    description: str = ""
    needed_columns: list[str] = field(default_factory=list)
    joined: dict[str, list[str]] = field(default_factory=dict)  # a time's columns, if several
    crs: str = ""  # the coordinate system of the x and y columns
    delimiter: str = ","  # between a record's fields ("\t" for a tab-separated file)
    priorities: dict[str, int] = field(default_factory=dict)  # a text priority → its number


def _rules(
    raw: Any, where: str, allowed: set[str] | None = None
) -> list[tuple[re.Pattern[str], str]]:
    rules = []
    for n, pair in enumerate(raw or [], start=1):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise MappingError(f'{where} rule {n}: write it as ["pattern", "CODE"].')
        try:
            pattern = re.compile(pair[0], re.IGNORECASE)
        except re.error as exc:
            raise MappingError(f"{where} rule {n}: {pair[0]!r} is not a pattern ({exc}).") from None
        if allowed is not None and pair[1] not in allowed:
            raise MappingError(f"{where} rule {n}: {pair[1]!r} is not one of {sorted(allowed)}.")
        rules.append((pattern, str(pair[1])))
    return rules


def _where(raw: dict[str, Any], path: Sequence[Any]) -> str:
    """Where in the file a value is, as its author wrote it: `[address] street`."""
    node: Any = raw
    tables: list[str] = []
    for key in path:
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            return f"[{'.'.join(tables)}] {key}" if tables else str(key)
        tables.append(str(key))
        node = node[key]
    return f"[{'.'.join(tables)}]" if tables else "the file's top level"


def _problem(raw: dict[str, Any], error: ValidationError) -> str:
    where = _where(raw, list(error.absolute_path))
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        names = []
        for name in unknown:
            close = difflib.get_close_matches(name, allowed, n=1)
            names.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        what = "section or key" if not error.absolute_path else "key"
        return f"{where}: no such {what} {', '.join(names)}; it may hold {', '.join(allowed)}"
    if error.validator == "required":
        return f"{where}: {error.message.split(' is a required')[0]} must be given"
    if error.validator == "anyOf":  # a time's column(s), or its format(s)
        return f"{where}: {error.instance!r} should be a text in quotes or a list of them"
    if error.validator == "type":
        return f"{where}: {error.instance!r} should be {_KINDS[str(error.validator_value)]}"
    return f"{where}: {error.message}"


def _shape_check(raw: dict[str, Any], path: Path) -> None:
    """Every mistake in the file's shape at once, each with where it is."""
    errors = sorted(
        Draft202012Validator(SCHEMA).iter_errors(raw), key=lambda e: list(map(str, e.path))
    )
    if errors:
        problems = "; ".join(_problem(raw, error) for error in errors[:10])
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise MappingError(f"{path.name}: {problems}{more}.")


def _format_check(fmt: str, path: Path) -> None:
    """A time format that cannot read a time would reject every row, one by one, as "not a
    time like …": a directive strptime does not know, or no year (every call in 1900)."""
    where = f"{path.name} [formats] datetime {fmt!r}"
    sample = dt.datetime(2024, 11, 23, 14, 5, 6, 789000, tzinfo=dt.UTC)  # %z and %Z read it
    try:
        dt.datetime.strptime(sample.strftime(fmt), fmt)  # noqa: DTZ007
    except ValueError as exc:
        raise MappingError(f"{where}: not a strptime format ({exc}).") from None
    if "%Y" not in fmt and "%y" not in fmt:
        raise MappingError(f"{where}: has no year (%Y or %y); a call's time needs its date.")


def _crs_check(raw: dict[str, Any], columns: dict[str, Any], path: Path) -> str:
    """Points as x and y need the coordinate system they are written in, and lat and lon
    are then not given too."""
    crs = str(raw.get("crs", ""))
    projected = [name for name in ("x", "y") if name in columns]
    if projected and (len(projected) == 1 or not crs):
        raise MappingError(
            f'{path.name} [columns]: x and y go together, with crs = "EPSG:…" at the top of '
            "the file naming their coordinate system (a state plane's, e.g. EPSG:2229)."
        )
    if crs and not projected:
        raise MappingError(f"{path.name}: crs {crs!r} is for x and y, and [columns] has none.")
    if projected and ("lat" in columns or "lon" in columns):
        raise MappingError(f"{path.name} [columns]: give lat and lon, or x and y, not both.")
    if crs:
        try:
            crs_check(crs)
        except UnknownCrs:
            raise MappingError(
                f"{path.name} crs {crs!r}: no coordinate system of that name "
                '(write its EPSG code, e.g. "EPSG:2229").'
            ) from None
    return crs


def mapping_names() -> list[str]:
    """The mappings that come with Beatbook, by name."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))


def mapping_to_start_from(name: str) -> Path | None:
    """The example mapping ("example") or a shipped one, by name, as a file to copy."""
    if name == "example":
        return EXAMPLE_MAPPING
    return MAPPINGS_DIR / f"{name}.toml" if name in mapping_names() else None


def mapping_load(name_or_path: str) -> Mapping:
    """A shipped mapping by name (`seattle`, `san-diego`, …) or any TOML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.toml"
    if not path.exists():
        shipped = ", ".join(mapping_names())
        raise MappingError(f"No mapping {name_or_path!r}: give a file, or one of {shipped}.")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path.name}: not valid TOML ({exc}).") from None
    _shape_check(raw, path)
    columns = dict(raw.get("columns", {}))
    joined = {name: list(c) for name, c in columns.items() if isinstance(c, list)}
    for name, parts in joined.items():  # named in messages as the columns, "Date + Time"
        columns[name] = " + ".join(parts)
    address_raw = raw.get("address")
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise MappingError(f"{path.name} [columns]: {', '.join(missing)} must be given.")
    crs = _crs_check(raw, columns, path)
    delimiter = str(raw.get("delimiter", ","))
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise MappingError(
            f"{path.name} delimiter {delimiter!r}: one character between fields, such as "
            '"," (the default), ";", "|" or "\\t" for a tab.'
        )
    formats = raw.get("formats", {}).get("datetime", [])
    if isinstance(formats, str):
        formats = [formats]
    if not formats:
        raise MappingError(f"{path.name} [formats] datetime: give at least one strptime format.")
    for fmt in formats:
        _format_check(fmt, path)
    dispositions = raw.get("dispositions", {})
    exact_dispositions = dispositions.get("exact", {})
    bad = {v for v in exact_dispositions.values() if v not in Disposition.values}
    if bad:
        raise MappingError(
            f"{path.name} [dispositions]: {sorted(bad)} are not Beatbook dispositions "
            f"({', '.join(Disposition.values)})."
        )
    address = None
    if address_raw:
        address = AddressParts(
            number=address_raw.get("number", ""),
            street=list(address_raw.get("street", [])),
            cross=list(address_raw.get("cross", [])),
        )
    lookup_raw = raw.get("lookups", {}).get("call_types")
    lookup = Lookup(**lookup_raw) if lookup_raw else None
    needed = [c for name, c in columns.items() if name not in joined]
    needed += [c for parts in joined.values() for c in parts]
    if address:
        needed += [address.number, *address.street, *address.cross]
    call_types = raw.get("call_types", {})
    return Mapping(
        name=str(raw.get("name") or path.stem),
        path=path,
        description=str(raw.get("description", "")),
        encoding=str(raw.get("encoding", "utf-8")),
        timezone=str(raw.get("timezone", "UTC")),
        columns=columns,
        joined=joined,
        crs=crs,
        delimiter=delimiter,
        priorities={k.upper(): v for k, v in raw.get("priorities", {}).get("exact", {}).items()},
        datetime_formats=list(formats),
        call_types={k.upper(): v for k, v in call_types.get("exact", {}).items()},
        call_type_rules=_rules(call_types.get("rules"), f"{path.name} [call_types]"),
        dispositions={k.upper(): v for k, v in exact_dispositions.items()},
        disposition_rules=_rules(
            dispositions.get("rules"), f"{path.name} [dispositions]", set(Disposition.values)
        ),
        beats={k.upper(): v for k, v in raw.get("beats", {}).get("rename", {}).items()},
        unknown_beats={v.upper() for v in raw.get("beats", {}).get("unknown", [])},
        address=address,
        call_type_lookup=lookup,
        needed_columns=[c for c in needed if c],
    )
