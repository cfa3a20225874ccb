"""Gi* against PySAL's esda on the same cells, and the hot spots and repeat locations a
supervisor would see."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from typing import Any

import h3
import numpy as np
import pytest
from django.utils import timezone

from beatbook.analytics import hotspots
from beatbook.analytics.hotspots import gi_star, hot_spots, neighbour_pairs, repeat_locations
from beatbook.analytics.scope import Scope
from beatbook.calls.models import CallRecord

CENTRE = h3.latlng_to_cell(47.61, -122.33, 9)


def test_gi_star_equals_esda_to_1e9() -> None:
    from esda.getisord import G_Local
    from libpysal.weights import W

    cells = sorted(h3.grid_disk(CENTRE, 6))
    rng = random.Random(6)
    counts = np.array(
        [rng.randint(0, 9) + (25 if h3.grid_distance(CENTRE, c) <= 1 else 0) for c in cells]
    )
    index = {c: i for i, c in enumerate(cells)}
    neighbours = {
        i: [index[n] for n in h3.grid_ring(c, 1) if n in index] for i, c in enumerate(cells)
    }
    reference = G_Local(counts, W(neighbours), transform="B", star=True, permutations=0)
    ours = gi_star(cells, counts)
    assert np.max(np.abs(ours - reference.Zs)) < 1e-9
    assert ours[index[CENTRE]] > 2.576  # the planted cluster is hot at 99 %


def _pairs_by_rings(cells: list[str]) -> set[tuple[int, int]]:
    index = {c: i for i, c in enumerate(cells)}
    return {(i, index[o]) for i, c in enumerate(cells) for o in h3.grid_disk(c, 1) if o in index}


def _pairs(cells: list[str]) -> set[tuple[int, int]]:
    owners, others = neighbour_pairs(cells)
    return set(zip(owners.tolist(), others.tolist(), strict=True))


def test_neighbours_on_the_ij_plane_across_base_cells_and_faces(monkeypatch: Any) -> None:
    """In northern Canada three base cells and two icosahedron faces meet; the plane finds
    the same neighbours as H3's rings, without asking for a ring."""
    cells = sorted(h3.grid_disk("860298007ffffff", 40))
    assert len({h3.get_base_cell_number(c) for c in cells}) == 3
    assert len({f for c in cells for f in h3.get_icosahedron_faces(c)}) == 2
    expected = _pairs_by_rings(cells)

    def no_rings(cell: str) -> tuple[str, ...]:
        raise AssertionError("the plane should have been used")

    monkeypatch.setattr(hotspots, "ring", no_rings)
    assert _pairs(cells) == expected
    assert len(expected) == 33961  # 4,921 cells, each with itself and its inner neighbours


@pytest.mark.parametrize(
    "cells",
    [
        pytest.param(sorted(h3.grid_disk(h3.get_pentagons(7)[3], 5)), id="around a pentagon"),
        pytest.param(
            sorted(
                {*h3.grid_disk(h3.latlng_to_cell(47.61, -122.33, 7), 2)}
                | {*h3.grid_disk(h3.latlng_to_cell(-33.86, 151.2, 7), 2)}
            ),
            id="Seattle and Sydney",
        ),
    ],
)
def test_neighbours_from_rings_where_no_plane_holds(cells: list[str]) -> None:
    assert _pairs(cells) == _pairs_by_rings(cells)


