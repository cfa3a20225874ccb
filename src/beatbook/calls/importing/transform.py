"""One source row → one CallRecord row, or the reason it cannot be one. Every lookup the row
needs (call types, beats, blocks, beat polygons) is loaded once per import, not per row."""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import zoneinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from beatbook.calls.importing.corrections import Kind, corrections_for
from beatbook.calls.importing.mapping import PRIORITY_MAX, Mapping, MappingError
from beatbook.calls.importing.points import lat_lon
from beatbook.calls.importing.times import time_parser
from beatbook.calls.models import CallType
from beatbook.places.addresses import block_text, street_canonical, street_display
from beatbook.places.geometry import h3_cell
from beatbook.places.models import Beat
from beatbook.places.selectors import beat_for_point, block_centroids

_HUNDRED_BLOCK = re.compile(r"^\s*(\d+)XX\s+BLOCK\s+OF\s+(.+)$", re.IGNORECASE)


class RowRejected(Exception):
    """This row cannot be imported; the message says which column and why."""


def _lookup_table(path: Path, code: str, description: str) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {
            row[code].strip().upper(): row[description].strip()
            for row in csv.DictReader(f)
            if row.get(code)
        }


class RecordBuilder:
    def __init__(self, mapping: Mapping, data_dir: Path) -> None:
        self.mapping = mapping
        self.columns = mapping.columns
        try:
            self.tz = zoneinfo.ZoneInfo(mapping.timezone)
        except zoneinfo.ZoneInfoNotFoundError:
            raise MappingError(
                f"{mapping.path.name}: unknown timezone {mapping.timezone!r}."
            ) from None
        self.parsers = [time_parser(fmt) for fmt in mapping.datetime_formats]
        self.type_ids = dict(CallType.objects.values_list("code", "pk"))
        wanted = set(mapping.call_types.values()) | {code for _, code in mapping.call_type_rules}
        unknown = sorted(wanted - set(self.type_ids) - {""})
        if unknown:
            raise MappingError(
                f"{mapping.path.name} [call_types]: {', '.join(unknown)} are not Beatbook call "
                "types (see the admin's call types)."
            )
        self.beat_ids = {name.upper(): pk for name, pk in Beat.objects.values_list("name", "pk")}
        unknown = sorted(
            {v for v in mapping.beats.values() if v and v.upper() not in self.beat_ids}
        )
        if unknown:
            names = ", ".join(sorted(Beat.objects.values_list("name", flat=True))) or "none yet"
            raise MappingError(
                f"{mapping.path.name} [beats.rename]: {', '.join(unknown)} are not Beatbook "
                f"beats (the beats: {names})."
            )
        # What the imports page gave codes this mapping leaves without a value.
        self.corrections = corrections_for(mapping.name)
        self.descriptions: dict[str, str] = {}
        lookup = mapping.call_type_lookup
        if lookup is not None:
            table = data_dir / lookup.file
            if not table.exists():
                raise MappingError(
                    f"{mapping.path.name} [lookups]: {lookup.file} is not next to the calls file."
                )
            self.descriptions = _lookup_table(table, lookup.code, lookup.description)
        self._blocks: dict[tuple[str, int], tuple[float, float]] | None = None

    # --- the pieces -------------------------------------------------------------------

    def _value(self, row: dict[str, str], name: str) -> str:
        parts = self.mapping.joined.get(name)
        if parts is not None:  # a time split over columns: their texts, with a space
            return " ".join(v for c in parts if (v := (row.get(c) or "").strip()))
        column = self.columns.get(name)
        return (row.get(column) or "").strip() if column else ""

    def _time(self, row: dict[str, str], name: str, required: bool = False) -> dt.datetime | None:
        text = self._value(row, name)
        if not text:
            if required:
                raise RowRejected(f"{self.columns[name]!r} is empty")
            return None
        for parse in self.parsers:
            local = parse(text)
            if local is None:
                continue
            if local.tzinfo is None:
                local = local.replace(tzinfo=self.tz)
            return local.astimezone(dt.UTC)
        raise RowRejected(
            f"{self.columns[name]!r} is {text!r}, not a time like "
            f"{' or '.join(self.mapping.datetime_formats)}"
        )

    @lru_cache(maxsize=4096)  # noqa: B019  (one builder per import; codes repeat)
    def type_for(self, code: str) -> tuple[int | None, str]:
        upper = code.upper()
        target = self.mapping.call_types.get(upper)
        if target is None:
            target = next(
                (t for pattern, t in self.mapping.call_type_rules if pattern.search(code)),
                self.corrections[Kind.CALL_TYPE].get(upper, ""),
            )
        return self.type_ids.get(target), self.descriptions.get(upper, "")

    @lru_cache(maxsize=1024)  # noqa: B019
    def disposition_for(self, text: str) -> str:
        exact = self.mapping.dispositions.get(text.upper())
        if exact is not None:
            return exact
        return next(
            (d for pattern, d in self.mapping.disposition_rules if pattern.search(text)),
            self.corrections[Kind.DISPOSITION].get(text.upper(), ""),
        )

    @lru_cache(maxsize=65536)  # noqa: B019
    def beat_at(self, lat: float, lon: float) -> int | None:
        """The beat whose polygon holds the point (rounded to 5 places, about a metre)."""
        beat = beat_for_point(lat=round(lat, 5), lon=round(lon, 5))
        return beat.pk if beat else None

    def beat_named(self, code: str) -> int | None:
        """The beat the source's code names, after the mapping's renames; None for codes the
        mapping calls unknown and for beats Beatbook does not have, unless the imports page
        gave the code a beat."""
        upper = code.upper()
        corrected = self.corrections[Kind.BEAT].get(upper)
        if not code or (upper in self.mapping.unknown_beats and corrected is None):
            return None
        name = self.mapping.beats.get(upper) or corrected or code
        return self.beat_ids.get(name.upper())

    def _blocks_index(self) -> dict[tuple[str, int], tuple[float, float]]:
        if self._blocks is None:
            self._blocks = block_centroids()
        return self._blocks

    def place(self, row: dict[str, str]) -> tuple[str, tuple[float, float] | None]:
        """The block text, and its centroid when the local address table knows the block."""
        parts = self.mapping.address
        if parts is not None:
            number_text = (row.get(parts.number) or "").strip()
            street = " ".join(v for c in parts.street if (v := (row.get(c) or "").strip()))
            cross = " ".join(v for c in parts.cross if (v := (row.get(c) or "").strip()))
            number = int(number_text) if number_text.isdigit() else 0
            if number > 0 and street:
                canonical = street_canonical(street)
                return block_text(number, canonical), self._blocks_index().get(
                    (canonical, number // 100 * 100)
                )
            text = " / ".join(street_display(street_canonical(p)) for p in (street, cross) if p)
            return text, None
        raw = self._value(row, "block")
        match = _HUNDRED_BLOCK.match(raw)
        if match:
            number, canonical = int(match.group(1)) * 100, street_canonical(match.group(2))
            return block_text(number, canonical), self._blocks_index().get((canonical, number))
        return raw.title(), None

    def _coordinate(self, row: dict[str, str], name: str, limit: float) -> float | None:
        text = self._value(row, name)
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise RowRejected(f"{self.columns[name]!r} is {text!r}, not a number") from None
        if math.isinf(limit) and not math.isfinite(value):  # x and y: any finite number
            raise RowRejected(f"{self.columns[name]!r} is {text!r}, not a number")
        if not -limit <= value <= limit:
            raise RowRejected(f"{self.columns[name]!r} is {text}, outside ±{limit:g}")
        return value

    def _priority(self, text: str) -> int:
        """The source's priority as its number: from [priorities.exact] for a text one."""
        mapped = self.mapping.priorities.get(text.upper())
        if mapped is not None:
            return mapped
        try:
            value = int(text)
        except ValueError:
            raise RowRejected(
                f"{self.columns['priority']!r} is {text!r}, not a number (a priority written "
                "as text is given its number under [priorities.exact] in the mapping)"
            ) from None
        if not 0 <= value <= PRIORITY_MAX:
            raise RowRejected(
                f"{self.columns['priority']!r} is {text!r}, not a priority from 0 to {PRIORITY_MAX}"
            )
        return value

    def _projected(self, row: dict[str, str]) -> tuple[float | None, float | None]:
        """The row's x and y in the mapping's `crs` as latitude and longitude; none for a
        row with either missing or both 0 (a CAD's "no location", as for lat and lon)."""
        x = self._coordinate(row, "x", math.inf)
        y = self._coordinate(row, "y", math.inf)
        if x is None or y is None or (x == 0 and y == 0):
            return None, None
        lat, lon = lat_lon(self.mapping.crs, np.array([x]), np.array([y]))
        if np.isnan(lat[0]):
            raise RowRejected(
                f"{self.columns['x']!r}, {self.columns['y']!r} ({x:g}, {y:g}) is no point "
                f"in {self.mapping.crs}"
            )
        return float(lat[0]), float(lon[0])

    # --- the row ----------------------------------------------------------------------

    def build(self, row: dict[str, str]) -> dict[str, Any]:
        """The row as a CallRecord row, or RowRejected saying why not. A source id seen
        before in the file is the caller's to reject (it knows which rows were kept)."""
        source_id = self._value(row, "source_id")
        if not source_id:
            raise RowRejected(f"{self.columns['source_id']!r} (the incident number) is empty")
        if len(source_id) > 40:
            raise RowRejected(f"{self.columns['source_id']!r} is longer than 40 characters")
        received = self._time(row, "received_at", required=True)
        assert received is not None
        dispatched = self._time(row, "dispatched_at")
        on_scene = self._time(row, "on_scene_at")
        cleared = self._time(row, "cleared_at")
        if on_scene is not None and on_scene < received:
            raise RowRejected(
                f"{self.columns['on_scene_at']!r} ({on_scene:%Y-%m-%d %H:%M} UTC) is before the "
                f"call was received ({received:%Y-%m-%d %H:%M} UTC)"
            )
        priority_text = self._value(row, "priority")
        priority = self._priority(priority_text) if priority_text else None
        code = self._value(row, "call_type")
        if not code:
            raise RowRejected(f"{self.columns['call_type']!r} (the call type) is empty")
        type_id, looked_up = self.type_for(code)
        description = self._value(row, "call_type_description") or looked_up
        if self.mapping.crs:
            lat, lon = self._projected(row)
        else:
            lat = self._coordinate(row, "lat", 90)
            lon = self._coordinate(row, "lon", 180)
            if (lat is None) != (lon is None) or (lat == 0 and lon == 0):
                lat = lon = None
        block, centroid = self.place(row)
        if lat is None and centroid is not None:
            lat, lon = centroid
        beat_code = self._value(row, "beat")
        beat_id = None
        if "beat" in self.columns:
            beat_id = self.beat_named(beat_code)
        elif lat is not None and lon is not None:
            beat_id = self.beat_at(lat, lon)
        disposition_text = self._value(row, "disposition")
        return {
            "source_id": source_id,
            "received_at": received,
            "dispatched_at": dispatched,
            "on_scene_at": on_scene,
            "cleared_at": cleared,
            "response_seconds": int((on_scene - received).total_seconds()) if on_scene else None,
            "priority": priority,
            "call_type_id": type_id,
            "original_code": code[:100],
            "original_description": description[:150],
            "disposition": self.disposition_for(disposition_text) if disposition_text else "",
            "original_disposition": disposition_text[:100],
            "beat_id": beat_id,
            "beat_code": beat_code[:20],
            "block_text": block[:200],
            "lat": lat,
            "lon": lon,
            "h3_cell": h3_cell(lat, lon) if lat is not None and lon is not None else "",
        }
