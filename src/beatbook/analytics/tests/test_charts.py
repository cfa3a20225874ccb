"""The SVG charts' labels and empty states (their figures are tested with the pages)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from beatbook.analytics import charts
from beatbook.analytics.selectors import Response, Week

LONG = "Provider could not reach the resident"


def test_a_long_label_is_cut_with_an_ellipsis_and_kept_whole_in_the_tooltip() -> None:
    svg = str(charts.bars([(LONG, 3), ("Served", 1)], "Referrals by status"))
    # 29 characters of 7 px fit the 204 px before the bars.
    assert ">Provider could not reach the…</text>" in svg
    assert f"<title>{LONG}: 3</title>" in svg
    assert ">Served</text>" in svg  # short labels stay as they are


def test_an_empty_chart_says_so_unless_a_table_beside_it_does() -> None:
    assert "No calls in this selection." in str(charts.bars([], "Calls by type"))
    assert str(charts.bars([], "Referrals by need", empty="")) == ""
    assert "No escalations this month." in str(
        charts.bars([], "Escalations", empty="No escalations this month.")
    )
    assert str(charts.columns([], (("Calls", charts.BAR),), "Weekly", empty="")) == ""


def test_weeks_only_partly_in_the_selection_are_drawn_as_open_points() -> None:
    monday = dt.date(2026, 10, 26)
    weeks = [
        Week(monday + dt.timedelta(weeks=i), count, 0 < i < 5, 0, None)
        for i, count in enumerate((400, 2800, 2880, 2850, 2870, 410))
    ]
    svg = str(charts.weekly_lines(weeks, "Calls per week"))
    assert svg.count("a partial week</title></circle>") == 2
    assert "<title>26 Oct: 400 calls, a partial week</title>" in svg
    assert "<title>30 Nov: 410 calls, a partial week</title>" in svg
    # The solid line joins the four whole weeks only.
    lines = re.findall(r'<polyline points="([^"]*)"[^>]*stroke-dasharray="0"', svg)
    assert len(lines) == 1
    assert lines[0].count(",") == 4
    # The last label is kept inside the right edge and clear of the one before it
    # (six weeks, 134 px apart; a label is about 36 px wide).
    assert '<text x="700.0" y="228" fill="#8a94a6" text-anchor="middle">30 Nov</text>' in svg


def test_a_week_alone_is_drawn_as_dots_not_as_invisible_one_point_lines() -> None:
    """One whole week (a Monday-to-Sunday selection): this week, the year before and the
    baseline are one value each; each is a dot in its line's colour."""
    week = [Week(dt.date(2026, 11, 23), 300, True, 280, 290.0)]
    svg = str(charts.weekly_lines(week, "Calls per week"))
    dots = re.findall(r'<circle cx="([\d.]+)" cy="[\d.]+" r="3" fill="([^"]+)"', svg)
    assert {colour for _, colour in dots} == {charts.BAR, charts.ACCENT, charts.MUTED}
    assert "<polyline" not in svg
    # A whole week between two partial ones: its dot, and the faint line through all three.
    monday = dt.date(2026, 11, 16)
    three = [
        Week(monday + dt.timedelta(weeks=i), n, i == 1, 0, None)
        for i, n in enumerate((90, 300, 120))
    ]
    svg = str(charts.weekly_lines(three, "Calls per week"))
    assert len(re.findall(r'r="3" fill="#2b6cb0" fill-opacity="1.0"', svg)) == 1
    assert len(re.findall(r'<polyline points="[^"]*"[^>]*stroke-dasharray="3 3"', svg)) == 1


