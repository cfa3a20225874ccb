"""Charts drawn on the server as SVG: no chart library to ship, readable without JavaScript,
and the same numbers as the CSV next to each one."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import h3
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from beatbook.analytics.selectors import Response, Week

INK, BAR, ACCENT, MUTED = "#1d2733", "#2b6cb0", "#c05621", "#8a94a6"
ACCENT_RED = "#c53030"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NO_CALLS = "No calls in this selection."
CHAR_PX = 7  # about how wide a character is at the charts' 12 px


def percent(value: float | None, *, signed: bool = True) -> str:
    """A share or a change as the pages and the report print it: "+12 %", "88 %", "—"."""
    if value is None:
        return "—"
    text = f"{value * 100:+.0f} %" if signed else f"{value * 100:.0f} %"
    return text.replace("-", "−")


def _n(value: float) -> str:
    """Coordinates as text: format_html escapes its arguments, so numbers arrive formatted."""
    return f"{value:.1f}"


def _svg(width: int, height: int, title: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg viewBox="0 0 {} {}" width="100%" style="max-width:{}px" role="img" aria-label="{}" '
        'font-family="system-ui, sans-serif" font-size="12">{}</svg>',
        width,
        height,
        width,
        title,
        body,
    )


def _clip(label: str, column_px: int) -> str:
    """A label cut to fit its column (right-aligned 6 px before the bars), with an ellipsis so
    a cut one does not read as whole (the bar's tooltip and the CSV keep the full text). At
    CHAR_PX a character, so that wide fonts do not push its start past the chart's edge."""
    width = (column_px - 6) // CHAR_PX
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def _nothing(empty: str) -> SafeString:
    """What stands in for a chart with nothing to draw ('' where a table below says it)."""
    return format_html('<p class="muted">{}</p>', empty) if empty else mark_safe("")  # noqa: S308


def bars(
    items: Sequence[tuple[str, float]],
    title: str,
    limit: int = 15,
    empty: str = NO_CALLS,
) -> SafeString:
    shown = list(items)[:limit]
    if not shown:
        return _nothing(empty)
    top = max(v for _, v in shown) or 1
    row, label_w, width = 22, 210, 720
    parts = [
        format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="14" fill="{}"><title>{}: {}</title></rect>'
            '<text x="{}" y="{}" fill="{}">{}</text>',
            label_w - 6,
            i * row + 15,
            INK,
            _clip(label, label_w),
            label_w,
            i * row + 4,
            _n((width - label_w - 60) * value / top),
            BAR,
            label,
            value,
            _n(label_w + (width - label_w - 60) * value / top + 4),
            i * row + 15,
            INK,
            value,
        )
        for i, (label, value) in enumerate(shown)
    ]
    return _svg(width, len(shown) * row + 6, title, mark_safe("".join(parts)))  # noqa: S308


def heatmap(
    grid: Sequence[Sequence[float]], title: str, unit: str = "calls", digits: int = 0
) -> SafeString:
    top = max(max(r) for r in grid) or 1
    cell, left, head = 26, 40, 18
    cells = []
    for d, row in enumerate(grid):
        cells.append(
            format_html(
                '<text x="0" y="{}" fill="{}">{}</text>', head + d * cell + 17, INK, DAYS[d]
            )
        )
        for h, n in enumerate(row):
            # Light to dark blue: the busiest hour of the week is the darkest square.
            shade = 0.08 + 0.92 * n / top
            cells.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}">'
                    "<title>{} {}:00 · {} {}</title></rect>",
                    left + h * cell,
                    head + d * cell,
                    cell - 2,
                    cell - 2,
                    BAR,
                    f"{shade:.2f}",
                    DAYS[d],
                    f"{h:02d}",
                    f"{n:.{digits}f}",
                    unit,
                )
            )
    hours = format_html_join(
        "",
        '<text x="{}" y="12" fill="{}">{}</text>',
        ((left + h * cell + 4, MUTED, f"{h:02d}") for h in range(0, 24, 3)),
    )
    body = mark_safe("".join(cells) + hours)  # noqa: S308
    return _svg(left + 24 * cell, head + 7 * cell, title, body)


