"""The dashboard figures, each a plain function of a Scope. Percentiles run in PostgreSQL
(percentile_cont) and, on SQLite, in Python with the same linear interpolation."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Min, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncHour
from django.utils import timezone

from beatbook.analytics.models import MonthlyResponse, WeeklyCount, WeeklyTypeCount
from beatbook.analytics.scope import Scope, records
from beatbook.calls.models import CallRecord, CallType
from beatbook.places.models import Beat

UNMAPPED = "Other (source codes)"


class MedianAndP90(Aggregate):
    """PostgreSQL's percentile_cont at 0.5 and 0.9 from one sort of the group: [p50, p90],
    or NULL where the group has no value (NULLs are left out, as by every aggregate)."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(FloatField())


def _pair(quantiles: list[float] | None) -> tuple[float | None, float | None]:
    return (quantiles[0], quantiles[1]) if quantiles else (None, None)


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """PostgreSQL's percentile_cont: linear between the two nearest ranks."""
    if not sorted_values:
        return None
    position = p * (len(sorted_values) - 1)
    low, high = math.floor(position), math.ceil(position)
    lo, hi = sorted_values[low], sorted_values[high]
    return lo + (hi - lo) * (position - low)


@dataclass(frozen=True)
class Group:
    """A type's or a beat's calls in a scope, from one pass over them: what the volume, the
    response and the stage figures each read (seconds; stages only where asked for)."""

    key: int | None
    calls: int
    timed: int  # calls with a time on scene
    met: int  # of those, on scene within the type's target
    response: tuple[float | None, float | None]  # p50, p90 received → on scene
    stages: tuple[tuple[float | None, float | None], ...] = ()  # p50, p90 per STAGES


def groups_by(scope: Scope, by: str = "call_type", *, stages: bool = False) -> list[Group]:
    """One group per type or beat with a call in the scope. One pass over the
    calls: at years of a city's history every further pass costs a scan of the range (at
    three years of a mid-size city, 460,000 calls, about 0.1 s each before any sorting)."""
    if connection.vendor == "postgresql":
        return _groups(_groups_query(scope, by, stages), _FIELDS[by], stages)
    field = _FIELDS[by]
    counts: dict[str, Aggregate] = {"n": Count("pk"), "timed": Count("response_seconds")}
    if by == "call_type":
        counts["met"] = Count("pk", filter=_MET)
    return [
        Group(key, row["n"], row["timed"], row.get("met", 0), found[0], tuple(found[1:]))
        for key, (row, found) in _quantiles_in_python(records(scope), field, counts, stages).items()
    ]


_FIELDS = {"call_type": "call_type_id", "beat": "beat_id"}
_MET = Q(response_seconds__lte=F("call_type__target_minutes") * 60)


def _stage_bounds(stages: bool) -> list[tuple[str, str]]:
    return [(start, end) for _, start, end in STAGES] if stages else []


def _groups_query(scope: Scope, by: str, stages: bool) -> QuerySet[CallRecord]:
    """PostgreSQL: the counts and every quantile in one grouped pass, in the column order
    `_groups` reads (key, n, timed, met, response, stages…). A stage's length is NULL where
    either of its times is, and percentile_cont leaves NULLs out; date_part gives the double
    precision percentile_cont sorts (EXTRACT's numeric would be cast row by row, a third
    slower). Only a type has a target: the beats' pass does not join the types."""
    aggregates: dict[str, Any] = {"n": Count("pk"), "timed": Count("response_seconds")}
    aggregates["met"] = Count("pk", filter=_MET) if by == "call_type" else Value(0)
    aggregates["response"] = MedianAndP90("response_seconds")
    for i, (start, end) in enumerate(_stage_bounds(stages)):
        aggregates[f"stage{i}"] = MedianAndP90(
            RawSQL(f"date_part('epoch', {end} - {start})", [])  # noqa: S611
        )
    return records(scope).values(_FIELDS[by]).annotate(**aggregates).order_by()


def _group(row: Sequence[Any]) -> Group:
    key, n, timed, met, response, *lengths = row
    return Group(key, n, timed, met, _pair(response), tuple(_pair(q) for q in lengths))


def _groups(qs: QuerySet[CallRecord], field: str, stages: bool) -> list[Group]:
    names = [field, "n", "timed", "met", "response"] + [f"stage{i}" for i in range(3) if stages]
    return [_group(row) for row in qs.values_list(*names)]


Quantiles = dict[Any, tuple[dict[str, int], list[tuple[float | None, float | None]]]]