def test_the_weekly_key_names_the_lines_drawn_and_says_why_the_year_before_is_missing() -> None:
    monday = dt.date(2026, 10, 26)
    fresh = [Week(monday + dt.timedelta(weeks=i), 300, i > 0, 0, None) for i in range(4)]
    svg = str(charts.weekly_lines(fresh, "Calls per week"))
    keys = re.findall(r'<text x="[\d.]+" y="12" fill="[^"]+">([^<]+)</text>', svg)
    assert keys == ["This period", "Partial week", "No calls a year before these weeks to compare."]
    older = [Week(monday + dt.timedelta(weeks=i), 300, True, 280, 290.0) for i in range(4)]
    svg = str(charts.weekly_lines(older, "Calls per week"))
    keys = re.findall(r'<text x="[\d.]+" y="12" fill="[^"]+">([^<]+)</text>', svg)
    assert keys == ["This period", "A year before", "Seasonal baseline"]
    # Each key's sample is drawn with its line's stroke: the year before dotted in orange.
    assert (
        f'stroke="{charts.ACCENT}" stroke-width="2" stroke-dasharray="2 3"'
        in svg.split("A year before")[0].rsplit("<line", 1)[1]
    )


def test_a_target_far_beyond_the_bars_is_drawn_at_the_edge_not_squashing_them() -> None:
    rows = [
        Response("Noise complaint", 40, 5.0, 38.0, 30, 0.7),
        Response("Abandoned vehicle", 10, 36.0, 60.0, 4320, 1.0),  # three days
    ]
    svg = str(charts.response_bars(rows, "Response"))
    p90_bar = r'width="([\d.]+)" height="6"[^>]*><title>([^:]+)'
    widths = {label: float(width) for width, label in re.findall(p90_bar, svg)}
    assert widths["Abandoned vehicle"] > 400  # the longest p90 spans the plot (720 - 210 - 90)
    assert "<title>target 4320 min, beyond this scale</title>" in svg
    assert "<title>target 30 min</title>" in svg  # a target within reach stays on the scale


def test_a_target_tick_does_not_cross_the_figures_beside_its_bar() -> None:
    rows = [
        Response("Parking complaint", 40, 37.0, 66.0, 60, 0.8),  # target inside the p90 bar
        Response("Noise complaint", 40, 24.0, 40.0, 45, 0.7),  # just past it, under the text
    ]
    svg = str(charts.response_bars(rows, "Response"))
    scale = (720 - 210 - 90) / 66.0
    figure = r'<text x="([\d.]+)" y="\d+" fill="#1d2733">([^<]+ min)</text>'
    figures = {text: float(x) for x, text in re.findall(figure, svg)}
    ticks = [float(x) for x in re.findall(r'<line x1="([\d.]+)"', svg)]
    assert figures["37 / 66 min"] == pytest.approx(210 + 66 * scale + 4, abs=0.1)
    assert ticks[1] == pytest.approx(210 + 45 * scale, abs=0.1)
    assert figures["24 / 40 min"] == pytest.approx(ticks[1] + 5, abs=0.1)


def test_the_last_month_label_ends_at_the_right_edge_instead_of_running_off_it() -> None:
    months = ["Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026"]
    svg = str(charts.lines(months, [("Priority 1", "#9b1c1c", [5.0, 6.0, 5.5, 7.0])], "p90"))
    labels = re.findall(
        r'<text x="([\d.]+)" y="212" fill="#8a94a6" text-anchor="(\w+)">([^<]+)', svg
    )
    assert labels[0] == ("48.0", "middle", "Sep 2026")
    assert labels[-1] == ("718.0", "end", "Dec 2026")


def test_a_single_month_is_drawn_as_points_and_a_missing_month_breaks_the_line() -> None:
    one = str(charts.lines(["Dec 2026"], [("Priority 1", "#9b1c1c", [53.0])], "p90", "min"))
    assert "<polyline" not in one  # a one-point line draws nothing
    assert re.findall(r'<circle cx="48.0" cy="([\d.]+)" r="3" fill="#9b1c1c">', one) == [
        "20.0"
    ]  # the top
    assert "<title>Priority 1, Dec 2026: 53 min</title>" in one
    months = ["Sep 2026", "Oct 2026", "Nov 2026", "Dec 2026", "Jan 2027"]
    gap = str(charts.lines(months, [("Priority 2", "#c05621", [4.0, 5.0, None, 6.0, 8.0])], "p90"))
    runs = re.findall(r'<polyline points="([^"]*)"', gap)
    assert [run.count(",") for run in runs] == [2, 2]  # Sep–Oct and Dec–Jan, not across Nov
    assert gap.count("<circle") == 4