def _line_legend(weeks: list[Week], y: int) -> SafeString:
    """The weekly chart's key, drawn with the lines' own strokes, naming only the lines drawn
    (and saying why the year-before lines are missing when they are). The same week a year
    before, and the seasonal baseline: the mean of that week in the earlier years."""
    entries: list[tuple[str, str, str, float, bool]] = [("This period", BAR, "0", 1.0, False)]
    if any(w.previous_year for w in weeks):
        entries.append(("A year before", ACCENT, "2 3", 1.0, False))
    if any(w.baseline for w in weeks):
        entries.append(("Seasonal baseline", MUTED, "6 4", 1.0, False))
    if not all(w.complete for w in weeks):
        entries.append(("Partial week", BAR, "3 3", 0.5, True))
    parts, x = [], 0
    for label, colour, dash, opacity, open_point in entries:
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="{}" stroke-opacity="{}"/>{}'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                x,
                y - 4,
                x + 20,
                y - 4,
                colour,
                dash,
                opacity,
                format_html(
                    '<circle cx="{}" cy="{}" r="4" fill="white" stroke="{}" stroke-width="2"/>',
                    x + 20,
                    y - 4,
                    colour,
                )
                if open_point
                else "",
                x + (32 if open_point else 28),
                y,
                INK,
                label,
            )
        )
        x += (32 if open_point else 28) + CHAR_PX * len(label) + 18
    if not any(w.previous_year or w.baseline for w in weeks):
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}">{}</text>',
                x,
                y,
                MUTED,
                "No calls a year before these weeks to compare.",
            )
        )
    return mark_safe("".join(parts))  # noqa: S308


Run = list[tuple[float, float]]


def _runs(
    values: Sequence[float | None], x: Callable[[int], float], y: Callable[[float], float]
) -> list[Run]:
    """The points of each unbroken run of values, a None breaking the line: a line is
    never drawn across a missing value."""
    runs: list[Run] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((x(i), y(v)))
    return [run for run in runs if run]


def _points(run: Run) -> str:
    return " ".join(f"{px:.1f},{py:.1f}" for px, py in run)


def weekly_lines(weeks: list[Week], title: str) -> SafeString:
    if not weeks:
        return _nothing(NO_CALLS)
    width, height, left, bottom, top = 720, 236, 40, 30, 40
    series_max = (
        max(
            [w.count for w in weeks]
            + [w.previous_year for w in weeks]
            + [w.baseline or 0 for w in weeks]
        )
        or 1
    )
    step = (width - left - 10) / max(len(weeks) - 1, 1)

    def y(v: float) -> float:
        return top + (height - bottom - top) * (1 - v / series_max)

    def line(
        values: list[float | None], colour: str, dash: str, opacity: float = 1.0
    ) -> SafeString:
        # A run of one point (a one-week selection's year before, a whole week between two
        # partial ones) would be an invisible line: it is drawn as a dot.
        runs = _runs(values, lambda i: left + i * step, y)
        return format_html_join(
            "",
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" '
            'stroke-dasharray="{}" stroke-opacity="{}"/>',
            ((_points(run), colour, dash, opacity) for run in runs if len(run) > 1),
        ) + format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3" fill="{}" fill-opacity="{}"/>',
            ((_n(px), _n(py), colour, opacity) for run in runs if len(run) == 1 for px, py in run),
        )

    xs = [left + i * step for i in range(len(weeks))]
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" fill="{}" text-anchor="middle">{}</text>',
        (
            # Centred on its point, the last label would spill over the right edge; pulled in
            # just enough, it still clears its neighbour's.
            (_n(min(x, width - 20)), height - 8, MUTED, w.start.strftime("%d %b"))
            for i, (x, w) in enumerate(zip(xs, weeks, strict=True))
            if i % -(-len(weeks) // 8) == 0  # at most eight labels, never crowded
        ),
    )
    # A week only partly in the selection has fewer days' calls: its point is open and the
    # line to it faint, or the first and last weeks would read as drops in demand.
    partial = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" fill="white" stroke="{}" stroke-width="2">'
        "<title>{}: {} calls, a partial week</title></circle>",
        (
            (_n(x), _n(y(w.count)), BAR, w.start.strftime("%d %b"), w.count)
            for x, w in zip(xs, weeks, strict=True)
            if not w.complete
        ),
    )
    whole = [float(w.count) if w.complete else None for w in weeks]
    body = mark_safe(  # noqa: S308
        _line_legend(weeks, 12)
        + _axis(left, height - bottom, width, top + 4, str(series_max))
        + line([w.baseline for w in weeks], MUTED, "6 4")
        + line([float(w.previous_year) if w.previous_year else None for w in weeks], ACCENT, "2 3")
        + line([float(w.count) for w in weeks], BAR, "3 3", opacity=0.5)
        + line(whole, BAR, "0")
        + partial
        + labels
    )
    return _svg(width, height, title, body)