@pytest.mark.django_db
def test_hot_spots_and_repeat_locations_from_calls(agency: dict[str, Any], settings: Any) -> None:
    settings.BEATBOOK_REPEAT_LOCATION_CALLS = 4
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    quiet = [c for c in h3.grid_disk(CENTRE, 5) if h3.grid_distance(CENTRE, c) >= 3]
    for n, cell in enumerate(quiet[:40]):
        rows.append(("Q" + str(n), cell, "", now - dt.timedelta(days=2)))
    for n in range(12):  # a bar strip: twelve calls in one cell, one block
        rows.append(("H" + str(n), CENTRE, "1400 block of Pike St", now - dt.timedelta(days=n)))
    for n, cell in enumerate(h3.grid_ring(CENTRE, 1)):  # and two in each cell around it
        rows += [(f"N{n}-{k}", cell, "", now - dt.timedelta(days=k)) for k in range(2)]
    for n in range(3):  # three calls: under the repeat threshold
        rows.append(("R" + str(n), quiet[0], "200 block of Oak St", now - dt.timedelta(days=n)))
    CallRecord.objects.bulk_create(
        CallRecord(
            source="t",
            source_id=sid,
            received_at=at,
            original_code="X",
            h3_cell=cell,
            block_text=block,
        )
        for sid, cell, block, at in rows
    )
    scope = Scope(today - dt.timedelta(days=29), today)
    cells = {c.cell: c for c in hot_spots(scope)}
    assert cells[CENTRE].calls == 12
    assert cells[CENTRE].hot
    assert cells[CENTRE].confidence == 99  # a busy spot among quiet ones, once corrected
    assert all(
        not c.confidence or c.cell in h3.grid_disk(CENTRE, 1) for c in cells.values() if c.hot
    )
    assert all(c.confidence <= c.confidence_uncorrected for c in cells.values())
    # The permutation test finds the same strip: the busy cell hot, nothing far from it.
    tested = {c.cell: c for c in hot_spots(scope, permutation_test=True)}
    assert tested.keys() == cells.keys()
    assert tested[CENTRE].permutations == 9_999
    assert tested[CENTRE].hot
    assert tested[CENTRE].confidence >= 95
    assert tested[CENTRE].p == 2 / 10_000  # no draw reaches the strip's calls
    assert all(
        not c.confidence or c.cell in h3.grid_disk(CENTRE, 1) for c in tested.values() if c.hot
    )
    repeats = repeat_locations(scope)
    assert [(r.place, r.calls) for r in repeats.current] == [("1400 block of Pike St", 12)]