def _quantiles_in_python(
    qs: QuerySet[CallRecord], field: str, counts: dict[str, Aggregate], stages: bool
) -> Quantiles:
    """SQLite has no percentile_cont: each length sorted here, interpolated alike."""
    found: Quantiles = {
        row[field]: (row, []) for row in qs.values(field).annotate(**counts).order_by()
    }
    measured: list[dict[Any, list[float]]] = []
    response: dict[Any, list[float]] = defaultdict(list)
    for key, seconds in qs.exclude(response_seconds=None).values_list(field, "response_seconds"):
        response[key].append(seconds)
    measured.append(response)
    for start, end in _stage_bounds(stages):
        timed = qs.exclude(**{f"{start}__isnull": True}).exclude(**{f"{end}__isnull": True})
        values: dict[Any, list[float]] = defaultdict(list)
        for key, a, b in timed.values_list(field, start, end):
            values[key].append((b - a).total_seconds())
        measured.append(values)
    for key, (_, quantiles) in found.items():
        for values in measured:
            lengths = sorted(values.get(key, ()))
            quantiles.append((percentile(lengths, 0.5), percentile(lengths, 0.9)))
    return found


def _labels(keys: Sequence[Any], by: str) -> dict[Any, str]:
    if by == "call_type":
        names = dict(CallType.objects.values_list("pk", "name"))
        return {k: names.get(k, UNMAPPED) for k in keys}
    beats = dict(Beat.objects.values_list("pk", "name"))
    return {k: beats.get(k, "No beat") for k in keys}


def volume(groups: Sequence[Group], by: str) -> list[tuple[str, int]]:
    """Calls per type or beat, busiest first (ties by name), from groups already read."""
    label = _labels([g.key for g in groups], by)
    return sorted(((label[g.key], g.calls) for g in groups), key=lambda r: (-r[1], r[0]))


def volume_by_type(scope: Scope) -> list[tuple[str, int]]:
    return volume(groups_by(scope, "call_type"), "call_type")


def volume_by_beat(scope: Scope) -> list[tuple[str, int]]:
    return volume(groups_by(scope, "beat"), "beat")


Hourly = dict[tuple[dt.date, int], int]


def hourly_counts(scope: Scope) -> Hourly:
    """Calls per local day and hour from the Monday of the scope's first week (where
    `weekly` starts) to its end: the hour-of-week grid and the weekly lines are both sums of
    it, so the dashboard reads the calls once for the two."""
    return {(hour.date(), hour.hour): n for hour, n in _hourly_query(scope)}


def _hourly_query(scope: Scope) -> QuerySet[CallRecord, tuple[dt.datetime, int]]:
    # One conversion to local time a call, truncated to its hour (a day and an hour taken
    # apart converted it twice: 0.27 against 0.17 s over 460,000 calls).
    tz = timezone.get_current_timezone()
    return (
        records(_from_monday(scope))
        .annotate(hour=TruncHour("received_at", tzinfo=tz))
        .values_list("hour")
        .annotate(n=Count("pk"))
        .order_by()
    )


_NO_QUANTILES = "NULL::float8[], NULL::float8[], NULL::float8[]"


def dashboard_passes(scope: Scope) -> tuple[list[Group], list[Group], Hourly]:
    """The dashboard's three passes over the scope's calls: by type (with the stages), by
    beat, and by local hour from the Monday the weekly lines start on. On PostgreSQL they go
    as one UNION ALL statement, whose three parts the planner hands to a process each
    (Parallel Append): at three years of a mid-size city, 460,000 calls, the page took
    0.86 s against 1.11 s with the three one after the other, on two cores. Its parts are
    the very queries `groups_by` and `hourly_counts` run, so the figures are theirs."""
    if connection.vendor != "postgresql":
        return (
            groups_by(scope, "call_type", stages=True),
            groups_by(scope, "beat"),
            hourly_counts(scope),
        )
    sql, params = dashboard_statement(scope)
    by_type: list[Group] = []
    by_beat: list[Group] = []
    hourly: Hourly = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for part, key, hour, n, timed, met, *quantiles in cursor.fetchall():
            if part == 2:  # the local hour, as a timestamp without a time zone
                hourly[hour.date(), hour.hour] = n
            else:
                found = [key, n, timed, met, *quantiles[: 4 if part == 0 else 1]]
                (by_type if part == 0 else by_beat).append(_group(found))
    return by_type, by_beat, hourly