def response_bars(rows: list[Response], title: str, limit: int = 12) -> SafeString:
    shown = [r for r in rows if r.p90 is not None][:limit]
    if not shown:
        return format_html('<p class="muted">{}</p>', "No timed calls in this selection.")
    # The scale follows the bars: a target far beyond them (a day for an abandoned vehicle
    # against minutes for noise) would squash every bar into a sliver, so such a target is
    # drawn at the right edge instead.
    longest = max(r.p90 or 0 for r in shown)
    near = [t for r in shown if (t := r.target_minutes) and t <= 2 * longest]
    top = max([longest, *near]) or 1
    row, label_w, width = 26, 210, 720
    scale = (width - label_w - 90) / top
    parts = []
    for i, r in enumerate(shown):
        y0 = i * row
        figures = f"{r.p50 or 0:.0f} / {r.p90 or 0:.0f} min"
        bar_end = label_w + (r.p90 or 0) * scale
        target = r.target_minutes or 0
        on_scale = 0 < target <= top
        tick = label_w + target * scale
        # The figures follow the bar, or the target's tick where it would cross them.
        text_x = bar_end + 4
        if on_scale and text_x - 3 <= tick <= text_x + CHAR_PX * len(figures):
            text_x = tick + 5
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="6" fill="{}" fill-opacity="0.45">'
                "<title>{}: p90 {} min</title></rect>"
                '<rect x="{}" y="{}" width="{}" height="12" fill="{}">'
                "<title>{}: p50 {} min</title></rect>"
                '<text x="{}" y="{}" fill="{}">{}</text>',
                label_w - 6,
                y0 + 15,
                INK,
                _clip(r.label, label_w),
                label_w,
                y0 + 7,
                _n((r.p90 or 0) * scale),
                BAR,
                r.label,
                _n(r.p90 or 0),
                label_w,
                y0 + 4,
                _n((r.p50 or 0) * scale),
                BAR,
                r.label,
                _n(r.p50 or 0),
                _n(text_x),
                y0 + 15,
                INK,
                figures,
            )
        )
        if target:
            beyond = not on_scale
            x = width - 2 if beyond else tick
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2"{}>'
                    "<title>target {} min{}</title></line>",
                    _n(x),
                    y0 + 1,
                    _n(x),
                    y0 + 19,
                    ACCENT,
                    mark_safe(' stroke-dasharray="3 2"') if beyond else "",  # noqa: S308
                    r.target_minutes,
                    ", beyond this scale" if beyond else "",
                )
            )
    return _svg(width, len(shown) * row + 6, title, mark_safe("".join(parts)))  # noqa: S308


Series = Sequence[tuple[str, str]]  # (name, colour) of each stacked part


def _axis(left: int, baseline: int, width: int, label_y: int, label: str) -> SafeString:
    """The baseline of a chart and, top left, the value its top stands for."""
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/><text x="0" y="{}" fill="{}">{}</text>',
        left,
        baseline,
        width,
        baseline,
        MUTED,
        label_y,
        MUTED,
        label,
    )


def _axis_label_place(x: float, label: str, width: int) -> tuple[str, str]:
    """Where an x-axis label goes: centred under its point, unless that would run past the
    chart's right edge ("Dec 2026" under the last month), where it ends at the edge."""
    if x + CHAR_PX * len(label) / 2 > width:
        return _n(width - 2), "end"
    return _n(x), "middle"


def _legend(series: Series, y: int) -> SafeString:
    # Each entry as wide as its label, so long names ("dispatched → on scene") do not run
    # into the next one.
    starts, x = [], 0
    for name, _ in series:
        starts.append(x)
        x += 14 + CHAR_PX * len(name) + 16
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
        '<text x="{}" y="{}" fill="{}">{}</text>',
        (
            (start, y, colour, start + 14, y + 9, INK, name)
            for start, (name, colour) in zip(starts, series, strict=True)
        ),
    )


