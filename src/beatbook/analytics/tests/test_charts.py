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
