"""The mapping file: which column holds what, how times are written, and how the source's
codes translate into Beatbook's. A third city needs only a new file like the shipped ones."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beatbook.calls.choices import Disposition

MAPPINGS_DIR = Path(__file__).parent / "mappings"
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
    "block",
)
REQUIRED = ("source_id", "received_at", "call_type")


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
    columns: dict[str, str]
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


def mapping_names() -> list[str]:
    """The mappings that come with Beatbook, by name."""
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))


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
    columns = raw.get("columns", {})
    unknown = set(columns) - set(FIELDS)
    if unknown:
        raise MappingError(f"{path.name} [columns]: unknown field(s) {sorted(unknown)}.")
    address_raw = raw.get("address")
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise MappingError(f"{path.name} [columns]: {', '.join(missing)} must be given.")
    formats = raw.get("formats", {}).get("datetime", [])
    if isinstance(formats, str):
        formats = [formats]
    if not formats:
        raise MappingError(f"{path.name} [formats] datetime: give at least one strptime format.")
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
    needed = list(columns.values())
    if address:
        needed += [address.number, *address.street, *address.cross]
    call_types = raw.get("call_types", {})
    return Mapping(
        name=str(raw.get("name") or path.stem),
        path=path,
        description=str(raw.get("description", "")),
        encoding=str(raw.get("encoding", "utf-8")),
        timezone=str(raw.get("timezone", "UTC")),
        columns=dict(columns),
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
