"""A calls file read with its mapping, all the way, and nothing written: how many rows would
come in, which would be rejected and why, and what the mapping would leave without a Beatbook
value. The loop of whoever writes a third city's mapping: check, correct, check again, then
import, without a wrong mapping's rows ever reaching the dashboards."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.utils import timezone

from beatbook.calls.importing.columns import ColumnBuilder
from beatbook.calls.importing.coverage import (
    SHARE_COUNTS,
    Code,
    Coverage,
    coverage_from_json,
    shares_of,
)
from beatbook.calls.importing.mapping import Mapping
from beatbook.calls.importing.reading import batches, file_check
from beatbook.calls.importing.run import BATCH, Progress, rejects_write
from beatbook.calls.importing.transform import RecordBuilder
from beatbook.calls.models import CallRecord

REJECTS_SHOWN = 50  # the first rejects, with line and reason; the import writes them all
# A city's calls are fewest before dawn. Fewest at another hour of the agency's day means,
# almost always, times read in the wrong zone: a mapping left at its default, UTC, for an
# export in local time puts the trough in the evening. Judged from this many rows on.
QUIET_HOURS = range(1, 9)  # 01:00 to 08:59
HOURS_JUDGED_FROM = 480


@dataclass(frozen=True)
class Preview:
    records: int  # in the file
    importable: int
    new: int  # of the importable, not imported from this source before
    rejected: int
    rejects: list[tuple[int, str]]  # the first REJECTS_SHOWN: line, reason
    coverage: Coverage  # over the importable rows
    # Importable rows by the hour of the agency's day they were received in, 0 to 23.
    hours: list[int] = dataclasses.field(default_factory=list)

    @property
    def already_there(self) -> int:
        return self.importable - self.new

    @property
    def quietest_hour(self) -> int | None:
        """The hour of the agency's day with the fewest calls, once there are enough."""
        if sum(self.hours) < HOURS_JUDGED_FROM:
            return None
        return min(range(24), key=lambda hour: (self.hours[hour], hour))

    @property
    def zone_doubt(self) -> str:
        """What to say when calls would be fewest at an hour no city's are ("" otherwise)."""
        hour = self.quietest_hour
        if hour is None or hour in QUIET_HOURS:
            return ""
        return (
            f"Calls would be fewest at {hour:02d}:00 of the agency's day, where a city's are "
            "fewest before dawn: the export's times are likely in another time zone than "
            "the mapping's timezone (UTC when it names none). Set it to the zone the export "
            "writes its times in, and check again."
        )

    def as_json(self) -> dict[str, Any]:
        figures = dataclasses.asdict(self)
        figures["coverage"].pop("counted_at")
        return figures

    @classmethod
    def from_json(cls, figures: dict[str, Any]) -> Preview:
        return cls(
            records=figures["records"],
            importable=figures["importable"],
            new=figures["new"],
            rejected=figures["rejected"],
            rejects=[(line, reason) for line, reason in figures["rejects"]],
            coverage=coverage_from_json(figures["coverage"]),
            hours=list(figures.get("hours", [])),
        )


class _Tally:
    """The counts coverage.py takes from the rows, taken from the batches instead."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.call_types: Counter[str] = Counter()
        self.descriptions: dict[str, str] = {}
        self.beats: Counter[str] = Counter()
        self.dispositions: Counter[str] = Counter()
        self.days: Counter[str] = Counter()
        self.hours = [0] * 24
        self.zone = str(timezone.get_default_timezone())

    def add(self, records: pl.DataFrame) -> None:
        self.counts.update(
            records.select(
                rows=pl.len(),
                typed=pl.col("call_type_id").is_not_null().sum(),
                beat=pl.col("beat_id").is_not_null().sum(),
                placed=pl.col("lat").is_not_null().sum(),
                disposed=(pl.col("disposition") != "").sum(),
                timed=pl.col("response_seconds").is_not_null().sum(),
            ).row(0, named=True)
        )
        local = pl.col("received_at").dt.convert_time_zone(self.zone)
        for day, hour, rows in (
            records.group_by(local.dt.date().alias("day"), local.dt.hour().alias("hour"))
            .len()
            .iter_rows()
        ):
            self.days[day.isoformat()] += rows
            self.hours[hour] += rows
        untyped = records.filter(pl.col("call_type_id").is_null())
        for code, rows, description in (
            untyped.group_by("original_code")
            .agg(pl.len(), pl.col("original_description").max())
            .iter_rows()
        ):
            self.call_types[code] += rows
            self.descriptions[code] = max(self.descriptions.get(code, ""), description or "")
        beatless = records.filter(pl.col("beat_id").is_null() & (pl.col("beat_code") != ""))
        self.beats.update(dict(beatless.group_by("beat_code").len().iter_rows()))
        undisposed = records.filter(
            (pl.col("disposition") == "") & (pl.col("original_disposition") != "")
        )
        self.dispositions.update(
            dict(undisposed.group_by("original_disposition").len().iter_rows())
        )

    def coverage(self, source: str) -> Coverage:
        def listed(counts: Counter[str], descriptions: dict[str, str] | None = None) -> list[Code]:
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            return [Code(code, (descriptions or {}).get(code, ""), rows) for code, rows in ordered]

        return Coverage(
            source=source,
            rows=self.counts["rows"],
            shares=shares_of({k: self.counts[k] for k in SHARE_COUNTS}),
            days=sorted(self.days.items()),
            call_types=listed(self.call_types, self.descriptions),
            beats=listed(self.beats),
            dispositions=listed(self.dispositions),
        )


def _known(source: str, ids: list[str]) -> int:
    """How many of `ids` the source has already: asked in chunks a statement can take."""
    return sum(
        CallRecord.objects.filter(source=source, source_id__in=ids[i : i + 5000]).count()
        for i in range(0, len(ids), 5000)
    )


def import_preview(
    *,
    path: Path,
    mapping: Mapping,
    progress: Callable[[Progress], object] | None = None,
    batch_size: int = BATCH,
    rejects_path: Path | None = None,
) -> Preview:
    """Read and map every row of `path` as the import would, and write nothing to the
    database; with `rejects_path`, every reject goes there as the import writes them. A
    file that cannot be read raises ImportFileError, as the import does."""
    check = file_check(path, mapping)
    builder = ColumnBuilder(RecordBuilder(mapping, path.parent))
    tally = _Tally()
    new = rejected = done = 0
    rejects: list[tuple[int, str]] = []
    every: list[tuple[int, str, dict[str, str]]] = []
    for first, raw in batches(path, mapping, check, batch_size):
        built = builder.build(raw, first)
        tally.add(built.records)
        new += built.records.height - _known(mapping.name, built.records["source_id"].to_list())
        rejected += len(built.rejects)
        room = REJECTS_SHOWN - len(rejects)
        rejects += [(check.record_lines[n], why) for n, why, _ in built.rejects[:room]]
        if rejects_path is not None:
            every += [(check.record_lines[n], why, row) for n, why, row in built.rejects]
        done += raw.height
        if progress is not None:
            progress(Progress(done, check.records, tally.counts["rows"], rejected))
    if rejects_path is not None:
        rejects_write(rejects_path, every)
    return Preview(
        records=check.records,
        importable=tally.counts["rows"],
        new=new,
        rejected=rejected,
        rejects=rejects,
        coverage=tally.coverage(mapping.name),
        hours=tally.hours,
    )
