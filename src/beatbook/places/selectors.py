"""Reads about places: which beat covers a point, geocoding, reverse geocoding to a block."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from rapidfuzz import fuzz, process
from shapely.prepared import prep

from beatbook.core.exceptions import NotFound, ValidationFailed
from beatbook.core.geo import distance_m, flat_distance_params, flat_distance_sql, nearest_of
from beatbook.core.reference import ReferenceCopy
from beatbook.core.sql import plan_cached, table
from beatbook.places.addresses import address_parse, block_text, street_display
from beatbook.places.exceptions import AddressNotFound, OutsideAgencyArea
from beatbook.places.geometry import h3_cell, point_in, prepared_shape
from beatbook.places.models import AddressPoint, Beat

STREET_MATCH_CUTOFF = 82
NEAREST_ADDRESS_WINDOW_DEG = 0.004  # about 400 m north-south at mid latitudes
NEAREST_ADDRESS_SHORTLIST = 5


@dataclass(frozen=True)
class Location:
    """A point placed in the agency: its beat, H3 cell and the texts staff and public see."""

    lat: float
    lon: float
    beat: Beat
    h3_cell: str
    address_text: str
    block_text: str
    block_lat: float
    block_lon: float


@dataclass(frozen=True)
class GeocodeMatch:
    lat: float
    lon: float
    address_text: str
    block_text: str
    score: float
    exact: bool
    street: str = ""
    number: int | None = None


def beat_list() -> QuerySet[Beat]:
    return Beat.objects.all()


def beat_choices() -> QuerySet[Beat]:
    """Beats for a select, by name: without their polygons, which a form never shows and
    which cost a page 5 to 100 ms of JSON to decode (a chosen beat loads its own if asked)."""
    return Beat.objects.only("name").order_by("name")


def beats_for_patrol(*, user: object) -> list[Beat]:
    """The user's team's beats first, then the rest, for the patrol picker."""
    beats = list(Beat.objects.only("name").prefetch_related("teams"))
    team_id = getattr(user, "team_id", None)
    return sorted(beats, key=lambda b: (team_id not in {t.pk for t in b.teams.all()}, b.name))


def _beat_geometry(beat_id: int) -> dict[str, Any]:
    return Beat.objects.values_list("geometry", flat=True).get(pk=beat_id)  # type: ignore[no-any-return]


def _beats_load() -> list[Beat]:
    return list(Beat.objects.defer("geometry"))


# Every intake places its point in a beat (core/reference.py says why a copy).
BEATS = ReferenceCopy(_beats_load, models=(Beat,))


def beat_for_point(*, lat: float, lon: float) -> Beat | None:
    candidates = (
        b for b in BEATS.get() if b.min_lat <= lat <= b.max_lat and b.min_lon <= lon <= b.max_lon
    )
    for beat in candidates:
        if point_in(_beat_prepared(beat), lat, lon):
            return beat
    return None


def _beat_prepared(beat: Beat) -> Any:
    """The beat's polygon from the process's cache, loaded on a miss."""
    return prepared_shape(
        beat.pk, beat.updated_at.isoformat(), functools.partial(_beat_geometry, beat.pk)
    )


BORDER_SLACK_DEG = 0.0002  # about 20 m: neighbours' polygons drawn separately rarely meet


def beats_bordering(beat_id: int) -> list[Beat]:
    """The beats that share a border with this one, by name. Only those whose boxes come
    within the slack of its box are measured, on the shapes kept in memory (decoding every
    beat's polygon took 0.17 s of a page)."""
    beats = BEATS.get()
    target = next((b for b in beats if b.pk == beat_id), None)
    if target is None:
        return []
    slack = BORDER_SLACK_DEG
    near = [
        b
        for b in beats
        if b.pk != beat_id
        and b.min_lat <= target.max_lat + slack
        and b.max_lat >= target.min_lat - slack
        and b.min_lon <= target.max_lon + slack
        and b.max_lon >= target.min_lon - slack
    ]
    if not near:
        return []
    grown = prep(_beat_prepared(target).context.buffer(slack))
    return sorted(
        (b for b in near if grown.intersects(_beat_prepared(b).context)), key=lambda b: b.name
    )


def beat_for_point_or_refuse(*, lat: float, lon: float) -> Beat:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise OutsideAgencyArea(
            f"{lat}, {lon} is not a valid latitude, longitude.", field="location"
        )
    beat = beat_for_point(lat=lat, lon=lon)
    if beat is None:
        raise OutsideAgencyArea(
            f"The location {lat:.5f}, {lon:.5f} is outside the agency's area: no beat covers "
            "it. Check the pin, or refer the caller to the agency that serves that place.",
            field="location",
        )
    return beat


_streets_lock = threading.Lock()
_streets_cache: dict[str, object] = {}


def _known_streets() -> list[str]:
    signature = f"{AddressPoint.objects.count()}:{AddressPoint.objects.order_by('-pk').values_list('pk', flat=True).first()}"  # noqa: E501
    if _streets_cache.get("signature") != signature:
        with _streets_lock:
            streets = sorted(set(AddressPoint.objects.values_list("street", flat=True)))
            _streets_cache.update(signature=signature, streets=streets)
    return _streets_cache["streets"]  # type: ignore[return-value]


def geocode(*, text: str) -> GeocodeMatch:
    """Place a typed address using the local address table, forgiving small typos."""
    parsed = address_parse(text)
    if not parsed.street:
        raise AddressNotFound("Enter an address such as “1510 Pine St”.", field="address")
    found = process.extractOne(
        parsed.street, _known_streets(), scorer=fuzz.WRatio, score_cutoff=STREET_MATCH_CUTOFF
    )
    if found is None:
        raise AddressNotFound(
            f"No street like “{text}” is in the agency's address table.", field="address"
        )
    street, score, _ = found
    points = AddressPoint.objects.filter(street=street)
    if parsed.number is None:
        point = points.order_by("number").first()
        assert point is not None
        return GeocodeMatch(
            point.lat, point.lon, street_display(street), street_display(street), score, exact=False
        )
    below = points.filter(number__lte=parsed.number).order_by("-number").first()
    above = points.filter(number__gte=parsed.number).order_by("number").first()
    nearest = [p for p in (below, above) if p is not None]
    if not nearest:
        raise AddressNotFound(f"No street like “{text}” is in the address table.", field="address")
    if below and above and below.number != above.number and above.number - below.number <= 200:
        share = (parsed.number - below.number) / (above.number - below.number)
        lat = below.lat + share * (above.lat - below.lat)
        lon = below.lon + share * (above.lon - below.lon)
    else:
        best = min(nearest, key=lambda p: abs(p.number - parsed.number))  # type: ignore[operator]
        if abs(best.number - parsed.number) > 400:
            raise AddressNotFound(
                f"{parsed.number} {street_display(street)} is beyond the known addresses "
                f"of that street ({best.number} is the nearest).",
                field="address",
            )
        lat, lon = best.lat, best.lon
    exact = any(p.number == parsed.number for p in nearest)
    return GeocodeMatch(
        lat,
        lon,
        f"{parsed.number} {street_display(street)}",
        block_text(parsed.number, street),
        score,
        exact,
        street=street,
        number=parsed.number,
    )


@dataclass(frozen=True)
class NearestAddress:
    point: AddressPoint
    block_lat: float
    block_lon: float

    @property
    def lat(self) -> float:
        return self.point.lat

    @property
    def lon(self) -> float:
        return self.point.lon


_POINT_FIELDS = ["id", "number", "street", "lat", "lon"]


@functools.cache
def _nearest_address_sql() -> str:
    # Each of the few nearest points comes with the centroid of its hundred block (two
    # correlated averages over the (street, number) index), so placing a pin is one round
    # trip; hand-written because it is on every intake (see core.sql).
    a, b = "a", "b"
    hundred = f"({a}.number / 100 * 100)"
    block = (
        f"FROM {table(AddressPoint)} {b} WHERE {b}.street = {a}.street "
        f"AND {b}.number >= {hundred} AND {b}.number < {hundred} + 100"
    )
    order = flat_distance_sql(f"{a}.lat", f"{a}.lon")
    return plan_cached(
        f"SELECT {a}.id, {a}.number, {a}.street, {a}.lat, {a}.lon, "  # noqa: S608
        f"(SELECT AVG({b}.lat) {block}), (SELECT AVG({b}.lon) {block}) "
        f"FROM {table(AddressPoint)} {a} "
        f"WHERE {a}.lat BETWEEN %s AND %s AND {a}.lon BETWEEN %s AND %s "
        f"ORDER BY {order}, {a}.id LIMIT {NEAREST_ADDRESS_SHORTLIST}"
    )


def nearest_address_with_block(*, lat: float, lon: float) -> NearestAddress | None:
    """The closest known address and its block's centroid: the database orders the window by
    a flat-earth distance (a city's address table puts thousands of points in it), the few
    nearest are measured on the sphere."""
    window = NEAREST_ADDRESS_WINDOW_DEG
    box = [lat - window, lat + window, lon - window * 1.5, lon + window * 1.5]
    params = [*box, *flat_distance_params(lat, lon)]
    with connection.cursor() as cursor:
        cursor.execute(_nearest_address_sql(), params)
        rows = cursor.fetchall()
    candidates = [
        NearestAddress(
            AddressPoint.from_db(connection.alias, _POINT_FIELDS, row[:5]),
            round(row[5], 6),
            round(row[6], 6),
        )
        for row in rows
    ]
    nearest = nearest_of(lat, lon, candidates)
    return nearest[1] if nearest is not None else None


def nearest_address(*, lat: float, lon: float) -> AddressPoint | None:
    """The closest known address (see `nearest_address_with_block`)."""
    nearest = nearest_address_with_block(lat=lat, lon=lon)
    return nearest.point if nearest is not None else None


def place_or_words(address: str) -> tuple[float | None, float | None, str]:
    """Where a resident says something was lost: the block and its point when the address
    resolves, otherwise their own words ("somewhere on the 8 bus" still helps staff)."""
    if not address.strip():
        return None, None, ""
    try:
        place = location_resolve(address=address)
    except ValidationFailed:
        return None, None, address.strip()[:200]
    return place.lat, place.lon, place.block_text


def block_centroids() -> dict[tuple[str, int], tuple[float, float]]:
    """Every known hundred block's centroid, keyed by (canonical street, hundred), for the
    bulk jobs (imports, open data) that place many rows at once."""
    sums: dict[tuple[str, int], list[float]] = {}
    for street, number, lat, lon in AddressPoint.objects.values_list(
        "street", "number", "lat", "lon"
    ).iterator():
        acc = sums.setdefault((street, number // 100 * 100), [0.0, 0.0, 0.0])
        acc[0], acc[1], acc[2] = acc[0] + lat, acc[1] + lon, acc[2] + 1
    return {k: (round(a / n, 6), round(b / n, 6)) for k, (a, b, n) in sums.items()}


def block_centroid(*, street: str, number: int) -> tuple[float, float] | None:
    """The mean of the known addresses of a hundred block: where the public sees a report."""
    hundred = number // 100 * 100
    points = list(
        AddressPoint.objects.filter(
            street=street, number__gte=hundred, number__lt=hundred + 100
        ).values_list("lat", "lon")
    )
    if not points:
        return None
    return (
        round(sum(p[0] for p in points) / len(points), 6),
        round(sum(p[1] for p in points) / len(points), 6),
    )


def location_resolve(
    *, lat: float | None = None, lon: float | None = None, address: str = ""
) -> Location:
    """Turn what intake knows (a pin, an address, or both) into a placed Location."""
    address = address.strip()
    street, number = "", None
    if lat is None or lon is None:
        if not address:
            raise AddressNotFound("Give an address or a map position.", field="location")
        match = geocode(text=address)
        lat, lon = match.lat, match.lon
        address_text, public_text = match.address_text, match.block_text
        street, number = match.street, match.number
    else:
        address_text = address
        public_text = ""
    beat = beat_for_point_or_refuse(lat=lat, lon=lon)
    point, centroid = None, None
    if number is None:
        nearest = nearest_address_with_block(lat=lat, lon=lon)
        if nearest is not None:
            point, centroid = nearest.point, (nearest.block_lat, nearest.block_lon)
            street, number = point.street, point.number
    elif street and number:
        centroid = block_centroid(street=street, number=number)
    if not public_text:
        public_text = block_text(number, street) if street else "location withheld"
    if not address_text:
        address_text = f"near {point}" if point else f"{lat:.5f}, {lon:.5f}"
    # With no known block nearby, the public gets a point rounded to about 100 m.
    block_lat, block_lon = centroid or (round(lat, 3), round(lon, 3))
    return Location(
        lat=lat,
        lon=lon,
        beat=beat,
        h3_cell=h3_cell(lat, lon),
        address_text=address_text,
        block_text=public_text,
        block_lat=block_lat,
        block_lon=block_lon,
    )


def beats_geojson() -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": beat.geometry,
                "properties": {"id": beat.pk, "name": beat.name, "sector": beat.sector},
            }
            for beat in Beat.objects.only("name", "sector", "geometry")
        ],
    }


