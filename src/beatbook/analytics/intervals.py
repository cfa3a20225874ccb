"""Time as sets of half-open intervals, so that an hour is counted once: a report written on
scene is call time, not call time plus report time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

Interval = tuple[dt.datetime, dt.datetime]


def union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(base: list[Interval], remove: list[Interval]) -> list[Interval]:
    """`base` minus `remove`; both must already be unions (sorted, disjoint)."""
    result: list[Interval] = []
    j = 0
    for start, end in base:
        cursor = start
        while j < len(remove) and remove[j][1] <= cursor:
            j += 1
        k = j
        while k < len(remove) and remove[k][0] < end:
            if remove[k][0] > cursor:
                result.append((cursor, remove[k][0]))
            cursor = max(cursor, remove[k][1])
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(base: list[Interval], keep: list[Interval]) -> list[Interval]:
    return subtract(base, subtract(base, keep))


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return union((max(a, start), min(b, end)) for a, b in intervals)


def hours(intervals: Iterable[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in intervals) / 3600
