"""Small geodesy shared by every app: great-circle distance in metres, nearest points."""

import math
from collections.abc import Iterable
from typing import Protocol, TypeVar

from django.db import connection
from django.db.models import FloatField, Model
from django.db.models.expressions import RawSQL


class HasPoint(Protocol):
    lat: float
    lon: float


T = TypeVar("T", bound=HasPoint)

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def flat_distance_sq(model: type[Model], lat: float, lon: float) -> RawSQL:
    """A database expression ordering `model`'s rows (by their `lat`, `lon` columns) by
    distance from a point on a flat earth: exact enough to rank points a few hundred metres
    apart, so the database returns the few nearest and Python measures only those
    (`nearest_of`). Raw SQL because the same sum built from F() expressions costs Django
    ~0.4 ms to compile, a tenth of an intake's whole budget (benchmark B2)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    y, x = f"{table}.{quote('lat')}", f"{table}.{quote('lon')}"
    squeeze = math.cos(math.radians(lat)) ** 2
    # The identifiers are the model's own; every value is a query parameter.
    return RawSQL(  # noqa: S611
        f"(({y} - %s) * ({y} - %s) + ({x} - %s) * ({x} - %s) * %s)",
        (lat, lat, lon, lon, squeeze),
        output_field=FloatField(),
    )


def nearest_of(lat: float, lon: float, points: Iterable[T]) -> tuple[float, T] | None:
    """The closest of `points` (anything with `lat` and `lon`) and its distance in metres."""
    measured = [(distance_m(lat, lon, p.lat, p.lon), p) for p in points]
    return min(measured, key=lambda pair: pair[0], default=None)