def test_the_intervention_date_stays_legible_over_a_column_as_tall_as_the_chart() -> None:
    weeks = [(f"{w:+d}", (10.0,)) for w in range(-2, 2)]  # every column reaches the top
    svg = str(
        charts.columns(
            weeks, (("Calls", charts.BAR),), "Weekly", marker=2, marker_label="2026-03-01"
        )
    )
    label = re.search(r"<text[^>]*>2026-03-01</text>", svg)
    assert label is not None
    # Drawn with a white halo under its letters, over the column it crosses.
    assert 'stroke="#fff"' in label.group(0)
    assert 'paint-order="stroke"' in label.group(0)
    assert svg.index("2026-03-01") > svg.rindex("<rect")


def test_the_last_column_label_ends_at_the_right_edge_not_past_it() -> None:
    """Two years of weeks: '31 Aug 26' under the last column was cut to '31 Aug 2'."""
    weeks = [(f"{w:02d} Aug 26", (5.0,)) for w in range(105)]
    svg = str(charts.columns(weeks, (("Calls", charts.BAR),), "Calls per week"))
    labels = re.findall(
        r'<text x="([\d.]+)" y="\d+" fill="[^"]+" text-anchor="(\w+)">([^<]+)</text>', svg
    )
    assert labels[-1] == ("718.0", "end", "104 Aug 26")
    assert all(anchor == "middle" for _, anchor, _ in labels[:-1])


def _square(west: float, south: float, side: float) -> dict[str, object]:
    ring = [
        [west, south],
        [west + side, south],
        [west + side, south + side],
        [west, south + side],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_hot_spot_map_draws_the_beats_true_to_shape_and_fills_the_cells() -> None:
    """Two beats side by side, 0.01° square each at 47.6° N (a degree of longitude there is
    0.674 of a degree of latitude), one hot cell at 99 % and one cold at 90 %."""
    import h3

    outlines = [
        charts.Outline("A1", _square(-122.34, 47.60, 0.01), (47.605, -122.335)),
        charts.Outline("A2", _square(-122.33, 47.60, 0.01), (47.605, -122.325)),
    ]
    cells = [
        charts.MapCell(h3.latlng_to_cell(47.605, -122.335, 9), True, 99),
        charts.MapCell(h3.latlng_to_cell(47.605, -122.325, 9), False, 90),
    ]
    svg = str(charts.hot_spot_map(outlines, cells, "Hot spots"))
    assert svg.count("<title>beat ") == 2
    assert f'fill="{charts.HOT[99]}"' in svg
    assert f'fill="{charts.COLD[90]}"' in svg
    assert "<title>hot spot, 99 %</title>" in svg
    assert "<title>cold spot, 90 %</title>" in svg
    assert ">A1</text>" in svg
    assert ">Cold 90 %</text>" in svg
    xs, ys = zip(
        *(
            (float(x), float(y))
            for d in re.findall(r'<path d="([^"]+)" fill="#eef1f5"', svg)
            for x, y in re.findall(r"(-?[\d.]+),(-?[\d.]+)", d)
        ),
        strict=True,
    )
    # 0.02° wide and 0.01° high: the width fills the 640 px (less 4 each side), the height
    # is 1 / (2 × 0.674) of it.
    assert (min(xs), min(ys)) == (4.0, 4.0)
    assert max(xs) == pytest.approx(charts.MAP_WIDTH - 4, abs=0.2)
    assert (max(xs) - 4) / (max(ys) - 4) == pytest.approx(2 * 0.6743, abs=0.005)


def test_the_hot_spot_map_with_nothing_to_draw_says_so() -> None:
    assert "No beats or hot spots to draw." in str(charts.hot_spot_map([], [], "Hot spots"))
