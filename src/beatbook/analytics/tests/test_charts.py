"""The SVG charts' labels and empty states (their figures are tested with the pages)."""

from __future__ import annotations

from beatbook.analytics import charts

LONG = "Provider could not reach the resident"


def test_a_long_label_is_cut_with_an_ellipsis_and_kept_whole_in_the_tooltip() -> None:
    svg = str(charts.bars([(LONG, 3), ("Served", 1)], "Referrals by status"))
    assert ">Provider could not reach the re…</text>" in svg
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
    import datetime as dt

    from beatbook.analytics.selectors import Week

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
    solid = svg.split('stroke-dasharray="0"')[0].rsplit("<polyline points=", 1)[1]
    assert solid.count(",") == 4
    assert 'text-anchor="end">30 Nov</text>' in svg  # kept inside the right edge
