"""What a mapping left undone in a source's imported calls: the share of rows that got a
Beatbook call type, a beat, a place and a disposition, and the source's codes that did not,
most frequent first, for whoever corrects the mapping (then imports again with --update)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from beatbook.calls.choices import Disposition
from beatbook.calls.models import CallRecord, ImportRun, SourceCoverage


@dataclass(frozen=True)
class Share:
    label: str
    rows: int
    of: int

    @property
    def percent(self) -> float:
        return 100 * self.rows / self.of if self.of else 0.0


@dataclass(frozen=True)
class Code:
    code: str
    description: str
    rows: int


@dataclass(frozen=True)
class Coverage:
    source: str
    rows: int
    shares: list[Share]
    call_types: list[Code]  # codes with no Beatbook call type
    beats: list[Code]  # beat codes that are no beat of ours
    dispositions: list[Code]  # dispositions with no Beatbook disposition
    # (day, rows) for each local day with calls, in order: an export that missed a night,
    # or a month, shows as days without a single call between the first and the last.
    days: list[tuple[str, int]] = dataclasses.field(default_factory=list)
    counted_at: Any = None

    @property
    def first_day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.days[0][0]) if self.days else None

    @property
    def last_day(self) -> dt.date | None:
        return dt.date.fromisoformat(self.days[-1][0]) if self.days else None

    def _span(self) -> Iterator[dt.date]:
        if self.first_day is None or self.last_day is None:
            return
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += dt.timedelta(days=1)

    @property
    def empty_days(self) -> list[dt.date]:
        """Days between the first call and the last without a single one."""
        had = {day for day, _ in self.days}
        return [day for day in self._span() if day.isoformat() not in had]

    def _periods(self, start_of: Callable[[dt.date], dt.date]) -> list[tuple[dt.date, int]]:
        by_day = dict(self.days)
        periods: dict[dt.date, int] = {}
        for day in self._span():
            first = start_of(day)
            periods[first] = periods.get(first, 0) + by_day.get(day.isoformat(), 0)
        return list(periods.items())

    def weekly(self) -> list[tuple[dt.date, int]]:
        """(Monday, rows) for every week from the first call's to the last's, empty or not."""
        return self._periods(lambda day: day - dt.timedelta(days=day.weekday()))

    def monthly(self) -> list[tuple[dt.date, int]]:
        """(the 1st, rows) for every month from the first call's to the last's."""
        return self._periods(lambda day: day.replace(day=1))

    def first(self, limit: int | None) -> Coverage:
        """The same with only the `limit` most frequent codes of each kind (all: None)."""
        return dataclasses.replace(
            self,
            call_types=self.call_types[:limit],
            beats=self.beats[:limit],
            dispositions=self.dispositions[:limit],
        )


def coverage_from_json(figures: dict[str, Any], counted_at: Any = None) -> Coverage:
    """A Coverage kept as JSON (dataclasses.asdict, without counted_at)."""
    codes = {k: [Code(**c) for c in figures[k]] for k in ("call_types", "beats", "dispositions")}
    shares = [Share(**s) for s in figures["shares"]]
    return Coverage(
        source=figures["source"],
        rows=figures["rows"],
        shares=shares,
        days=[(day, rows) for day, rows in figures.get("days", [])],
        counted_at=counted_at,
        **codes,
    )


SHARE_COUNTS = ("rows", "typed", "beat", "placed", "disposed", "timed")


def shares_of(counts: dict[str, int]) -> list[Share]:
    """The page's shares from the counts of rows, typed, beat, placed, disposed, timed."""
    rows = counts["rows"]
    return [
        Share("a Beatbook call type", counts["typed"], rows),
        Share("a beat of ours", counts["beat"], rows),
        Share("a place on the map", counts["placed"], rows),
        Share("a disposition", counts["disposed"], rows),
        Share("a response time", counts["timed"], rows),
    ]