def dashboard_statement(scope: Scope) -> tuple[str, list[Any]]:
    """PostgreSQL: `dashboard_passes`'s one statement and its parameters."""
    types, types_params = _groups_query(scope, "call_type", True).query.sql_with_params()
    beats, beats_params = _groups_query(scope, "beat", False).query.sql_with_params()
    hours, hours_params = _hourly_query(scope).query.sql_with_params()
    # The parts are Django's own compiled SQL, their values still parameters. Each column
    # has one type in every part: a part whose column had to be cast to the others' (the
    # beats' constant met, an integer) kept the planner from running the parts side by side.
    sql = (
        "SELECT 0, k, NULL::timestamp, n, timed, met, response, s0, s1, s2 "  # noqa: S608
        f"FROM ({types}) AS t(k, n, timed, met, response, s0, s1, s2) UNION ALL "
        f"SELECT 1, k, NULL::timestamp, n, timed, met::bigint, response, {_NO_QUANTILES} "
        f"FROM ({beats}) AS b(k, n, timed, met, response) UNION ALL "
        "SELECT 2, NULL::bigint, hour, n, NULL::bigint, NULL::bigint, NULL::float8[], "
        f"{_NO_QUANTILES} FROM ({hours}) AS h(hour, n)"
    )
    return sql, [*types_params, *beats_params, *hours_params]


def _from_monday(scope: Scope) -> Scope:
    monday = scope.start - dt.timedelta(days=scope.start.weekday())
    return Scope(monday, scope.end, scope.beat_ids, scope.call_type_ids)


def hour_of_week(scope: Scope, hourly: Hourly | None = None) -> list[list[int]]:
    """7 rows (Monday first) × 24 hours, in the agency's time zone; `hourly` is the scope's
    `hourly_counts` when the caller has them already."""
    grid = [[0] * 24 for _ in range(7)]
    for (day, hour), n in (hourly_counts(scope) if hourly is None else hourly).items():
        if scope.start <= day <= scope.end:
            grid[day.weekday()][hour] += n
    return grid


@dataclass(frozen=True)
class Week:
    start: dt.date
    count: int  # only the days inside the range
    complete: bool  # all seven days inside the range
    previous_year: int
    baseline: float | None  # mean of the same week in the earlier years on record


def _weekly_history(scope: Scope) -> dict[dt.date, int]:
    """Calls per week on record for the scope's beats and types, from the rollup (the
    citywide one when every beat counts)."""
    qs: QuerySet[WeeklyCount] | QuerySet[WeeklyTypeCount]
    if scope.beat_ids:
        qs = WeeklyCount.objects.filter(beat_id__in=scope.beat_ids)
    else:
        qs = WeeklyTypeCount.objects.all()
    if scope.call_type_ids:
        qs = qs.filter(call_type_id__in=scope.call_type_ids)
    return dict(qs.values("week").annotate(n=Sum("calls")).values_list("week", "n").order_by())


def first_day_on_record() -> dt.date | None:
    """The day the calls on record start (an imported history's first day)."""
    first = CallRecord.objects.aggregate(first=Min("received_at"))["first"]
    return timezone.localdate(first) if first else None


def weekly(scope: Scope, hourly: Hourly | None = None) -> list[Week]:
    """Weeks (Monday first) that start in the range, with last year's same week and the
    seasonal baseline from every earlier year on record. An earlier year's week counts only
    when the record covers all of it: a history that starts on a Saturday holds two days of
    that week, not a quiet week. `hourly` as for `hour_of_week`."""
    first_monday = _from_monday(scope).start
    daily: dict[dt.date, int] = defaultdict(int)
    for (day, _), n in (hourly_counts(scope) if hourly is None else hourly).items():
        daily[day] += n
    history = _weekly_history(scope)
    if not daily and not history:
        return []
    covered_from = first_day_on_record() or min([*history, *daily])

    def week_total(monday: dt.date, first: dt.date, last: dt.date) -> int:
        days = (monday + dt.timedelta(days=i) for i in range(7))
        return sum(daily.get(day, 0) for day in days if first <= day <= last)

    monday = first_monday
    weeks = []
    while monday <= scope.end:
        earlier = []
        for years_back in range(1, monday.year - covered_from.year + 1):
            try:
                same = monday.replace(year=monday.year - years_back)
            except ValueError:  # 29 February
                same = monday.replace(year=monday.year - years_back, day=28)
            same -= dt.timedelta(days=same.weekday())
            if same < covered_from:
                break  # and every year before it
            earlier.append(history.get(same, 0))
        weeks.append(
            Week(
                start=monday,
                count=week_total(monday, scope.start, scope.end),  # clipped to the range
                complete=monday >= scope.start and monday + dt.timedelta(days=6) <= scope.end,
                previous_year=earlier[0] if earlier else 0,
                baseline=sum(earlier) / len(earlier) if earlier else None,
            )
        )
        monday += dt.timedelta(days=7)
    return weeks