def stacked_bars(
    rows: Sequence[tuple[str, Sequence[float]]], series: Series, title: str, unit: str = ""
) -> SafeString:
    """One horizontal bar per row, its parts side by side in the series' colours."""
    if not rows:
        return format_html('<p class="muted">{}</p>', "Nothing in this selection.")
    top = max(sum(values) for _, values in rows) or 1
    row, label_w, width, head = 22, 180, 720, 20
    scale = (width - label_w - 70) / top
    parts = [_legend(series, 0)]
    for i, (label, values) in enumerate(rows):
        y0 = head + i * row
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                label_w - 6,
                y0 + 15,
                INK,
                _clip(label, label_w),
            )
        )
        x = float(label_w)
        for (name, colour), value in zip(series, values, strict=True):
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="14" fill="{}">'
                    "<title>{}: {} {} {}</title></rect>",
                    _n(x),
                    y0 + 4,
                    _n(value * scale),
                    colour,
                    label,
                    name,
                    f"{value:.1f}",
                    unit,
                )
            )
            x += value * scale
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}">{}</text>',
                _n(x + 4),
                y0 + 15,
                INK,
                f"{sum(values):.0f} {unit}".strip(),
            )
        )
    return _svg(width, head + len(rows) * row + 6, title, mark_safe("".join(parts)))  # noqa: S308


def columns(
    items: Sequence[tuple[str, Sequence[float]]],
    series: Series,
    title: str,
    marker: int | None = None,
    marker_label: str = "",
    empty: str = NO_CALLS,
) -> SafeString:
    """Stacked columns over time; `marker` draws a line before that column (an intervention)."""
    if not items or not any(sum(v) for _, v in items):
        return _nothing(empty)
    width, height, left, bottom, head = 720, 240, 40, 30, 20
    top = max(sum(v) for _, v in items) or 1
    step = (width - left - 10) / len(items)
    plot = height - bottom - head

    parts = [
        _legend(series, 0),
        _axis(left, height - bottom, width, head + 10, f"{top:.0f}"),
    ]
    for i, (label, values) in enumerate(items):
        x, y = left + i * step, float(height - bottom)
        for (name, colour), value in zip(series, values, strict=True):
            h = plot * value / top
            y -= h
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} · {}: {}</title></rect>",
                    _n(x + 1),
                    _n(y),
                    _n(max(step - 2, 1)),
                    _n(h),
                    colour,
                    label,
                    name,
                    f"{value:.0f}",
                )
            )
        if i % max(1, len(items) // 8) == 0:
            place, anchor = _axis_label_place(x + step / 2, label, width)
            parts.append(
                format_html(
                    '<text x="{}" y="{}" fill="{}" text-anchor="{}">{}</text>',
                    place,
                    height - 8,
                    MUTED,
                    anchor,
                    label,
                )
            )
    if marker is not None:
        mx = left + marker * step
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="5 3"/><text x="{}" y="{}" fill="{}" text-anchor="end" '
                # A white halo: the label stays legible where it crosses a tall column.
                'stroke="#fff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">{}'
                "</text>",
                _n(mx),
                head,
                _n(mx),
                height - bottom,
                ACCENT,
                _n(mx - 4),
                head + 12,
                ACCENT,
                marker_label,
            )
        )
    return _svg(width, height, title, mark_safe("".join(parts)))  # noqa: S308


