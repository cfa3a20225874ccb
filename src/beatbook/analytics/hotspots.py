"""Hot spots on the H3 grid: the Getis-Ord Gi* z-score of every cell (binary weights over the
cell and its six neighbours), computed with numpy, and repeat locations (a block with N or
more calls in 30 days). The study area is every cell with a call plus its neighbours, so the
quiet cells around a cluster count as the zeros they are."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import h3
import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Min

from beatbook.analytics.scope import Scope, records

# Two-sided normal quantiles for 90, 95 and 99 % confidence.
LEVELS = ((2.576, 99), (1.960, 95), (1.645, 90))


@dataclass(frozen=True)
class Cell:
    cell: str
    calls: int
    z: float
    confidence: int  # 99, 95, 90, or 0 when not significant
    hot: bool


@functools.lru_cache(maxsize=50_000)
def ring(cell: str) -> tuple[str, ...]:
    """The cell and its six neighbours. The grid never changes, so each worker keeps the rings
    it has seen (about 0.5 kB each; a city's busy cells number in the thousands): the second
    request over an area skips the H3 calls, which are most of Gi*'s time."""
    return tuple(h3.grid_disk(cell, 1))


def gi_star(cells: list[str], counts: np.ndarray) -> np.ndarray:
    """z-scores of Gi* for `counts` on `cells` (same order), ring-1 binary weights with self.
    The arithmetic follows PySAL esda's G_Local(star=True, transform="B") term for term."""
    n = len(cells)
    position = {cell: i for i, cell in enumerate(cells)}.get
    rings = [ring(cell) for cell in cells]
    neighbours = np.array([position(other, -1) for cells_around in rings for other in cells_around])
    owners = np.repeat(np.arange(n), [len(cells_around) for cells_around in rings])
    inside = neighbours >= 0
    r, c = owners[inside], neighbours[inside]
    y = counts.astype(float)
    total = y.sum()
    lagged = np.bincount(r, weights=y[c], minlength=n)
    cardinality = np.bincount(r, minlength=n).astype(float)
    statistic = lagged / total
    mean = total / n
    variance = (y**2).sum() / n - mean**2
    expected = cardinality / n
    expected_variance = cardinality * (n - cardinality) / (n - 1) / n**2 * variance / mean**2
    return (statistic - expected) / np.sqrt(expected_variance)


def _confidence(z: float) -> int:
    return next((level for threshold, level in LEVELS if abs(z) >= threshold), 0)


def hot_spots(scope: Scope) -> list[Cell]:
    counted = dict(
        records(scope).exclude(h3_cell="").values_list("h3_cell").annotate(n=Count("pk"))
    )
    if len(counted) < 2:
        return []
    area = set(counted)
    for cell in counted:
        area.update(ring(cell))
    cells = sorted(area)
    counts = np.array([counted.get(c, 0) for c in cells])
    if counts.var() == 0:
        return []
    z = gi_star(cells, counts)
    return [
        Cell(cell, int(n), float(score), _confidence(float(score)), bool(score > 0))
        for cell, n, score in zip(cells, counts, z, strict=True)
    ]


@dataclass(frozen=True)
class RepeatLocation:
    place: str
    calls: int
    first: dt.datetime
    last: dt.datetime


def repeat_locations(scope: Scope, days: int = 30) -> list[RepeatLocation]:
    """Blocks with at least BEATBOOK_REPEAT_LOCATION_CALLS calls in the last `days` days of
    the selection."""
    minimum = settings.BEATBOOK_REPEAT_LOCATION_CALLS
    window = Scope(
        max(scope.start, scope.end - dt.timedelta(days=days - 1)),
        scope.end,
        scope.beat_ids,
        scope.call_type_ids,
    )
    rows = (
        records(window)
        .exclude(block_text="")
        .values("block_text")
        .annotate(n=Count("pk"), first=Min("received_at"), last=Max("received_at"))
        .filter(n__gte=minimum)
        .order_by("-n", "block_text")
    )
    return [RepeatLocation(r["block_text"], r["n"], r["first"], r["last"]) for r in rows]
