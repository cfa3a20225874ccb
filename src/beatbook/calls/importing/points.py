"""Points an export gives in a projected coordinate system (a state plane's feet, as many
US cities' CAD systems write them), turned into latitude and longitude with pyproj: the
same arrays-in, arrays-out call for a batch's column and for a single row, so that both
paths of an import place a row alike."""

from __future__ import annotations

import functools

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

WGS84 = "EPSG:4326"


class UnknownCrs(ValueError):
    pass


def crs_check(crs: str) -> str:
    """`crs` as pyproj names it ("NAD83 / California zone 5 (ftUS)"), or UnknownCrs."""
    try:
        return str(CRS.from_user_input(crs).name)
    except CRSError:
        raise UnknownCrs(crs) from None


@functools.cache
def _to_wgs84(crs: str) -> Transformer:
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def lat_lon(crs: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (7 decimals, about a centimetre) of the points (x, y) in
    `crs`; NaN where there is no such point on the globe."""
    lon, lat = _to_wgs84(crs).transform(x, y, errcheck=False)
    lat, lon = np.round(np.asarray(lat, dtype=float), 7), np.round(np.asarray(lon, dtype=float), 7)
    off = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    lat[off], lon[off] = np.nan, np.nan
    return lat, lon
