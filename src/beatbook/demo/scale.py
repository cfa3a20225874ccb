"""`beatbook demo --scale N`: N calls of a mid-size city, the same N every time (seeded), with
the rhythms real call data has (hour of day, day of week, season, hot spots, priorities), for
the dashboards and the benchmarks. Rows go in through the importer's writer (COPY on
PostgreSQL), so a re-run with the same N adds nothing."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from beatbook.calls.choices import Disposition
from beatbook.calls.importing.writing import batch_write, statistics_refresh, table_rows_known
from beatbook.calls.models import CallRecord, CallType
from beatbook.calls.signals import call_records_changed
from beatbook.demo.builder import HOUR_WEIGHTS, SEED, TYPE_MIX, WEEKDAY_FACTOR
from beatbook.places.addresses import block_text
from beatbook.places.models import AddressPoint

SOURCE = "demo-scale"
CALLS_PER_DAY = 420  # a city of about 300,000 people
BATCH = 20_000
DISPOSITIONS = [
    (Disposition.ADVISED, 34),
    (Disposition.ASSISTED, 22),
    (Disposition.REPORT, 14),
    (Disposition.CITATION, 9),
    (Disposition.WARNING, 8),
    (Disposition.GONE_ON_ARRIVAL, 6),
    (Disposition.UNABLE_TO_LOCATE, 4),
    (Disposition.REFERRAL, 2),
    (Disposition.UNFOUNDED, 1),
]


def _season(day: dt.date) -> float:
    """About 15 % more calls in late July than in late January."""
    return 1 + 0.075 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 110) / 365)


def scale_rows(
    n: int,
    *,
    end: dt.date | None = None,
    seed: int = SEED,
    per_day: int = CALLS_PER_DAY,
    source: str = SOURCE,
) -> Iterator[dict[str, Any]]:
    """N calls over the days before `end` (today), `per_day` a day on average."""
    rng = random.Random(seed)
    places = list(
        AddressPoint.objects.exclude(beat=None)
        .order_by("pk")
        .values_list("street", "number", "lat", "lon", "beat_id", "h3_cell")
    )
    if not places:
        raise ValueError("No addresses with beats: load the demo places first (`beatbook demo`).")
    hot = rng.sample(places, min(40, len(places)))
    types = {t.code: t for t in CallType.objects.filter(code__in=TYPE_MIX)}
    codes = [c for c in TYPE_MIX if c in types]
    weights = [TYPE_MIX[c] for c in codes]
    end = end or timezone.localdate()
    days = max(1, math.ceil(n / per_day))
    tz = timezone.get_current_timezone()
    factors = [
        _season(d) * WEEKDAY_FACTOR[d.weekday()]
        for d in (end - dt.timedelta(days=days - i) for i in range(days))
    ]
    scale = n / sum(factors)
    made = 0
    for i, factor in enumerate(factors):
        day = end - dt.timedelta(days=days - i)
        count = n - made if i == days - 1 else min(n - made, round(factor * scale))
        for _ in range(count):
            made += 1
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            local = dt.datetime(day.year, day.month, day.day, hour, tzinfo=tz)
            # As an instant in UTC: on the night clocks spring forward, 2:00–3:00 local does
            # not exist (polars refuses such a time), and the durations added below are
            # elapsed time, not wall-clock time, across a change of offset.
            received = local.astimezone(dt.UTC) + dt.timedelta(seconds=rng.randrange(3600))
            code = rng.choices(codes, weights=weights)[0]
            call_type = types[code]
            street, number, lat, lon, beat_id, cell = (
                rng.choice(hot) if rng.random() < 0.1 else rng.choice(places)
            )
            delay = {1: 2, 2: 5, 3: 12, 4: 25}[call_type.priority]
            dispatched = received + dt.timedelta(
                minutes=rng.lognormvariate(math.log(delay), 0.6) + 0.5
            )
            on_scene = dispatched + dt.timedelta(minutes=rng.lognormvariate(math.log(10), 0.45))
            cleared = on_scene + dt.timedelta(minutes=rng.lognormvariate(math.log(22), 0.5))
            yield {
                "source": source,
                "source_id": f"D{made:09d}",
                "import_run_id": None,
                "received_at": received,
                "dispatched_at": dispatched,
                "on_scene_at": on_scene,
                "cleared_at": cleared,
                "response_seconds": int((on_scene - received).total_seconds()),
                "priority": call_type.priority,
                "call_type_id": call_type.pk,
                "original_code": code,
                "original_description": call_type.name,
                "disposition": rng.choices(
                    [d for d, _ in DISPOSITIONS], weights=[w for _, w in DISPOSITIONS]
                )[0],
                "original_disposition": "",
                "beat_id": beat_id,
                "beat_code": "",
                "block_text": block_text(number, street),
                "lat": lat,
                "lon": lon,
                "h3_cell": cell,
            }


def scale_generate(n: int, *, progress: Callable[[int], object] | None = None, **rows: Any) -> int:
    """Write N generated calls (`rows`: `scale_rows`'s end, seed, per_day, source); returns
    how many were new."""
    batch: list[dict[str, Any]] = []
    new = 0
    known = table_rows_known()
    first = last = None
    for row in scale_rows(n, **rows):
        first = first or row["received_at"]  # rows come in time order
        last = row["received_at"]
        batch.append(row)
        if len(batch) >= BATCH:
            with transaction.atomic():
                new += batch_write(batch)
            if progress:
                progress(len(batch))
            batch = []
    with transaction.atomic():
        new += batch_write(batch)
    if progress:
        progress(len(batch))
    statistics_refresh(added=new, known=known)
    if first is not None:
        call_records_changed.send(sender=CallRecord, start=first, end=last)
    return new
