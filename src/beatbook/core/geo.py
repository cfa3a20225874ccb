"""Small geodesy shared by every app: great-circle distance in metres, nearest points."""

import math
from collections.abc import Iterable
from typing import Protocol, TypeVar


class HasPoint(Protocol):
    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


T = TypeVar("T", bound=HasPoint)

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def flat_distance_sql(lat_column: str, lon_column: str) -> str:
    """SQL ordering rows by their distance from a point on a flat earth (its parameters come
    from `flat_distance_params`): exact enough to rank points a few hundred metres apart, so
    the database returns the few nearest and Python measures only those (`nearest_of`)."""
    y, x = lat_column, lon_column
    return f"(({y} - %s) * ({y} - %s) + ({x} - %s) * ({x} - %s) * %s)"


def flat_distance_params(lat: float, lon: float) -> list[float]:
    return [lat, lat, lon, lon, math.cos(math.radians(lat)) ** 2]


METERS_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def flat_distance_limit(meters: float) -> float:
    """The value of `flat_distance_sql` at `meters`: compared with it, the database keeps the
    points within that distance (the flat earth is off by well under a metre at 1 km)."""
    return (meters / METERS_PER_DEGREE) ** 2


def nearest_of(lat: float, lon: float, points: Iterable[T]) -> tuple[float, T] | None:
    """The closest of `points` (anything with `lat` and `lon`) and its distance in metres."""
    measured = [(distance_m(lat, lon, p.lat, p.lon), p) for p in points]
    return min(measured, key=lambda pair: pair[0], default=None)
