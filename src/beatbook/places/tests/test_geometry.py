"""The H3 cells around a point: every cell a point within the radius can fall in is there."""

from __future__ import annotations

import math
import random

import h3
import pytest

from beatbook.core.geo import EARTH_RADIUS_M, distance_m
from beatbook.places.geometry import cells_covering


def destination(lat: float, lon: float, bearing: float, metres: float) -> tuple[float, float]:
    """The point `metres` from (lat, lon) along `bearing` (radians), on the sphere."""
    phi, lam, delta = math.radians(lat), math.radians(lon), metres / EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(bearing)
    )
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@pytest.mark.parametrize("resolution", [7, 9, 10, 12])
@pytest.mark.parametrize("radius_m", [40, 400, 2000])
def test_every_point_within_the_radius_is_in_a_covering_cell(
    resolution: int, radius_m: float
) -> None:
    rng = random.Random(resolution * 10_000 + radius_m)
    # Seattle, and places spread over the globe (high latitudes, both hemispheres).
    centres = [(47.6 + rng.uniform(-0.2, 0.2), -122.3 + rng.uniform(-0.2, 0.2)) for _ in range(20)]
    centres += [(rng.uniform(-70, 70), rng.uniform(-180, 180)) for _ in range(20)]
    for lat, lon in centres:
        cells = cells_covering(lat, lon, radius_m, resolution)
        # The far edge of the circle, all round, and points inside it.
        for k in range(72):
            bearing = k * math.tau / 72
            for metres in (radius_m, radius_m * rng.random()):
                there = destination(lat, lon, bearing, metres)
                assert distance_m(lat, lon, *there) <= radius_m + 1e-6
                assert h3.latlng_to_cell(*there, resolution) in cells, (lat, lon, there)
        # Not the whole neighbourhood: the disk is only as wide as the radius needs.
        edge = h3.average_hexagon_edge_length(resolution, "m")
        assert len(cells) <= 3 * (radius_m / edge + 3) ** 2 + 1


def test_a_small_circle_takes_the_cell_and_its_ring() -> None:
    cells = cells_covering(47.6101, -122.3344, 40, 9)
    assert h3.latlng_to_cell(47.6101, -122.3344, 9) in cells
    assert len(cells) == 7