def import_coverage(source: str, *, limit: int | None = None) -> Coverage:
    """The source's rows as the mapping left them; `limit` codes of each kind (all: None).
    As last counted, unless a run of the source has written or removed rows since."""
    kept = SourceCoverage.objects.filter(source=source).first()
    changed = (
        ImportRun.objects.filter(source=source)
        .annotate(
            at=Greatest(
                "started_at",
                Coalesce("progress_at", "started_at"),
                Coalesce("finished_at", "started_at"),
            )
        )
        .aggregate(last=Max("at"))["last"]
    )
    # Figures kept before the days were counted (2026-12-07) are counted again, once.
    if (
        kept is None
        or "days" not in kept.figures
        or (changed is not None and changed >= kept.counted_at)
    ):
        return coverage_count(source).first(limit)
    return coverage_from_json(kept.figures, kept.counted_at).first(limit)


def coverage_count(source: str) -> Coverage:
    """Count what the source's mapping left over all its rows, and keep the figures."""
    # Stamped before counting: a batch written meanwhile has a later progress_at, so the
    # next visit counts again.
    counted_at = timezone.now()
    coverage = dataclasses.replace(_count(source), counted_at=counted_at)
    figures = dataclasses.asdict(coverage)
    figures.pop("counted_at")
    SourceCoverage.objects.update_or_create(
        source=source, defaults={"counted_at": counted_at, "figures": figures}
    )
    return coverage


def _count(source: str) -> Coverage:
    records = CallRecord.objects.filter(source=source)
    # By local day, so that the one scan of the source's rows (millions) also gives the days
    # without a call; the totals are the days' sums.
    zone = timezone.get_default_timezone()
    by_day: list[Mapping[str, Any]] = list(
        records.annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(
            rows=Count("id"),
            typed=Count("call_type"),
            beat=Count("beat"),
            placed=Count("lat"),
            disposed=Count("id", filter=~Q(disposition="")),
            timed=Count("response_seconds"),
        )
        .order_by("day")
    )
    counts = {k: sum(d[k] for d in by_day) for k in SHARE_COUNTS}
    rows = counts["rows"]
    shares = shares_of(counts)
    untyped = (
        records.filter(call_type__isnull=True)
        .values("original_code")
        .annotate(rows=Count("id"), description=Max("original_description"))
        .order_by("-rows", "original_code")
    )
    beats = (
        records.filter(beat__isnull=True)
        .exclude(beat_code="")
        .values("beat_code")
        .annotate(rows=Count("id"))
        .order_by("-rows", "beat_code")
    )
    dispositions = (
        records.filter(disposition="")
        .exclude(original_disposition="")
        .values("original_disposition")
        .annotate(rows=Count("id"))
        .order_by("-rows", "original_disposition")
    )
    return Coverage(
        source=source,
        rows=rows,
        shares=shares,
        days=[(d["day"].isoformat(), d["rows"]) for d in by_day],
        call_types=[Code(r["original_code"], r["description"] or "", r["rows"]) for r in untyped],
        beats=[Code(r["beat_code"], "", r["rows"]) for r in beats],
        dispositions=[Code(r["original_disposition"], "", r["rows"]) for r in dispositions],
    )


def _toml_key(code: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped too.
    return json.dumps(code, ensure_ascii=False).replace("\x7f", "\\u007F")


def _comment(text: str) -> str:
    return " ".join(text.split())


def mapping_stub(coverage: Coverage) -> str:
    """The codes left over as TOML tables to fill in and add to the mapping."""
    lines = [
        f"# Codes of source {coverage.source!r} its mapping left without a Beatbook value,",
        "# most frequent first. Fill in the values, add the tables to the mapping (merging",
        "# any it has already), and import the file again with --update (or 'Update rows",
        "# imported before' on the imports page).",
        "",
        "# Beatbook call type codes: the admin's Call types list.",
        "[call_types.exact]",
        *(
            f'{_toml_key(c.code)} = ""  # {c.rows} rows'
            + (f", {_comment(c.description)}" if c.description else "")
            for c in coverage.call_types
        ),
        "",
        "# Beats of ours by name (the Beats page); codes that mean 'no beat' go in unknown.",
        "[beats.rename]",
        *(f'{_toml_key(c.code)} = ""  # {c.rows} rows' for c in coverage.beats),
        "",
        f"# One of: {', '.join(Disposition.values)}.",
        "[dispositions.exact]",
        *(f'{_toml_key(c.code)} = ""  # {c.rows} rows' for c in coverage.dispositions),
        "",
    ]
    return "\n".join(lines)
