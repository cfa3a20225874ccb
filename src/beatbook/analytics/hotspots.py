"""Hot spots on the H3 grid: the Getis-Ord Gi* z-score of every cell (binary weights over the
cell and its six neighbours), computed with numpy, its significance corrected for testing
every cell at once (False Discovery Rate), and repeat locations (a block with N or
more calls in 30 days). The study area is every cell with a call plus its neighbours, so the
quiet cells around a cluster count as the zeros they are."""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import NamedTuple

import h3
import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Min, Q

from beatbook.analytics.scope import Scope, records

# Confidence levels, in %: a cell is significant at a level when p ≤ (100 − level) / 100.
LEVELS = (99, 95, 90)


@dataclass(frozen=True)
class Cell:
    cell: str
    calls: int
    z: float
    # 99, 95, 90, or 0 when not significant, after the False Discovery Rate correction
    confidence: int
    hot: bool
    p: float = 1.0  # two-sided: of z, or from permutations
    permutations: int = 0  # the draws p is from; 0: the normal approximation of z

    @property
    def confidence_uncorrected(self) -> int:
        """The confidence from p alone, as if this cell were the only one tested."""
        return uncorrected_confidence(self.p)


@functools.lru_cache(maxsize=50_000)
def ring(cell: str) -> tuple[str, ...]:
    """The cell and its six neighbours (widening the study area by a ring, and Gi*'s weights
    where no IJ plane holds). The grid never changes, so each worker keeps the rings it has
    seen (about 0.5 kB each; a city's busy cells number in the thousands)."""
    return tuple(h3.grid_disk(cell, 1))


# A cell's six neighbours as steps in H3's local IJ coordinates.
_IJ_STEPS = np.array([(1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1)], dtype=np.int64)
# Base cells holding the twelve pentagons (the same at every resolution): the only places
# where the grid has five sides around a point, so a plane of IJ coordinates would fold.
_PENTAGON_BASE_CELLS = frozenset(h3.get_base_cell_number(p) for p in h3.get_pentagons(0))


def gi_star(cells: list[str], counts: np.ndarray) -> np.ndarray:
    """z-scores of Gi* for `counts` on `cells` (same order), ring-1 binary weights with self.
    The arithmetic follows PySAL esda's G_Local(star=True, transform="B") term for term."""
    n = len(cells)
    r, c = neighbour_pairs(cells)
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


