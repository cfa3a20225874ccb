"""Keeping the rollups current: a span of time is recomputed whole (delete, then insert from
CallRecord) in one transaction, so a refresh is idempotent and never leaves half a week.

Durations are whole seconds (floor), the same integers a reader of the raw rows would get, so
percentiles from the rollup equal percentiles from the rows exactly."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from beatbook.analytics.figures_cache import figures_version_bump
from beatbook.analytics.models import MonthlyResponse, WeeklyCount, WeeklyTypeCount
from beatbook.analytics.scope import week_start
from beatbook.analytics.selectors import percentile
from beatbook.calls.models import CallRecord

PERCENTILES = (0.5, 0.9, 0.95)


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _week_span(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    first, last = timezone.localdate(start), timezone.localdate(end)
    monday = first - dt.timedelta(days=first.weekday())
    return monday, last - dt.timedelta(days=last.weekday()) + dt.timedelta(days=7)


def _month_span(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    first, last = timezone.localdate(start), timezone.localdate(end)
    return first.replace(day=1), _next_month(last)


@transaction.atomic
def rollups_refresh(start: dt.datetime, end: dt.datetime) -> None:
    """Recompute every week and month that [start, end] touches."""
    _weeks_refresh(*_week_span(start, end))
    _months_refresh(*_month_span(start, end))
    figures_version_bump()  # figures cached before, from the rollups as they were


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def rollups_rebuild(progress: Callable[[int, int], object] | None = None) -> None:
    """Every rollup from every call, in one transaction; `progress(done, steps)` after each
    quarter of weeks or of months (years of a city's calls take a while)."""
    bounds = CallRecord.objects.aggregate(first=Min("received_at"), last=Max("received_at"))
    with transaction.atomic():
        WeeklyCount.objects.all().delete()
        WeeklyTypeCount.objects.all().delete()
        MonthlyResponse.objects.all().delete()
        if bounds["first"] is not None:
            _rebuild_steps(bounds["first"], bounds["last"], progress)
        # Last, committed with the rollups: its row stays locked only while they commit, not
        # through minutes of rebuilding (a call closed meanwhile raises it too, and waits).
        figures_version_bump()


def _rebuild_steps(
    first: dt.datetime, last: dt.datetime, progress: Callable[[int, int], object] | None
) -> None:
    first_week, after_weeks = _week_span(first, last)
    weeks = [first_week]
    while weeks[-1] < after_weeks:
        weeks.append(min(weeks[-1] + dt.timedelta(weeks=13), after_weeks))
    first_month, after_months = _month_span(first, last)
    months = [first_month]
    while months[-1] < after_months:
        months.append(_next_month(_next_month(_next_month(months[-1]))))
    months[-1] = min(months[-1], after_months)
    steps = [(_weeks_refresh, w) for w in zip(weeks, weeks[1:], strict=False)]
    steps += [(_months_refresh, m) for m in zip(months, months[1:], strict=False)]
    for done, (refresh, (start, after)) in enumerate(steps, 1):
        refresh(start, after)
        if progress:
            progress(done, len(steps))


def _weeks_refresh(first: dt.date, after: dt.date) -> None:
    WeeklyCount.objects.filter(week__gte=first, week__lt=after).delete()
    WeeklyTypeCount.objects.filter(week__gte=first, week__lt=after).delete()
    tz = timezone.get_current_timezone()
    rows = (
        CallRecord.objects.filter(
            received_at__gte=_local_midnight(first), received_at__lt=_local_midnight(after)
        )
        .annotate(week=TruncWeek("received_at", tzinfo=tz))
        .values("week", "call_type_id", "beat_id")
        .annotate(calls=Count("pk"))
        .order_by()
    )
    by_type: dict[tuple[dt.date, int | None], int] = defaultdict(int)

    def counted() -> Iterator[WeeklyCount]:
        for r in rows.iterator(chunk_size=5000):
            week = week_start(r["week"])
            by_type[week, r["call_type_id"]] += r["calls"]
            yield WeeklyCount(
                week=week, call_type_id=r["call_type_id"], beat_id=r["beat_id"], calls=r["calls"]
            )

    WeeklyCount.objects.bulk_create(counted(), batch_size=5000)
    WeeklyTypeCount.objects.bulk_create(
        (
            WeeklyTypeCount(week=week, call_type_id=type_id, calls=calls)
            for (week, type_id), calls in by_type.items()
        ),
        batch_size=5000,
    )


_PG_MONTHS = """
SELECT month, priority, metric, count(*),
       percentile_cont(ARRAY[0.5, 0.9, 0.95]) WITHIN GROUP (ORDER BY seconds)
FROM (
    SELECT date_trunc('month', received_at AT TIME ZONE %(tz)s)::date AS month, priority,
           unnest(ARRAY['dispatch', 'arrival']) AS metric,
           unnest(ARRAY[
               floor(extract(epoch FROM dispatched_at - received_at))::int,
               floor(extract(epoch FROM on_scene_at - dispatched_at))::int
           ]) AS seconds
    FROM calls_callrecord
    WHERE received_at >= %(start)s AND received_at < %(end)s
) AS spans
WHERE seconds IS NOT NULL AND seconds >= 0
GROUP BY month, priority, metric
"""


def _months_refresh(first: dt.date, after: dt.date) -> None:
    MonthlyResponse.objects.filter(month__gte=first, month__lt=after).delete()
    start, end = _local_midnight(first), _local_midnight(after)
    made = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            tz = str(timezone.get_current_timezone())
            cursor.execute(_PG_MONTHS, {"tz": tz, "start": start, "end": end})
            for month, priority, metric, calls, (p50, p90, p95) in cursor.fetchall():
                made.append(
                    MonthlyResponse(
                        month=month,
                        priority=priority,
                        metric=metric,
                        calls=calls,
                        p50=p50,
                        p90=p90,
                        p95=p95,
                    )
                )
    else:
        values: dict[tuple[dt.date, int | None, str], list[int]] = defaultdict(list)
        rows = CallRecord.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
            "received_at", "dispatched_at", "on_scene_at", "priority"
        )
        for received, dispatched, on_scene, priority in rows.iterator(chunk_size=5000):
            month = timezone.localdate(received).replace(day=1)
            for metric, a, b in (
                ("dispatch", received, dispatched),
                ("arrival", dispatched, on_scene),
            ):
                if a is not None and b is not None and b >= a:
                    values[(month, priority, metric)].append(int((b - a).total_seconds() // 1))
        for (month, priority, metric), seconds in values.items():
            seconds.sort()
            p50, p90, p95 = (percentile(seconds, p) or 0.0 for p in PERCENTILES)  # never empty
            made.append(
                MonthlyResponse(
                    month=month,
                    priority=priority,
                    metric=metric,
                    calls=len(seconds),
                    p50=p50,
                    p90=p90,
                    p95=p95,
                )
            )
    MonthlyResponse.objects.bulk_create(made, batch_size=2000)


def rollups_check() -> list[str]:
    """Weeks whose rollups' totals differ from the rows (after a manual change to the data)."""
    tz = timezone.get_current_timezone()
    rows = dict(
        CallRecord.objects.annotate(week=TruncWeek("received_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("pk"))
        .values_list("week", "n")
        .order_by()
    )
    from_rows = {week_start(k): n for k, n in rows.items()}
    weekly = dict(
        WeeklyCount.objects.values("week")
        .annotate(n=Sum("calls"))
        .values_list("week", "n")
        .order_by()
    )
    citywide = dict(
        WeeklyTypeCount.objects.values("week")
        .annotate(n=Sum("calls"))
        .values_list("week", "n")
        .order_by()
    )
    return [
        f"week of {week}: {weekly.get(week, 0)} in the rollup, {citywide.get(week, 0)} in the "
        f"citywide rollup, {from_rows.get(week, 0)} calls"
        for week in sorted(set(from_rows) | set(weekly) | set(citywide))
        if not from_rows.get(week, 0) == weekly.get(week, 0) == citywide.get(week, 0)
    ]