def lines(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    title: str,
    unit: str = "",
) -> SafeString:
    """Several named lines over the same labels (months, weeks), each value a point (its
    value in the tooltip), the line broken where a value is None: a selection of one month
    is a row of points, and a month with no calls of a priority is not bridged."""
    values = [v for _, _, vs in series for v in vs if v is not None]
    if not labels or not values:
        return format_html('<p class="muted">{}</p>', "Nothing in this selection.")
    width, height, left, bottom, head = 720, 220, 48, 30, 20
    top = max(values) or 1
    step = (width - left - 10) / max(len(labels) - 1, 1)

    def y(v: float) -> float:
        return head + (height - bottom - head) * (1 - v / top)

    parts = [
        _legend([(name, colour) for name, colour, _ in series], 0),
        _axis(left, height - bottom, width, head + 10, f"{top:.0f} {unit}".strip()),
    ]
    for name, colour, vs in series:
        parts += [
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2">'
                "<title>{}</title></polyline>",
                _points(run),
                colour,
                name,
            )
            for run in _runs(vs, lambda i: left + i * step, y)
            if len(run) > 1
        ]
        parts.append(
            format_html_join(
                "",
                '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}, {}: {}</title></circle>',
                (
                    (
                        _n(left + i * step),
                        _n(y(v)),
                        colour,
                        name,
                        labels[i],
                        f"{v:.0f} {unit}".strip(),
                    )
                    for i, v in enumerate(vs)
                    if v is not None
                ),
            )
        )
    parts.append(
        format_html_join(
            "",
            '<text x="{}" y="{}" fill="{}" text-anchor="{}">{}</text>',
            (
                (x, height - 8, MUTED, anchor, label)
                for i, label in enumerate(labels)
                if i % max(1, len(labels) // 8) == 0
                for x, anchor in [_axis_label_place(left + i * step, label, width)]
            ),
        )
    )
    return _svg(width, height, title, mark_safe("".join(parts)))  # noqa: S308


# Hot and cold cells by confidence, on the dashboard's map and the report's.
HOT = {99: "#9b1c1c", 95: "#d9482b", 90: "#f08a4b"}
COLD = {99: "#1f4e79", 95: "#3b7dbf", 90: "#7fb2e5"}
MAP_WIDTH, MAP_MAX_HEIGHT = 640, 560


class Outline(NamedTuple):
    name: str
    geometry: dict[str, Any]  # GeoJSON Polygon or MultiPolygon (lon, lat)
    centre: tuple[float, float]  # (lat, lon) of its label


class MapCell(NamedTuple):
    cell: str  # H3
    hot: bool
    confidence: int  # 99, 95 or 90


def hot_spot_map(outlines: Sequence[Outline], cells: Sequence[MapCell], title: str) -> SafeString:
    """The beats' outlines with the significant hot- and cold-spot cells filled in, for print:
    the dashboard's Leaflet map cannot go into a PDF. Plate carrée scaled by the cosine of
    the middle latitude, which at a city's size is true to within a fraction of a pixel."""
    beat_rings = [_rings(o.geometry) for o in outlines]
    cell_rings = [[(lon, lat) for lat, lon in h3.cell_to_boundary(c.cell)] for c in cells]
    rings = [ring for rs in beat_rings for ring in rs] + cell_rings
    if not rings:
        return _nothing("No beats or hot spots to draw.")
    lons = [lon for ring in rings for lon, _ in ring]
    lats = [lat for ring in rings for _, lat in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    stretch = math.cos(math.radians((north + south) / 2))
    scale = min(
        (MAP_WIDTH - 8) / max((east - west) * stretch, 1e-9),
        (MAP_MAX_HEIGHT - 8) / max(north - south, 1e-9),
    )
    height = math.ceil((north - south) * scale) + 8
    legend_y = height + 8

    def xy(lon: float, lat: float) -> tuple[str, str]:
        return _n(4 + (lon - west) * stretch * scale), _n(4 + (north - lat) * scale)

    def path(ring: Sequence[tuple[float, float]]) -> str:
        return "M" + " L".join(",".join(xy(lon, lat)) for lon, lat in ring) + " Z"

    beats = format_html_join(
        "",
        '<path d="{}" fill="#eef1f5" fill-rule="evenodd" stroke="#5b6b80" stroke-width="0.8">'
        "<title>beat {}</title></path>",
        (
            (" ".join(path(r) for r in rs), o.name)
            for o, rs in zip(outlines, beat_rings, strict=True)
        ),
    )
    spots = format_html_join(
        "",
        '<path d="{}" fill="{}" stroke="#ffffff" stroke-width="0.3">'
        "<title>{} spot, {} %</title></path>",
        (
            (
                path(ring),
                (HOT if c.hot else COLD)[c.confidence],
                "hot" if c.hot else "cold",
                c.confidence,
            )
            for c, ring in zip(cells, cell_rings, strict=True)
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" fill="{}" font-size="9" text-anchor="middle">{}</text>',
        ((*xy(o.centre[1], o.centre[0]), MUTED, o.name) for o in outlines),
    )
    legend = _legend(
        [(f"Hot {level} %", HOT[level]) for level in (99, 95, 90)]
        + [(f"Cold {level} %", COLD[level]) for level in (99, 95, 90)],
        legend_y,
    )
    return _svg(MAP_WIDTH, legend_y + 14, title, beats + spots + labels + legend)


def _rings(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The outer and inner rings of a GeoJSON Polygon or MultiPolygon, as (lon, lat)."""
    polygons = (
        geometry["coordinates"]
        if geometry.get("type") == "MultiPolygon"
        else [geometry.get("coordinates", [])]
    )
    return [[(float(x), float(y)) for x, y, *_ in ring] for polygon in polygons for ring in polygon]