STREET_GAP_M = 800  # consecutive known addresses farther apart than this are not joined


def streets_geojson() -> dict[str, object]:
    """Street lines for maps without a tile server, drawn through the known address points
    of each street in house-number order (gaps longer than STREET_GAP_M are left open)."""
    features: list[dict[str, object]] = []
    rows = AddressPoint.objects.order_by("street", "number").values_list("street", "lat", "lon")
    current: str | None = None
    lines: list[list[list[float]]] = []

    def flush() -> None:
        kept = [line for line in lines if len(line) > 1]
        if current is not None and kept:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "MultiLineString", "coordinates": kept},
                    "properties": {"name": street_display(current)},
                }
            )

    for street, lat, lon in rows:
        if street != current:
            flush()
            current, lines = street, [[[lon, lat]]]
            continue
        last_lon, last_lat = lines[-1][-1]
        if distance_m(last_lat, last_lon, lat, lon) > STREET_GAP_M:
            lines.append([[lon, lat]])
        elif distance_m(last_lat, last_lon, lat, lon) > 15:
            lines[-1].append([lon, lat])
    flush()
    return {"type": "FeatureCollection", "features": features}


def beat_get_by_name(*, name: str) -> Beat:
    beat = Beat.objects.filter(name=name).first()
    if beat is None:
        raise NotFound(f"No beat named {name!r}.")
    return beat