def neighbour_pairs(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (owner, other) over `cells` (one resolution): each cell with itself and
    with every one of its six neighbours that is among `cells`.

    Found on a plane of H3's local IJ coordinates: one H3 call per cell, then arrays. Asking
    H3 for each cell's ring took 0.74 s at 100,000 cells (benchmark B6's res-10 case), half
    of what esda takes with its weights ready-made. Where no such plane holds (cells in a
    pentagon's base cell, or too far apart), from each cell's ring."""
    ij = _local_ij(cells)
    if ij is None:
        return _pairs_from_rings(cells)
    n = len(cells)
    # One integer per (i, j), with room for a step beyond the extremes.
    low = ij.min(axis=0) - 1
    width = int(ij[:, 1].max() - low[1]) + 2
    keys = (ij[:, 0] - low[0]) * width + (ij[:, 1] - low[1])
    order = np.argsort(keys)
    sorted_keys = keys[order]
    owners, others = [np.arange(n)], [np.arange(n)]
    for step in _IJ_STEPS:
        wanted = keys + (step[0] * width + step[1])
        at = np.minimum(np.searchsorted(sorted_keys, wanted), n - 1)
        present = sorted_keys[at] == wanted
        owners.append(np.flatnonzero(present))
        others.append(order[at[present]])
    return np.concatenate(owners), np.concatenate(others)


def _local_ij(cells: list[str]) -> np.ndarray | None:
    """Each cell's (i, j) anchored on the first cell, or None where they would not lie on
    one plane."""
    if not cells:
        return None
    ids = np.array([int(cell, 16) for cell in cells], dtype=np.uint64)
    base_cells = (ids >> np.uint64(45)) & np.uint64(0x7F)
    if not _PENTAGON_BASE_CELLS.isdisjoint(np.unique(base_cells).tolist()):
        return None
    origin = cells[0]
    try:
        return np.array([h3.cell_to_local_ij(origin, cell) for cell in cells], dtype=np.int64)
    except h3.H3BaseException:  # too far from the first cell
        return None


def _pairs_from_rings(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    position = {cell: i for i, cell in enumerate(cells)}.get
    rings = [ring(cell) for cell in cells]
    neighbours = np.array(
        [position(other, -1) for cells_around in rings for other in cells_around], dtype=np.int64
    )
    owners = np.repeat(np.arange(len(cells)), [len(cells_around) for cells_around in rings])
    inside = neighbours >= 0
    return owners[inside], neighbours[inside]


def uncorrected_confidence(p: float) -> int:
    """99, 95, 90 or 0: the highest level whose alpha p is within, one cell tested alone."""
    return next((level for level in LEVELS if p <= (100 - level) / 100), 0)


def two_sided_p(z: np.ndarray) -> np.ndarray:
    """P(|Z| ≥ |z|) of a standard normal, for each z (numpy has no erfc; scipy would be a
    dependency for this one line, and 100,000 cells take about 20 ms here)."""
    root2 = math.sqrt(2)
    return np.array([math.erfc(abs(v) / root2) for v in z.tolist()], dtype=float)


def fdr_confidence(p: np.ndarray) -> np.ndarray:
    """Each cell's confidence (99, 95, 90 or 0) after the False Discovery Rate correction
    (Benjamini-Hochberg, at each level's alpha over all the cells tested), as ArcGIS's
    Optimized Hot Spot Analysis applies it: among thousands of cells, a 90 % level tested
    cell by cell marks a tenth of a city's quiet cells by chance alone."""
    m = len(p)
    ranked = np.sort(p)
    confidence = np.zeros(m, dtype=np.int64)
    for level in reversed(LEVELS):  # 90, then 95, then 99 overwrite the cells they hold
        alpha = (100 - level) / 100
        passing = np.flatnonzero(ranked <= alpha * np.arange(1, m + 1) / m)
        if len(passing):
            confidence[p <= ranked[passing[-1]]] = level
    return confidence


# Conditional permutations drawn for a pseudo p-value (GeoDa's way). A pseudo p is at least
# 2 / (permutations + 1) two-sided, and the False Discovery Rate over m cells asks the
# smallest p to be within alpha / m for a lone cell: 9,999 draws let a small cluster among a
# few thousand cells pass at 95 %; beyond PERMUTATION_CELLS cells 999 draws keep the map
# within about a second (9,999 take 0.4 s for 1,261 cells here, 3.5 s for 14,077).
PERMUTATIONS, PERMUTATIONS_LARGE, PERMUTATION_CELLS = 9_999, 999, 2_500
# The draws are seeded so that the map, its CSV and a reload agree.
PERMUTATION_SEED = 2026


def permutations_for(cells: int) -> int:
    return PERMUTATIONS if cells <= PERMUTATION_CELLS else PERMUTATIONS_LARGE


def permutation_draws(n: int, k: int, permutations: int, seed: int) -> np.ndarray:
    """`permutations` rows of `k` distinct indices among n − 1: the other cells a cell's k
    neighbours are drawn from (index j stands for cell j below the cell, j + 1 from it on),
    one row for every cell of a permutation, as esda's conditional randomization draws them."""
    if k > n - 1:
        raise ValueError(f"{k} neighbours cannot be drawn from {n - 1} other cells")
    rng = np.random.default_rng(seed)
    draws = np.empty((permutations, k), dtype=np.int64)
    for row in range(permutations):
        draws[row] = rng.choice(n - 1, size=k, replace=False)
    return draws


class PseudoP(NamedTuple):
    p: np.ndarray  # one-sided, on the side the cell lies (esda's p_sim)
    above: np.ndarray  # the side: more draws below the cell's neighbourhood than above it


def gi_star_pseudo_p(
    cells: list[str], counts: np.ndarray, permutations: int, seed: int = PERMUTATION_SEED
) -> PseudoP:
    """Each cell's pseudo p-value of Gi* under conditional randomization: its own count kept,
    its neighbours' replaced by counts drawn from the other cells, `permutations` times;
    (draws at least as extreme + 1) / (permutations + 1) on the side the cell lies, as esda's
    G_Local(star=True, transform="B").p_sim ("directed"), and equal to it on the same draws
    (tested, esda's draws replaced by `permutation_draws`). No normal approximation, which
    many quiet cells' counts of 0 and 1 are far from. Where counts tie, a draw equal to the
    cell's is as extreme on either side: esda counts it only above, so a quiet cell among
    quiet cells (no draw can be lower) would be the surest cold spot of all.

    Gi*'s denominator is the same in every draw, so the sums of the neighbours' counts are
    compared; a cell whose draws index at or above it takes the next cell's count, which
    leaves it out of its own draws without a row of indices per cell."""
    owners, others = neighbour_pairs(cells)
    apart = owners != others
    owners, others = owners[apart], others[apart]
    y = counts.astype(float)
    n = len(y)
    sizes = np.bincount(owners, minlength=n)
    observed = np.bincount(owners, weights=y[others], minlength=n)
    k_max = int(sizes.max()) if n else 0
    larger, smaller = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if k_max:
        draws = permutation_draws(n, k_max, permutations, seed)
        below, from_it = y[draws], y[draws + 1]  # draws run to n − 2
        for k in range(1, k_max + 1):
            group = np.flatnonzero(sizes == k)
            step = max(1, 4_000_000 // (permutations * k))  # about 32 MB of draws at once
            for start in range(0, len(group), step):
                chunk = group[start : start + step]
                drawn = np.where(
                    draws[None, :, :k] >= chunk[:, None, None],
                    from_it[None, :, :k],
                    below[None, :, :k],
                ).sum(axis=2)
                larger[chunk] = (drawn >= observed[chunk, None]).sum(axis=1)
                smaller[chunk] = (drawn <= observed[chunk, None]).sum(axis=1)
    p = (np.minimum(larger, smaller) + 1) / (permutations + 1)  # the side the cell lies on
    p[sizes == 0] = 1.0  # a cell alone has no neighbours to test
    return PseudoP(p, larger < smaller)


def hot_spots(scope: Scope, *, permutation_test: bool = False) -> list[Cell]:
    """Every cell of the study area with its Gi* z-score and confidence: from the normal
    approximation of z, or with `permutation_test` from a pseudo p-value (doubled:
    two-sided) over `permutations_for` the area's cells draws."""
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
    draws = permutations_for(len(cells)) if permutation_test else 0
    if draws:
        # Hot or cold by the side the draws put the neighbourhood on, which z's sign (the
        # cell's own calls counted in) need not share.
        tested = gi_star_pseudo_p(cells, counts, draws)
        p, hot = np.minimum(1.0, 2 * tested.p), tested.above
    else:
        p, hot = two_sided_p(z), z > 0
    return [
        Cell(cell, int(n), float(score), int(level), bool(up), float(chance), draws)
        for cell, n, score, up, chance, level in zip(
            cells, counts, z, hot, p, fdr_confidence(p), strict=True
        )
    ]


@dataclass(frozen=True)
class RepeatLocation:
    place: str
    calls: int
    first: dt.datetime | None
    last: dt.datetime | None
    calls_before: int = 0  # in as many days just before the window
    status: str = ""  # "still", "new" or "no longer" a repeat location


@dataclass(frozen=True)
class RepeatLocations:
    """Repeat locations now and in the window just before: whether the program's repeat
    addresses are going down (the evaluations' "repeat-address reduction")."""

    current: list[RepeatLocation]
    days: int
    before: int  # blocks that were repeat locations in the window before
    persisting: int  # of those, still one now
    resolved: list[RepeatLocation]  # repeat locations before, under the threshold now

    @property
    def new(self) -> int:
        return len(self.current) - self.persisting


def repeat_locations(scope: Scope, days: int = 30) -> RepeatLocations:
    """Blocks with at least BEATBOOK_REPEAT_LOCATION_CALLS calls in the last `days` days of
    the selection (fewer when the selection is shorter), each with its calls in as many days
    just before, and the blocks that were repeat locations then but are not now."""
    minimum = settings.BEATBOOK_REPEAT_LOCATION_CALLS
    start = max(scope.start, scope.end - dt.timedelta(days=days - 1))
    length = (scope.end - start).days + 1
    both = Scope(start - dt.timedelta(days=length), scope.end, scope.beat_ids, scope.call_type_ids)
    now = Q(received_at__gte=Scope(start, scope.end).bounds()[0])
    rows = (
        records(both)
        .exclude(block_text="")
        .values("block_text")
        .annotate(
            n=Count("pk", filter=now),
            n_before=Count("pk", filter=~now),
            first=Min("received_at", filter=now),
            last=Max("received_at", filter=now),
        )
        .filter(Q(n__gte=minimum) | Q(n_before__gte=minimum))
        .order_by("-n", "-n_before", "block_text")
    )

    def status(now: int, before: int) -> str:
        if now < minimum:
            return "no longer"
        return "still" if before >= minimum else "new"

    found = [
        RepeatLocation(
            r["block_text"],
            r["n"],
            r["first"],
            r["last"],
            r["n_before"],
            status(r["n"], r["n_before"]),
        )
        for r in rows
    ]
    current = [r for r in found if r.status != "no longer"]
    return RepeatLocations(
        current=current,
        days=length,
        before=sum(r.calls_before >= minimum for r in found),
        persisting=sum(r.status == "still" for r in current),
        resolved=[r for r in found if r.status == "no longer"],
    )
