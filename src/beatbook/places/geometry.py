"""Beat polygons in memory: parsed once per beat version, queried with a bounding-box prefilter."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import h3
from django.conf import settings
from shapely.geometry import Point, shape
from shapely.prepared import PreparedGeometry, prep

_lock = threading.Lock()
_shapes: dict[tuple[int, str], PreparedGeometry] = {}


def prepared_shape(
    beat_id: int, version: str, load: Callable[[], dict[str, Any]]
) -> PreparedGeometry:
    """The beat's polygon, prepared once per process and version; `load` fetches the GeoJSON
    only on a miss (decoding a city beat's polygon costs milliseconds on every call)."""
    key = (beat_id, version)
    cached = _shapes.get(key)
    if cached is None:
        geometry = load()
        with _lock:
            cached = prep(shape(geometry))
            _shapes[key] = cached
    return cached


def point_in(prepared: PreparedGeometry, lat: float, lon: float) -> bool:
    return bool(prepared.covers(Point(lon, lat)))


def h3_cell(lat: float, lon: float, resolution: int | None = None) -> str:
    return str(h3.latlng_to_cell(lat, lon, resolution or settings.BEATBOOK_H3_RESOLUTION))


def cell_polygon(cell: str) -> dict[str, Any]:
    """The H3 cell's hexagon as a GeoJSON Polygon (lon, lat; the ring closed)."""
    ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def cells_covering(
    lat: float, lon: float, radius_m: float, resolution: int | None = None
) -> set[str]:
    """Every H3 cell that can hold a point within `radius_m` of (lat, lon), for looking rows up
    by their stored cell (indexed) instead of by a box over the whole table.

    The cells of a grid disk of k rings around the point's cell. On a hexagon grid whose edges
    measure e, centres k steps apart are at least 1.5·e·k apart, and a point within `radius_m`
    lies in a cell whose centre is at most radius_m + 2·e from the first cell's centre (each
    centre is within one edge of its cell's points). Edge lengths change slowly across the
    globe, so this cell's own edges, with a tenth of margin either way, stand for its
    neighbours'."""
    cell = h3.latlng_to_cell(lat, lon, resolution or settings.BEATBOOK_H3_RESOLUTION)
    edges = [h3.edge_length(edge, "m") for edge in h3.origin_to_directed_edges(cell)]
    longest, shortest = max(edges) * 1.1, min(edges) * 0.9
    rings = math.floor((radius_m + 2 * longest) / (1.5 * shortest))
    return {str(c) for c in h3.grid_disk(cell, rings)}


def geometry_summary(geometry: dict[str, Any]) -> dict[str, float]:
    """Bounding box and a representative point (inside the polygon) for storage."""
    geom = shape(geometry)
    if geom.is_empty:
        raise ValueError("the geometry is empty")
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    inside = geom.representative_point()
    return {
        "min_lat": min_lat,
        "min_lon": min_lon,
        "max_lat": max_lat,
        "max_lon": max_lon,
        "centroid_lat": inside.y,
        "centroid_lon": inside.x,
    }