@pytest.mark.django_db
def test_repeat_locations_against_the_days_before(
    agency: dict[str, Any], settings: Any, client_for: Any
) -> None:
    """Which blocks are repeat locations now and in as many days just before: still, new, no
    longer; the window's first midnight counts as now, the minute before it as before."""
    settings.BEATBOOK_REPEAT_LOCATION_CALLS = 4
    today = timezone.localdate()
    tz = timezone.get_current_timezone()

    def day(days_ago: int, hour: int = 12, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(
            today - dt.timedelta(days=days_ago), dt.time(hour, minute), tzinfo=tz
        )

    calls = [
        *[("1400 block of Pike St", day(n)) for n in range(12)],  # still
        *[("1400 block of Pike St", day(30 + n)) for n in range(5)],
        *[("300 block of Elm St", day(n)) for n in range(3)],  # new: the 4th at the edge
        ("300 block of Elm St", day(29, 0, 0)),
        ("300 block of Elm St", day(30, 23, 59)),
        *[("500 block of Ash St", day(n)) for n in range(2)],  # no longer
        *[("500 block of Ash St", day(31 + n)) for n in range(6)],
        *[("900 block of Fir St", day(61 + n)) for n in range(5)],  # before both windows
        *[("200 block of Oak St", day(n)) for n in range(3)],  # never enough
    ]
    CallRecord.objects.bulk_create(
        CallRecord(source="t", source_id=str(n), received_at=at, original_code="X", block_text=b)
        for n, (b, at) in enumerate(calls)
    )
    repeats = repeat_locations(Scope(today - dt.timedelta(days=89), today))
    assert repeats.days == 30
    assert [(r.place, r.calls, r.calls_before) for r in repeats.current] == [
        ("1400 block of Pike St", 12, 5),
        ("300 block of Elm St", 4, 1),
    ]
    assert [(r.place, r.calls, r.calls_before) for r in repeats.resolved] == [
        ("500 block of Ash St", 2, 6)
    ]
    assert (repeats.before, repeats.persisting, repeats.new) == (2, 1, 1)
    assert repeats.current[1].first == day(29, 0, 0)
    # A ten-day selection compares ten days with the ten before.
    short = repeat_locations(Scope(today - dt.timedelta(days=9), today))
    assert short.days == 10
    assert [(r.place, r.calls, r.calls_before) for r in short.current] == [
        ("1400 block of Pike St", 10, 2)
    ]

    analyst = client_for("analyst")
    query = f"start={today - dt.timedelta(days=89)}&end={today}"
    page = analyst.get(f"/analytics/?{query}").content.decode()
    assert "<strong>2</strong> now against <strong>2</strong> in the 30 days before: " in page
    assert "1 still, 1 new, 1 no longer." in page
    listed = re.findall(r"<li>([^<]+) · <strong>(\d+)</strong>.*?</li>", page)
    assert listed == [("1400 block of Pike St", "12"), ("300 block of Elm St", "4")]
    assert re.search(r"300 block of Elm St · <strong>4</strong>[^/]*\(1\)</span> <span", page)
    assert 'Pike St · <strong>12</strong> <span class="muted">(5)</span></li>' in page
    response = analyst.get(f"/analytics/export/repeat-locations.csv?{query}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["place", "calls", "first", "last", "calls_30_days_before", "status"]
    assert [(r[0], r[1], r[4], r[5]) for r in rows[1:]] == [
        ("1400 block of Pike St", "12", "5", "still"),
        ("300 block of Elm St", "4", "1", "new"),
        ("500 block of Ash St", "2", "6", "no longer"),
    ]


@pytest.mark.django_db
def test_no_hot_spots_without_variation(agency: dict[str, Any]) -> None:
    today = timezone.localdate()
    assert hot_spots(Scope(today, today)) == []


def test_confidence_is_corrected_for_testing_every_cell_at_once() -> None:
    """Benjamini-Hochberg by hand. Five cells, z = 3.5, 2.2, 2.0, 1.7, 0.5: p = 0.00047,
    0.0278, 0.0455, 0.0891, 0.617. At alpha 0.10 the thresholds are 0.02, 0.04, 0.06, 0.08,
    0.10: the first three pass (the fourth, 0.0891 > 0.08, does not). At 0.05 (0.01, 0.02, …)
    only the first; at 0.01 (0.002, …) the first too."""
    from beatbook.analytics.hotspots import fdr_confidence, two_sided_p

    p = two_sided_p(np.array([3.5, 2.2, -2.0, 1.7, 0.5]))
    assert np.allclose(p, [0.000465, 0.027807, 0.045500, 0.089131, 0.617075], atol=1e-6)
    assert fdr_confidence(p).tolist() == [99, 90, 90, 0, 0]
    # Uncorrected, each cell alone: 99, 95, 95, 90, 0.
    assert [hotspots.uncorrected_confidence(v) for v in p] == [99, 95, 95, 90, 0]
    # Step-up: the largest rank under its threshold carries the smaller ones with it
    # (0.03 > 0.05/3 and 0.035 > 2 × 0.05/3, but 0.04 ≤ 3 × 0.05/3).
    assert fdr_confidence(np.array([0.04, 0.03, 0.035])).tolist() == [95, 95, 95]
    assert fdr_confidence(np.array([])).tolist() == []


def test_noise_alone_makes_no_hot_spot_once_corrected() -> None:
    """Counts drawn at random over 1,000 cells: tested cell by cell, some reach 90 % by
    chance; corrected for the thousand tests, none does."""
    from beatbook.analytics.hotspots import fdr_confidence, two_sided_p

    cells = sorted(h3.grid_disk(CENTRE, 18))
    counts = np.random.default_rng(7).poisson(4, len(cells))
    z = gi_star(cells, counts)
    p = two_sided_p(z)
    assert sum(hotspots.uncorrected_confidence(v) > 0 for v in p) > 20
    assert not fdr_confidence(p).any()


def _grid_with_a_cluster(k: int, seed: int) -> tuple[list[str], np.ndarray]:
    cells = sorted(h3.grid_disk(CENTRE, k))
    counts = np.random.default_rng(seed).poisson(1.0, len(cells)) + np.array(
        [9 if h3.grid_distance(CENTRE, c) <= 1 else 0 for c in cells]
    )
    return cells, counts


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_pseudo_p_equals_esda_on_the_same_draws(monkeypatch: Any) -> None:
    """esda's conditional randomization, its draws replaced by ours: the same p_sim for every
    cell (esda keeps it as float32), edge cells with three or four neighbours included.
    Values with no ties (counts plus a fraction): where draws tie, esda and ours differ on
    purpose (next test)."""
    import esda.crand
    from esda.getisord import G_Local
    from libpysal.weights import W

    from beatbook.analytics.hotspots import gi_star_pseudo_p, permutation_draws

    cells, whole = _grid_with_a_cluster(7, seed=3)
    counts = whole + np.random.default_rng(4).uniform(0, 0.5, len(cells))
    index = {c: i for i, c in enumerate(cells)}
    weights = W(
        {i: [index[n] for n in h3.grid_ring(c, 1) if n in index] for i, c in enumerate(cells)},
        silence_warnings=True,
    )
    monkeypatch.setattr(
        esda.crand,
        "vec_permutations",
        lambda k, n, permutations, seed: permutation_draws(n, k, permutations, seed),
    )
    reference = G_Local(
        counts,
        weights,
        transform="B",
        star=True,
        permutations=199,
        seed=11,
        keep_simulations=False,
        n_jobs=1,
    ).p_sim
    ours = gi_star_pseudo_p(cells, counts, 199, seed=11).p
    assert len(ours) == len(cells) == 169
    assert np.max(np.abs(ours - reference)) < 1e-6
    assert ours[index[CENTRE]] == 1 / 200  # no draw reaches the cluster's own neighbours
    assert len(set(ours.round(6))) > 20  # not one value everywhere
    assert ours.max() <= 0.5 + 1 / 200


def test_pseudo_p_finds_a_cluster_and_noise_stays_quiet() -> None:
    """With 9,999 permutations and the False Discovery Rate: the planted cluster's cells are
    hot spots, and 1,000 cells of Poisson noise hold none (some reach 90 % cell by cell).
    With 999 draws among 331 cells, p ≥ 0.002 and the cluster's seven cells fall short of
    95 % (BH wants 14 such cells): why a small area gets 9,999."""
    from beatbook.analytics.hotspots import fdr_confidence, gi_star_pseudo_p, permutations_for

    cells, counts = _grid_with_a_cluster(10, seed=5)
    assert permutations_for(len(cells)) == 9_999
    assert permutations_for(2_501) == 999
    few = np.minimum(1, 2 * gi_star_pseudo_p(cells, counts, 999).p)
    assert not (fdr_confidence(few) >= 95).any()
    tested = gi_star_pseudo_p(cells, counts, 9_999)
    p = np.minimum(1, 2 * tested.p)
    flagged = {cells[i] for i in np.flatnonzero(fdr_confidence(p) >= 95)}
    assert CENTRE in flagged
    assert flagged <= set(h3.grid_disk(CENTRE, 2))  # no cold spot among the quiet cells
    assert all(tested.above[cells.index(c)] for c in flagged)

    cells = sorted(h3.grid_disk(CENTRE, 18))
    noise = np.random.default_rng(7).poisson(4, len(cells))
    p = np.minimum(1, 2 * gi_star_pseudo_p(cells, noise, 999).p)
    assert sum(hotspots.uncorrected_confidence(v) > 0 for v in p) > 20
    assert not fdr_confidence(p).any()
    # The same seed gives the same map; another seed moves p within its Monte Carlo error
    # (999 draws: a p near 1 moves by 2 × 0.016 a standard error; 1,027 cells, 4.5 of them).
    again = np.minimum(1, 2 * gi_star_pseudo_p(cells, noise, 999).p)
    assert np.array_equal(p, again)
    other = np.minimum(1, 2 * gi_star_pseudo_p(cells, noise, 999, seed=1).p)
    assert not np.array_equal(p, other)
    assert np.max(np.abs(p - other)) < 0.2
    assert np.median(np.abs(p - other)) < 0.05


def test_permutation_draws_are_distinct_and_in_range() -> None:
    from beatbook.analytics.hotspots import permutation_draws

    draws = permutation_draws(8, 6, 500, seed=1)
    assert draws.shape == (500, 6)
    assert (draws.min(), draws.max()) == (0, 6)  # indices among the 7 other cells
    assert all(len(set(row)) == 6 for row in draws.tolist())
    with pytest.raises(ValueError, match="6 neighbours cannot be drawn from 5 other cells"):
        permutation_draws(6, 6, 10, seed=1)


def test_a_tie_is_as_extreme_on_either_side() -> None:
    """Seven cells of 0 among cells that are mostly 0: no draw can be lower than the ring's
    0, and about (share of zeros)^6 of the draws equal it. esda would count only the draws
    above (p = 1 / (P + 1), the surest cold spot); ours counts the ties too."""
    from beatbook.analytics.hotspots import gi_star_pseudo_p

    cells = sorted(h3.grid_disk(CENTRE, 6))  # 127 cells
    counts = np.zeros(len(cells), dtype=int)
    far = [i for i, c in enumerate(cells) if h3.grid_distance(CENTRE, c) >= 4]
    counts[far[::3]] = 1  # 1 cell in 3 of the outer rings has a call: 30 of the other 126
    p = gi_star_pseudo_p(cells, counts, 9_999, seed=2).p
    centre = cells.index(CENTRE)
    zero_share = (len(cells) - 1 - counts.sum()) / (len(cells) - 1)
    # Six draws without replacement, all from the zeros.
    expected = np.prod([(zero_share * 126 - i) / (126 - i) for i in range(6)])
    assert expected == pytest.approx(0.188, abs=0.001)
    assert p[centre] == pytest.approx(expected, abs=0.02)


@pytest.mark.django_db
def test_permutations_call_a_busy_cell_in_a_quiet_ring_cold(agency: dict[str, Any]) -> None:
    """Forty calls in one cell, none in the six around it, three in every other cell nearby:
    z is positive (the cell's own calls count), but its neighbourhood is quieter than almost
    any six cells drawn from the rest, so the permutation test puts it on the cold side, and
    the CSV says so."""
    now = timezone.now()
    rows = [(CENTRE, n) for n in range(40)]
    for cell in h3.grid_disk(CENTRE, 5):
        if h3.grid_distance(CENTRE, cell) >= 2:
            rows += [(cell, n) for n in range(3)]
    CallRecord.objects.bulk_create(
        CallRecord(
            source="t",
            source_id=f"{cell}-{n}",
            received_at=now - dt.timedelta(hours=n + 1),
            original_code="X",
            h3_cell=cell,
        )
        for cell, n in rows
    )
    scope = Scope(timezone.localdate() - dt.timedelta(days=6), timezone.localdate())
    by_z = {c.cell: c for c in hot_spots(scope)}[CENTRE]
    tested = {c.cell: c for c in hot_spots(scope, permutation_test=True)}[CENTRE]
    assert by_z.z > 0
    assert by_z.hot
    assert not tested.hot
    assert tested.p < 0.01
    assert tested.confidence_uncorrected == 99
