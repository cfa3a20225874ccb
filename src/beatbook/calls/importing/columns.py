"""The import's fast path: a batch of rows as columns (polars), each derivation done once per
column or once per distinct value instead of once per row. The columns only decide which rows
are plainly fine; every other row goes through the row path (`RecordBuilder.build`), which
keeps it or says why not, so a reject's reason is the row path's own words.

What a row-at-a-time import spent its time on (timestamps, call-type rules, place, COPY row
by row) was about 1.4× the COPY itself; see docs/performance.md, B1."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import polars as pl
from django.conf import settings

from beatbook.calls.importing.mapping import PRIORITY_MAX, Mapping
from beatbook.calls.importing.points import lat_lon
from beatbook.calls.importing.times import chrono_format, time_pattern
from beatbook.calls.importing.transform import RecordBuilder, RowRejected
from beatbook.calls.importing.writing import SCHEMA as WRITTEN

INDEX = "_record"  # the record's number in the file, from 0, to find its line
SCHEMA: dict[str, Any] = {
    INDEX: pl.Int64,
    **{c: t for c, t in WRITTEN.items() if c not in ("source", "import_run_id")},
}
TIMES = ("received_at", "dispatched_at", "on_scene_at", "cleared_at")


@dataclass
class BatchBuilt:
    records: pl.DataFrame  # SCHEMA's columns, in file order
    rejects: list[tuple[int, str, dict[str, str]]]  # (record number, reason, the row)


def _by_value(
    values: pl.Series, derive: Callable[[Any], Any], dtype: Any, default: Any = None
) -> pl.Series:
    """`derive` called once per distinct value, spread back over the rows."""
    distinct = values.unique().to_list()
    table = {v: derive(v) for v in distinct}
    return values.replace_strict(table, default=default, return_dtype=dtype)


class ColumnBuilder:
    def __init__(self, builder: RecordBuilder) -> None:
        self.rows = builder
        self.mapping: Mapping = builder.mapping
        self.columns = self.mapping.columns
        self.seen: set[str] = set()  # source ids kept by earlier batches
        # Only formats the row path reads with its own pattern are read as columns, and a
        # text must match that pattern too: the two paths then take exactly the same texts
        # (polars alone would also take "4:18:15PM"). Others go the row path, row by row.
        self.time_formats = [(f, time_pattern(f)) for f in self.mapping.datetime_formats]
        self.times_as_columns = all(pattern for _, pattern in self.time_formats)
        self.place_columns = self._place_columns()

    def _place_columns(self) -> list[str]:
        parts = self.mapping.address
        if parts is not None:
            return [c for c in (parts.number, *parts.street, *parts.cross) if c]
        return [self.columns["block"]] if "block" in self.columns else []

    # --- one column each ----------------------------------------------------------------

    def _text(self, name: str) -> pl.Expr:
        parts = self.mapping.joined.get(name)
        if parts is not None:
            # As the row path joins them (the texts not empty, with a space), so that a time
            # none of whose columns is filled (no arrival) is empty here too, not " ", and
            # its row is not sent down the row path for that.
            texts = pl.concat_list([pl.col(c).str.strip_chars() for c in parts])
            return texts.list.eval(pl.element().filter(pl.element() != "")).list.join(" ")
        column = self.columns.get(name)
        return pl.col(column).str.strip_chars() if column else pl.lit("", dtype=pl.String)

    def _time(self, name: str) -> pl.Expr:
        """The time in UTC; null when empty, not in a format, or not a wall-clock time of the
        zone (the hour skipped in spring), which the row path then reads or rejects."""
        if name not in self.columns or not self.times_as_columns:
            return pl.lit(None, dtype=pl.Datetime("us", "UTC"))
        text = self._text(name)
        local = pl.coalesce(
            [
                pl.when(text.str.contains(f"^(?:{pattern})$"))
                .then(text.str.to_datetime(chrono_format(fmt), strict=False, time_unit="us"))
                .otherwise(None)
                for fmt, pattern in self.time_formats
            ]
        )
        return local.dt.replace_time_zone(
            self.mapping.timezone, ambiguous="earliest", non_existent="null"
        ).dt.convert_time_zone("UTC")

    def _priority(self) -> pl.Expr:
        """The priority's number: the mapping's for a text one, else the text read as one
        (null when it is not: the row path then rejects the row, or reads it)."""
        text = pl.col("_priority_text")
        number = text.cast(pl.Int64, strict=False)
        table = self.mapping.priorities
        if not table:
            return number
        upper = text.str.to_uppercase()
        mapped = upper.replace_strict(table, default=None, return_dtype=pl.Int64)
        return pl.when(upper.is_in(list(table))).then(mapped).otherwise(number)

    def _coordinate(self, name: str, limit: float) -> tuple[pl.Expr, pl.Expr]:
        """(value, fine): null when empty; not fine when not a number or out of range."""
        text = self._text(name)
        value = text.cast(pl.Float64, strict=False)
        fine = (text == "") | (value.is_between(-limit, limit) & value.is_finite())
        return pl.when(text == "").then(None).otherwise(value), fine

    # --- the batch ----------------------------------------------------------------------

    def build(self, raw: pl.DataFrame, first: int) -> BatchBuilt:
        """`raw`: the batch as read, every column text; `first`: its first record's number."""
        header = list(raw.columns)
        raw = raw.with_columns(pl.all().fill_null("")).with_row_index(INDEX, offset=first)
        raw = raw.with_columns(pl.col(INDEX).cast(pl.Int64))  # first column, as with_row_index
        if self.mapping.crs:  # x and y, made latitude and longitude below
            x, x_fine = self._coordinate("x", math.inf)
            y, y_fine = self._coordinate("y", math.inf)
            point = [y.alias("lat"), x.alias("lon"), (x_fine & y_fine).alias("_coordinates_fine")]
        else:
            lat, lat_fine = self._coordinate("lat", 90)
            lon, lon_fine = self._coordinate("lon", 180)
            point = [
                lat.alias("lat"),
                lon.alias("lon"),
                (lat_fine & lon_fine).alias("_coordinates_fine"),
            ]
        frame = raw.select(
            pl.col(INDEX),
            self._text("source_id").alias("source_id"),
            *(self._time(name).alias(name) for name in TIMES),
            *(self._text(name).alias(f"_{name}_text") for name in TIMES),
            self._text("priority").alias("_priority_text"),
            self._text("call_type").alias("original_code"),
            self._text("call_type_description").alias("_description"),
            self._text("disposition").alias("original_disposition"),
            self._text("beat").alias("beat_code"),
            *point,
            *(pl.col(c).alias(f"_place_{n}") for n, c in enumerate(self.place_columns)),
        ).with_columns(self._priority().alias("priority"))
        if self.mapping.crs:
            frame = self._projected(frame)
        fine = (
            (pl.col("source_id") != "")
            & (pl.col("source_id").str.len_chars() <= 40)
            & pl.col("received_at").is_not_null()
            & (pl.col("original_code") != "")
            & ((pl.col("_priority_text") == "") | pl.col("priority").is_between(0, PRIORITY_MAX))
            & pl.col("_coordinates_fine")
            & (pl.col("on_scene_at").is_null() | (pl.col("on_scene_at") >= pl.col("received_at")))
        )
        for name in TIMES[1:]:
            fine &= (pl.col(f"_{name}_text") == "") | pl.col(name).is_not_null()
        # A null anywhere above (a cast that failed) must count as "not fine", or the row
        # would fall between the two paths and vanish.
        frame = frame.with_columns(fine.fill_null(False).alias("_fine"))
        good = self._derive(frame.filter(pl.col("_fine")))
        slow = raw.filter(~frame["_fine"])
        return self._keep_first(good, self._row_path(slow, header), raw, header)

    def _projected(self, frame: pl.DataFrame) -> pl.DataFrame:
        """x and y (in the lon and lat columns) as longitude and latitude, as the row path
        makes them; a point pyproj cannot place leaves its row to the row path, which
        rejects it. Missing, or both 0: no point."""
        xs = frame["lon"].to_numpy().astype(float)
        ys = frame["lat"].to_numpy().astype(float)
        given = np.isfinite(xs) & np.isfinite(ys) & ~((xs == 0) & (ys == 0))
        lat, lon = np.full(len(xs), np.nan), np.full(len(xs), np.nan)
        lat[given], lon[given] = lat_lon(self.mapping.crs, xs[given], ys[given])
        placed = pl.Series(~given | np.isfinite(lat))
        return frame.with_columns(
            pl.Series("lat", lat).fill_nan(None),
            pl.Series("lon", lon).fill_nan(None),
            (pl.col("_coordinates_fine") & placed).alias("_coordinates_fine"),
        )

    def _derive(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Call type, disposition, place, beat and cell of the rows the columns found fine."""
        rows = self.rows
        type_ids = _by_value(frame["original_code"], lambda c: rows.type_for(c)[0], pl.Int64)
        looked_up = _by_value(frame["original_code"], lambda c: rows.type_for(c)[1], pl.String)
        disposition = _by_value(
            frame["original_disposition"],
            lambda t: rows.disposition_for(t) if t else "",
            pl.String,
        )
        frame = frame.with_columns(
            type_ids.alias("call_type_id"),
            pl.when(pl.col("_description") != "")
            .then(pl.col("_description"))
            .otherwise(looked_up)
            .alias("original_description"),
            disposition.alias("disposition"),
            # lat 0 and lon 0 is a CAD's "no location", and one without the other is nothing
            pl.when(
                pl.col("lat").is_null()
                | pl.col("lon").is_null()
                | ((pl.col("lat") == 0) & (pl.col("lon") == 0))
            )
            .then(None)
            .otherwise(pl.struct("lat", "lon"))
            .alias("_point"),
        )
        frame = frame.with_columns(
            pl.col("_point").struct.field("lat").alias("lat"),
            pl.col("_point").struct.field("lon").alias("lon"),
        )
        frame = self._with_place(frame)
        frame = frame.with_columns(self._beats(frame).alias("beat_id"))
        cell, resolution = h3.latlng_to_cell, settings.BEATBOOK_H3_RESOLUTION
        cells = [
            cell(a, b, resolution) if a is not None and b is not None else ""
            for a, b in zip(frame["lat"].to_list(), frame["lon"].to_list(), strict=True)
        ]
        frame = frame.with_columns(
            pl.Series("h3_cell", cells, dtype=pl.String),
            (pl.col("on_scene_at") - pl.col("received_at"))
            .dt.total_seconds()
            .alias("response_seconds"),
            pl.col("original_code").str.slice(0, 100),
            pl.col("original_description").str.slice(0, 150),
            pl.col("original_disposition").str.slice(0, 100),
            pl.col("beat_code").str.slice(0, 20),
            pl.col("block_text").str.slice(0, 200),
        )
        return frame.select([pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()])

    def _with_place(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Block text and, when the address table knows the block, its centroid where the
        row has no coordinates: worked out once per distinct place."""
        names = [f"_place_{n}" for n in range(len(self.place_columns))]
        if not names:
            return frame.with_columns(pl.lit("").alias("block_text"))
        places = frame.select(names).unique()
        derived = []
        for values in places.iter_rows():
            block, centroid = self.rows.place(dict(zip(self.place_columns, values, strict=True)))
            derived.append((*values, block, *(centroid or (None, None))))
        table = pl.DataFrame(
            derived,
            schema={
                **dict.fromkeys(names, pl.String),
                "block_text": pl.String,
                "_c_lat": pl.Float64,
                "_c_lon": pl.Float64,
            },
            orient="row",
        )
        frame = frame.join(table, on=names, how="left", maintain_order="left", nulls_equal=True)
        return frame.with_columns(
            pl.when(pl.col("lat").is_null()).then(pl.col("_c_lat")).otherwise("lat").alias("lat"),
            pl.when(pl.col("lat").is_null()).then(pl.col("_c_lon")).otherwise("lon").alias("lon"),
        )

    def _beats(self, frame: pl.DataFrame) -> pl.Series:
        if "beat" in self.columns:
            return _by_value(frame["beat_code"], self.rows.beat_named, pl.Int64)
        points = frame.select(
            pl.col("lat").round(5).alias("lat"), pl.col("lon").round(5).alias("lon")
        )
        beat_at = self.rows.beat_at
        return pl.Series(
            [
                beat_at(a, b) if a is not None and b is not None else None
                for a, b in points.iter_rows()
            ],
            dtype=pl.Int64,
        )

    # --- the rows the columns did not take -----------------------------------------------

    def _row_path(
        self, slow: pl.DataFrame, header: Sequence[str]
    ) -> list[tuple[int, dict[str, Any] | str, dict[str, str]]]:
        """(record number, the record or why not, the row) for each row, in file order."""
        out: list[tuple[int, dict[str, Any] | str, dict[str, str]]] = []
        for values in slow.iter_rows():
            number, row = values[0], dict(zip(header, values[1:], strict=True))
            try:
                out.append((number, self.rows.build(row), row))
            except RowRejected as exc:
                out.append((number, str(exc), row))
        return out

    def _keep_first(
        self,
        good: pl.DataFrame,
        slow: list[tuple[int, dict[str, Any] | str, dict[str, str]]],
        raw: pl.DataFrame,
        header: Sequence[str],
    ) -> BatchBuilt:
        """A source id already kept (earlier in the file) is rejected as a repeat, in file
        order over both paths, as a row-at-a-time import would."""
        ids: list[str] = good["source_id"].to_list()
        if not slow and self.seen.isdisjoint(ids) and len(set(ids)) == len(ids):
            self.seen.update(ids)  # the usual batch: nothing to look at row by row
            return BatchBuilt(records=good, rejects=[])
        numbers: list[int] = good[INDEX].to_list()
        keep_good: list[bool] = []
        kept_slow: list[dict[str, Any]] = []
        rejects: list[tuple[int, str, dict[str, str]]] = []
        seen = self.seen
        g = s = 0
        while g < len(numbers) or s < len(slow):
            if s == len(slow) or (g < len(numbers) and numbers[g] < slow[s][0]):
                source_id = ids[g]
                if source_id in seen:
                    keep_good.append(False)
                    values = raw.row(numbers[g] - raw[INDEX][0])[1:]
                    row = dict(zip(header, values, strict=True))
                    rejects.append((numbers[g], _repeat(source_id), row))
                else:
                    keep_good.append(True)
                    seen.add(source_id)
                g += 1
                continue
            number, result, row = slow[s]
            s += 1
            source_id = (row.get(self.columns["source_id"]) or "").strip()
            if source_id in seen:  # the repeat is named first, whatever else is wrong
                rejects.append((number, _repeat(source_id), row))
            elif isinstance(result, str):
                rejects.append((number, result, row))
            else:
                seen.add(source_id)
                kept_slow.append({INDEX: number, **result})
        records = good.filter(pl.Series(keep_good, dtype=pl.Boolean))
        if kept_slow:
            extra = pl.DataFrame(
                [{name: r.get(name) for name in SCHEMA} for r in kept_slow], schema=SCHEMA
            )
            records = pl.concat([records, extra]).sort(INDEX)
        return BatchBuilt(records=records, rejects=rejects)


def _repeat(source_id: str) -> str:
    return f"incident {source_id} appears twice in this file"
