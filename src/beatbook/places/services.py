"""Writes about places: importing beats and the address table."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from beatbook.core.actors import Actor
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.places.addresses import street_canonical
from beatbook.places.exceptions import BeatFileInvalid
from beatbook.places.geometry import geometry_summary, h3_cell
from beatbook.places.models import AddressPoint, Beat
from beatbook.places.selectors import beat_for_point

WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
}
IMPORT_ROLES = {Role.ADMIN}


@dataclass
class BeatImportResult:
    created: int = 0
    updated: int = 0
    names: list[str] = field(default_factory=list)


def _transformer_for(collection: dict[str, Any]) -> Callable[[float, float], tuple[float, float]]:
    crs_name = ((collection.get("crs") or {}).get("properties") or {}).get("name")
    if not crs_name or crs_name in WGS84_NAMES:
        return lambda x, y: (x, y)
    # EPSG:4326 in a `crs` member of old GeoJSON means lon/lat order too (always_xy).
    match = re.search(r"EPSG:{1,2}(\d+)", crs_name)
    try:
        source = CRS.from_epsg(int(match.group(1))) if match else CRS.from_user_input(crs_name)
    except CRSError as exc:
        raise BeatFileInvalid(
            f"The file's coordinate system {crs_name!r} is unknown: {exc}"
        ) from None
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
    return lambda x, y: transformer.transform(x, y)


def _reproject(coords: Any, to_wgs84: Callable[[float, float], tuple[float, float]]) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        lon, lat = to_wgs84(coords[0], coords[1])
        return [round(lon, 7), round(lat, 7)]
    return [_reproject(part, to_wgs84) for part in coords]


def beats_import(
    *,
    actor: Actor,
    collection: dict[str, Any],
    name_property: str,
    sector_property: str = "",
    progress: Callable[[int], object] | None = None,
) -> BeatImportResult:
    """Create or update beats from a GeoJSON FeatureCollection, all or nothing."""
    require_role(actor, IMPORT_ROLES, action="import beats")
    if collection.get("type") != "FeatureCollection":
        raise BeatFileInvalid("The file is not a GeoJSON FeatureCollection.")
    to_wgs84 = _transformer_for(collection)
    result = BeatImportResult()
    features = collection.get("features") or []
    if not features:
        raise BeatFileInvalid("The file has no features.")
    with transaction.atomic():
        for index, feature in enumerate(features, start=1):
            properties = feature.get("properties") or {}
            name = properties.get(name_property)
            if name in (None, ""):
                raise BeatFileInvalid(
                    f"Feature {index} has no value for the property {name_property!r}; "
                    f"its properties are: {', '.join(sorted(properties)) or 'none'}."
                )
            geometry = feature.get("geometry") or {}
            if geometry.get("type") not in ("Polygon", "MultiPolygon"):
                raise BeatFileInvalid(
                    f"Feature {index} ({name}) is a "
                    f"{geometry.get('type') or 'missing geometry'}, "
                    "not a Polygon or MultiPolygon."
                )
            geometry = {
                "type": geometry["type"],
                "coordinates": _reproject(geometry["coordinates"], to_wgs84),
            }
            try:
                summary = geometry_summary(geometry)
            except (ValueError, TypeError, IndexError) as exc:
                raise BeatFileInvalid(
                    f"Feature {index} ({name}) has a broken geometry: {exc}"
                ) from None
            if not (-90 <= summary["min_lat"] <= 90 and -180 <= summary["min_lon"] <= 180):
                raise BeatFileInvalid(
                    f"Feature {index} ({name}) is not in longitude/latitude; "
                    "add a `crs` member naming its projection."
                )
            sector = str(properties.get(sector_property) or "") if sector_property else ""
            _, created = Beat.objects.update_or_create(
                name=str(name), defaults={"geometry": geometry, "sector": sector, **summary}
            )
            result.created += created
            result.updated += not created
            result.names.append(str(name))
            if progress:
                progress(1)
        history_record(
            obj=None,
            actor=actor,
            verb="beats imported",
            data={"created": result.created, "updated": result.updated},
        )
    return result


@dataclass
class AddressImportResult:
    imported: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)


REQUIRED_ADDRESS_COLUMNS = ("number", "street", "lat", "lon")


def address_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED_ADDRESS_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise BeatFileInvalid(
            f"Line 1: the header lacks the column(s) {', '.join(missing)}; "
            f"expected {', '.join(REQUIRED_ADDRESS_COLUMNS)} "
            "(city and postal_code optional)."
        )
    for row in reader:
        yield reader.line_num, row


def _address_from_row(row: dict[str, str]) -> AddressPoint:
    try:
        number = int(row["number"])
    except (TypeError, ValueError):
        raise ValueError(f"house number {row.get('number')!r} is not a whole number") from None
    street = street_canonical(row.get("street") or "")
    if not street:
        raise ValueError("street is empty")
    try:
        lat, lon = float(row["lat"]), float(row["lon"])
    except (TypeError, ValueError):
        raise ValueError(
            f"lat/lon {row.get('lat')!r}, {row.get('lon')!r} are not numbers"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"lat/lon {lat}, {lon} are out of range")
    return AddressPoint(
        number=number,
        street=street,
        city=(row.get("city") or "").strip(),
        postal_code=(row.get("postal_code") or "").strip(),
        lat=lat,
        lon=lon,
        beat=beat_for_point(lat=lat, lon=lon),
        h3_cell=h3_cell(lat, lon),
    )


def addresses_import(
    *,
    actor: Actor,
    rows: Iterable[tuple[int, dict[str, str]]],
    progress: Callable[[int], object] | None = None,
    batch_size: int = 2000,
) -> AddressImportResult:
    """Load address points; bad rows are reported by line and skipped, good rows kept.

    Re-importing the same file adds nothing (the street, number and city are unique).
    """
    require_role(actor, IMPORT_ROLES, action="import addresses")
    result = AddressImportResult()
    batch: list[AddressPoint] = []

    def flush() -> None:
        with transaction.atomic():
            AddressPoint.objects.bulk_create(batch, ignore_conflicts=True)
        result.imported += len(batch)
        if progress:
            progress(len(batch))
        batch.clear()

    for line, row in rows:
        try:
            batch.append(_address_from_row(row))
        except ValueError as exc:
            result.rejects.append((line, str(exc)))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    history_record(
        obj=None,
        actor=actor,
        verb="addresses imported",
        data={"rows": result.imported, "rejected": len(result.rejects)},
    )
    return result