def change(now: int, before: int | None) -> float | None:
    """The relative change, or None where there is nothing (or nothing on record) before."""
    return None if not before else (now - before) / before


@dataclass(frozen=True)
class Response:
    label: str
    calls: int
    p50: float | None
    p90: float | None
    target_minutes: int | None
    met_share: float | None


def share_within_target(response: list[Response]) -> float | None:
    """Of the timed calls whose type has a target, the share on scene within it."""
    timed = [r for r in response if r.met_share is not None]
    met = sum((r.met_share or 0) * r.calls for r in timed)
    return met / sum(r.calls for r in timed) if timed else None


def response_by(scope: Scope, by: str = "call_type") -> list[Response]:
    """Received → on scene, p50 and p90 in minutes, per call type or per beat; for types,
    the share of calls that met the type's target."""
    return responses(groups_by(scope, by), by)


def responses(groups: Sequence[Group], by: str) -> list[Response]:
    """`response_by` from groups already read; groups with no timed call are left out."""
    timed = [g for g in groups if g.timed]
    label = _labels([g.key for g in timed], by)
    targets: dict[int | None, int | None] = {}
    if by == "call_type":
        targets.update(CallType.objects.values_list("pk", "target_minutes"))
    result = []
    for g in timed:
        target = targets.get(g.key)
        p50, p90 = _minutes(*g.response)
        result.append(
            Response(
                label=label[g.key],
                calls=g.timed,
                p50=p50,
                p90=p90,
                target_minutes=target,
                met_share=g.met / g.timed if target else None,
            )
        )
    return sorted(result, key=lambda r: (-r.calls, r.label))


@dataclass(frozen=True)
class MonthResponse:
    month: dt.date
    priority: int | None
    metric: str
    calls: int
    p50: float
    p90: float
    p95: float


def response_by_priority_month(
    first: dt.date | None = None, last: dt.date | None = None
) -> list[MonthResponse]:
    """p50/p90/p95 seconds, received → dispatched and dispatched → on scene, per priority and
    month, from the rollup (whole months, every beat and type)."""
    qs = MonthlyResponse.objects.order_by("month", "priority", "metric")
    if first:
        qs = qs.filter(month__gte=first.replace(day=1))
    if last:
        qs = qs.filter(month__lte=last)
    return [
        MonthResponse(*row)
        for row in qs.values_list("month", "priority", "metric", "calls", "p50", "p90", "p95")
    ]


def weekly_by_type(
    first: dt.date | None = None, last: dt.date | None = None
) -> list[tuple[dt.date, int | None, int]]:
    """(week, call type id, calls) over the whole history, from the citywide rollup."""
    qs = WeeklyTypeCount.objects.all()
    if first:
        qs = qs.filter(week__gte=first)
    if last:
        qs = qs.filter(week__lte=last)
    # One row a week and type already: no grouping left to do.
    return list(qs.order_by("week", "call_type_id").values_list("week", "call_type_id", "calls"))


STAGES = (
    ("received → dispatched", "received_at", "dispatched_at"),
    ("dispatched → on scene", "dispatched_at", "on_scene_at"),
    ("on scene → cleared", "on_scene_at", "cleared_at"),
)


@dataclass(frozen=True)
class Stages:
    label: str
    calls: int
    # (p50, p90) minutes per stage, in STAGES order; None where no call has both times
    quantiles: tuple[tuple[float | None, float | None], ...]


def stages_by(scope: Scope, by: str = "call_type") -> list[Stages]:
    """p50 and p90 minutes of each stage of a call, per call type or beat."""
    return stages_of(groups_by(scope, by, stages=True), by)


def stages_of(groups: Sequence[Group], by: str) -> list[Stages]:
    """`stages_by` from groups read with their stages."""
    label = _labels([g.key for g in groups], by)
    return sorted(
        (
            Stages(label[g.key], g.calls, tuple(_minutes(*pair) for pair in g.stages))
            for g in groups
        ),
        key=lambda st: (-st.calls, st.label),
    )


def _minutes(p50: float | None, p90: float | None) -> tuple[float | None, float | None]:
    return (None if p50 is None else p50 / 60, None if p90 is None else p90 / 60)
