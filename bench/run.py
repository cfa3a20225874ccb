"""Beatbook benchmarks (PERFORMANCE-SUITE.md §4): ratios against baselines in the same run.

    .venv/bin/python bench/run.py            # SQLite test database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/beatbook .venv/bin/python bench/run.py

Implemented so far: B1 (import), B4 (dispatch recommendation), B6 (Gi* hot spots) and B7
(per-request overhead floor); `--quick` runs smaller cases. Each
pair runs interleaved (baseline, ours, baseline, ours…), the first round is discarded, and the
median ratio is reported with its min and max. Results go to bench/results.json and
docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beatbook.config.settings_test")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROUNDS = 7


def timed(fn: Callable[[], Any], repeat: int) -> float:
    """Microseconds per call, over `repeat` calls."""
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1e6


def interleaved(
    baseline: Callable[[], Any], ours: Callable[[], Any], repeat: int
) -> dict[str, float]:
    ratios, base_us, ours_us = [], [], []
    for round_no in range(ROUNDS + 1):
        b = timed(baseline, repeat)
        o = timed(ours, repeat)
        if round_no == 0:  # warm-up
            continue
        base_us.append(b)
        ours_us.append(o)
        ratios.append(o / b)
    return {
        "baseline_us": statistics.median(base_us),
        "ours_us": statistics.median(ours_us),
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


# --- B4: dispatch recommendation ----------------------------------------------------------


def _b4_setup(units: int) -> Any:
    from beatbook.calls.tests.factories import intake
    from beatbook.core.testing import agency_build
    from beatbook.roster.choices import UnitStatus
    from beatbook.roster.models import Shift, Unit

    agency = agency_build()
    from beatbook.accounts.models import User

    now = dt.datetime.now(dt.UTC)
    users = User.objects.bulk_create(
        User(username=f"bench{i}", role="cso", team=agency["north" if i % 2 else "south"])
        for i in range(units - 3)
    )
    Unit.objects.bulk_create(
        Unit(
            call_sign=f"B-{i:04d}",
            user=user,
            status=UnitStatus.AVAILABLE,
            lat=47.58 + (i * 7919 % 400) / 10000,
            lon=-122.34 + (i * 104729 % 200) / 10000,
            position_at=now,
        )
        for i, user in enumerate(users)
    )
    Shift.objects.bulk_create(
        Shift(user=user, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=8))
        for user in users
    )
    return intake(agency["dispatcher"])


def _numpy_scorer(call: Any) -> Callable[[], Any]:
    from beatbook.roster.models import Unit

    rows = list(Unit.objects.values_list("lat", "lon"))
    lat = np.radians(np.array([r[0] for r in rows]))
    lon = np.radians(np.array([r[1] for r in rows]))
    active = np.zeros(len(rows))
    clat, clon = math.radians(call.lat), math.radians(call.lon)

    def score() -> Any:
        a = (
            np.sin((lat - clat) / 2) ** 2
            + math.cos(clat) * np.cos(lat) * np.sin((lon - clon) / 2) ** 2
        )
        km = 2 * 6371.0088 * np.arcsin(np.sqrt(a))
        return np.argsort(km + 2.0 * active)[:5]

    return score


def _sql_nearest(call: Any) -> Callable[[], Any]:
    sql = (
        "SELECT id FROM roster_unit WHERE status = 'available' ORDER BY "
        "(lat - %s) * (lat - %s) + (lon - %s) * (lon - %s) LIMIT 5"
    )

    def query() -> Any:
        with connection.cursor() as cursor:
            cursor.execute(sql, [call.lat, call.lat, call.lon, call.lon])
            return cursor.fetchall()

    return query


def bench_b4() -> list[dict[str, Any]]:
    from django.db import transaction

    from beatbook.calls.selectors import unit_recommendations

    results = []
    for units in (50, 500):
        with transaction.atomic():
            call = _b4_setup(units)
            ours = functools.partial(unit_recommendations, call=call)
            assert len(ours()) == 5
            numpy_side = interleaved(_numpy_scorer(call), ours, repeat=50)
            sql_side = interleaved(_sql_nearest(call), ours, repeat=50)
            transaction.set_rollback(True)
        results.append(
            {"id": "B4", "case": f"{units} units", "baseline": "numpy scorer (a)", **numpy_side}
        )
        results.append(
            {"id": "B4", "case": f"{units} units", "baseline": "one SQL query (b)", **sql_side}
        )
    return results


# --- B7: per-request overhead ----------------------------------------------------------------


def _environ(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
    }


def _raw_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"status": "ok"}).encode()]


DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def bench_b7() -> list[dict[str, Any]]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    def call(app: Callable[..., Any]) -> Callable[[], Any]:
        def run() -> None:
            status: list[str] = []
            body = app(_environ("/healthz"), lambda s, h: status.append(s))
            b"".join(body)
            assert status[0].startswith("200"), status

        return run

    ours = WSGIHandler()
    with override_settings(MIDDLEWARE=DEFAULT_MIDDLEWARE):
        django_default = WSGIHandler()
    return [
        {
            "id": "B7",
            "case": "GET /healthz (one DB query)",
            "baseline": "raw WSGI (a)",
            **interleaved(call(_raw_wsgi), call(ours), repeat=300),
        },
        {
            "id": "B7",
            "case": "GET /healthz (one DB query)",
            "baseline": "Django's default middleware (c)",
            **interleaved(call(django_default), call(ours), repeat=300),
        },
    ]


def prepared_rounds(
    contenders: dict[str, Callable[[], Any]], prepare: Callable[[], Any], rounds: int
) -> dict[str, list[float]]:
    """Seconds-long runs (imports): each contender in turn, `prepare` untimed before each."""
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for round_no in range(rounds + 1):
        for name, run in contenders.items():
            prepare()
            start = time.perf_counter()
            run()
            if round_no:  # round 0 warms up
                seconds[name].append(time.perf_counter() - start)
    return seconds


def ratio_row(
    bench: str, case: str, baseline: str, base: list[float], ours: list[float]
) -> dict[str, Any]:
    ratios = [o / b for o, b in zip(ours, base, strict=True)]
    return {
        "id": bench,
        "case": case,
        "baseline": baseline,
        "baseline_us": statistics.median(base) * 1e6,
        "ours_us": statistics.median(ours) * 1e6,
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
    }


# --- B1: importing a city's calls -----------------------------------------------------------

SEATTLE_TYPES = [
    "--TRAFFIC - PARKING VIOL (EXCEPT ABANDONED CAR)",
    "--DISTURBANCE - NOISE",
    "--ALARM-RESIDENTIAL BURG",
    "--SUSPICIOUS CIRCUM. - SUSPICIOUS PERSON",
    "--PREMISE CHECKS - CRIME PREVENTION",
    "--HAZARDS - HAZARDS",
]


def _b1_files(rows: int, folder: Path) -> tuple[Path, Path, list[dict[str, Any]]]:
    """The raw export in Seattle's Call Data format, and the same rows already derived
    (what a bare COPY needs) for the floor."""
    import csv
    import random
    import zoneinfo

    from beatbook.calls.importing.mapping import mapping_load
    from beatbook.calls.importing.reading import rows as read_rows
    from beatbook.calls.importing.transform import RecordBuilder
    from beatbook.calls.importing.writing import COLUMNS

    rng = random.Random(1)
    raw = folder / "calls.csv"
    # Times made in UTC and written as Seattle wall-clock text, as a CAD export would (so no
    # call is queued in the hour that daylight saving skips).
    seattle = zoneinfo.ZoneInfo("America/Los_Angeles")
    start = dt.datetime(2025, 1, 1, 8, 0, tzinfo=dt.UTC)
    with raw.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(
            ["CAD Event Number", "Event Clearance Description", "Call Type", "Priority",
             "Initial Call Type", "Final Call Type", "Original Time Queued", "Arrived Time",
             "Precinct", "Sector", "Beat", "Blurred_Longitude", "Blurred_Latitude"]
        )  # fmt: skip
        for i in range(rows):
            queued = (start + dt.timedelta(seconds=i * 30 + rng.randrange(30))).astimezone(seattle)
            arrived = (queued + dt.timedelta(seconds=rng.randrange(120, 3600))).astimezone(seattle)
            north = rng.random() < 0.5
            out.writerow(
                [2025000000000 + i, "ASSISTANCE RENDERED", "911", rng.randint(1, 4), "",
                 rng.choice(SEATTLE_TYPES), queued.strftime("%m/%d/%Y %I:%M:%S %p"),
                 arrived.strftime("%m/%d/%Y %I:%M:%S %p"), "EAST", "CHARLIE",
                 "A1" if north else "B1", f"{-122.34 + rng.random() * 0.02:.6f}",
                 f"{(47.602 if north else 47.582) + rng.random() * 0.015:.6f}"]
            )  # fmt: skip
    mapping = mapping_load("seattle")
    builder = RecordBuilder(mapping, folder)
    derived = []
    for _, row in read_rows(raw, mapping):
        record = builder.build(row)
        record["source"], record["import_run_id"] = "seattle", None
        derived.append(record)
    ready = folder / "ready.csv"
    with ready.open("w", newline="") as f:
        out = csv.writer(f)
        for record in derived:
            out.writerow(["\\N" if record[c] is None else record[c] for c in COLUMNS])
    return raw, ready, derived


def bench_b1(rows: int) -> list[dict[str, Any]]:
    import tempfile

    from django.db import transaction

    from beatbook.calls.importing.mapping import mapping_load
    from beatbook.calls.importing.run import calls_import
    from beatbook.calls.importing.writing import COLUMNS, TABLE
    from beatbook.calls.models import CallRecord, ImportRun
    from beatbook.core.testing import agency_build

    agency_build()
    folder = Path(tempfile.mkdtemp(prefix="bench-b1-"))
    raw, ready, derived = _b1_files(rows, folder)
    names = ", ".join(COLUMNS)

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
        ImportRun.objects.all().delete()

    def floor() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with (
                    cursor.cursor.copy(  # type: ignore[attr-defined]
                        f"COPY {TABLE} ({names}) FROM STDIN (FORMAT csv, NULL '\\N')"
                    ) as copy,
                    ready.open("rb") as f,
                ):
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
            else:
                marks = ", ".join(["%s"] * len(COLUMNS))
                cursor.executemany(
                    f"INSERT INTO {TABLE} ({names}) VALUES ({marks})",  # noqa: S608
                    [[r[c] for c in COLUMNS] for r in derived],
                )

    def naive() -> None:
        CallRecord.objects.bulk_create((CallRecord(**r) for r in derived), batch_size=1000)

    def ours() -> None:
        run = calls_import(path=raw, mapping=mapping_load("seattle"))
        assert run.rows_imported == rows, run.message

    seconds = prepared_rounds({"floor": floor, "naive": naive, "ours": ours}, empty, rounds=3)
    assert CallRecord.objects.count() == rows
    base = (
        "COPY of the derived rows (a)"
        if connection.vendor == "postgresql"
        else ("executemany in one transaction (a)")
    )
    case = f"{rows:,} rows, Seattle format"
    naive_row = ratio_row(
        "B1", case, "bulk_create(1000) (c), as ours ÷ it", seconds["naive"], seconds["ours"]
    )
    return [ratio_row("B1", case, base, seconds["floor"], seconds["ours"]), naive_row]


# --- B6: hot spots ------------------------------------------------------------------------


def bench_b6(k: int) -> list[dict[str, Any]]:
    import h3
    from esda.getisord import G_Local
    from libpysal.weights import W

    from beatbook.analytics.hotspots import gi_star

    centre = h3.latlng_to_cell(47.61, -122.33, 9)
    cells = sorted(h3.grid_disk(centre, k))
    rng = np.random.default_rng(6)
    counts = rng.poisson(2.0, len(cells)) + np.array(
        [30 if h3.grid_distance(centre, c) < 4 else 0 for c in cells]
    )
    index = {c: i for i, c in enumerate(cells)}
    weights = W(
        {i: [index[n] for n in h3.grid_ring(c, 1) if n in index] for i, c in enumerate(cells)},
        silence_warnings=True,
    )

    def peer() -> Any:
        return G_Local(counts, weights, transform="B", star=True, permutations=0).Zs

    def ours() -> Any:
        return gi_star(cells, counts)

    assert float(np.max(np.abs(peer() - ours()))) < 1e-9  # equal before timed
    result = interleaved(peer, ours, repeat=3)
    return [
        {
            "id": "B6",
            "case": f"{len(cells):,} H3 cells (res 9)",
            "baseline": "esda G_Local analytic (a)",
            **result,
        }
    ]


def write_report(results: list[dict[str, Any]]) -> None:
    def verdict(bench: str, ceiling: float, baseline: str = "") -> str:
        ratio = next(
            (r["ratio"] for r in results if r["id"] == bench and baseline in r["baseline"]),
            None,
        )
        if ratio is None:
            return "Not run."
        return f"**{'Met' if ratio <= ceiling else 'Not met'}** ({ratio:.2f} in this run)."

    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))
    lines = [
        "# Beatbook performance",
        "",
        "Figures from `bench/run.py` (PERFORMANCE-SUITE.md §4): each pair interleaved, "
        f"{ROUNDS} rounds after a warm-up, median ratio ours ÷ baseline (lower is better), "
        "with min–max. Timings are in-process, on this 2-core machine.",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {connection.vendor}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores.",
        "",
        "| bench | case | baseline | baseline µs | ours µs | ratio (min–max) |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['id']} | {r['case']} | {r['baseline']} | {r['baseline_us']:.0f} | "
            f"{r['ours_us']:.0f} | {r['ratio']:.2f} ({r['ratio_min']:.2f}–"
            f"{r['ratio_max']:.2f}) |"
        )
    lines += [
        "",
        "## Reading the figures",
        "",
        "- **B4** (target: ours ≤ 5× the in-memory numpy scorer, ≤ 1× one SQL query when the",
        "  roster comes from the database). **Not met.** Ours runs four ORM queries (on-duty",
        "  available units as plain rows, the teams covering the beat, today's workload, the",
        "  chosen units) and scores in Python with the reasons a dispatcher reads. Profiling",
        "  shows most of the time is the ORM compiling SQL, not the database or the arithmetic.",
        "  At 2–4 ms on SQLite and 8–13 ms on PostgreSQL it is far inside the 2 s CAD budget;",
        "  reaching the target needs the roster kept in memory and refreshed on status change",
        "  (PERFORMANCE-SUITE §2.5).",
        "- **B7** (target: ours ≤ 1.3× Django's default middleware stack). "
        + verdict("B7", 1.3, "default middleware"),
        "  Ours adds a request id, whitenoise, OTP, the idle/12-hour session checks, MFA and",
        "  password-expiry gates, no-store, the domain-error mapping and django-axes, some",
        "  100–300 µs per request; the ratio is lower on PostgreSQL, where the query itself is",
        "  slower (about 1.7× on SQLite in the previous run).",
        "- **B1** (target: `beatbook import calls` within 1.5× a COPY of the same rows into the",
        "  same indexed table, and at least 4× faster than `bulk_create`). "
        + verdict("B1", 1.5, "COPY"),
        "  The import parses and checks every row in Python (two timestamps through compiled",
        "  formats, call-type rules, beat lookup, H3 cell, response seconds) and reads the file",
        "  twice (a structural check before anything is written, so a broken file leaves",
        "  nothing). The first import of a source COPYs straight into the table; re-imports go",
        "  through a staging table and `ON CONFLICT DO NOTHING`. Measured at 200,000 rows, not",
        "  the 1,000,000 of the target, to keep the run short; against `bulk_create` ours takes",
        "  about half the time (2×, not 4×). Closing the gap needs the row work in a compiled",
        "  loop or in the database.",
        "- **B6** (target: Gi* at least 5× faster than esda's analytic `G_Local`, i.e. a ratio",
        f"  ≤ 0.2, equal to 1e-9). {verdict('B6', 0.2)} Equality is checked before timing.",
        "  Ours includes building the H3 neighbour lists; esda is given its weights ready-made.",
        "",
        "Not yet implemented: B2/B3 (Open311), B5 (dashboards at 5M calls), B8 (load), B9",
        "(SQLite vs PostgreSQL parity); they arrive with the issues that build those parts.",
    ]
    (ROOT / "docs" / "performance.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    if "--report-only" in sys.argv:  # rewrite docs/performance.md from the last results
        write_report(json.loads((ROOT / "bench" / "results.json").read_text()))
        return
    quick = "--quick" in sys.argv
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        # B1 commits its batches as a real import does, so it runs after the benchmarks that
        # build the small agency inside a rolled-back transaction.
        results = (
            bench_b4()
            + bench_b6(40 if quick else 68)
            + bench_b7()
            + bench_b1(20_000 if quick else 200_000)
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    write_report(results)
    for r in results:
        print(
            f"{r['id']} {r['case']:<28} vs {r['baseline']:<32} ours {r['ours_us']:>8.0f} µs"
            f"  ratio {r['ratio']:.2f}"
        )


if __name__ == "__main__":
    main()
