"""The monthly program report: one month's figures from every dashboard, with the charts,
as a PDF for the chief, the council and the program's funders."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from beatbook.analytics import charts
from beatbook.analytics.casework import mediation_outcomes, provider_answer_days, referrals_in
from beatbook.analytics.diversion import cost_texts, diversion
from beatbook.analytics.hotspots import hot_spots, repeat_locations
from beatbook.analytics.potential import potential, potential_figures
from beatbook.analytics.scope import Scope, records
from beatbook.analytics.selectors import (
    change,
    first_day_on_record,
    groups_by,
    responses,
    share_within_target,
    volume,
    volume_by_beat,
    weekly,
)
from beatbook.analytics.workload import teams, workload
from beatbook.places.selectors import beat_list
from beatbook.resources.selectors import referral_outcomes


def month_scope(year: int, month: int) -> Scope:
    last = calendar.monthrange(year, month)[1]
    return Scope(dt.date(year, month, 1), dt.date(year, month, last))


def _previous(scope: Scope, *, years: int = 0) -> Scope:
    if years:
        return month_scope(scope.start.year - years, scope.start.month)
    before = scope.start - dt.timedelta(days=1)
    return month_scope(before.year, before.month)


def monthly_report(year: int, month: int) -> dict[str, Any]:
    scope = month_scope(year, month)
    total = records(scope).count()
    covered_from = first_day_on_record()

    def on_record(earlier: Scope) -> int | None:
        """Calls in an earlier month, or None where the record starts after its first day
        (part of a month is not a quieter month)."""
        if covered_from is None or covered_from > earlier.start:
            return None
        return records(earlier).count()

    last_month = on_record(_previous(scope))
    last_year = on_record(_previous(scope, years=1))
    types = groups_by(scope, "call_type")  # one pass for the volume and the response
    response = responses(types, "call_type")
    by_type = volume(types, "call_type")
    diverted = diversion(scope)
    people = workload(scope)
    referred = referrals_in(scope)
    casework = referral_outcomes(referrals=referred)
    spots = [c for c in hot_spots(scope) if c.confidence]
    return {
        "scope": scope,
        "month_name": scope.start.strftime("%B %Y"),
        "total": total,
        "month_change": change(total, last_month),
        "year_change": change(total, last_year),
        "last_month": last_month,
        "last_year": last_year,
        "met_share": share_within_target(response),
        "response": response[:12],
        "diversion": diverted,
        **cost_texts(diverted),
        **potential_figures(potential(scope)),
        "teams": teams(people),
        "repeats": repeat_locations(scope),
        "hot_cells": sum(c.hot for c in spots),
        "cold_cells": sum(not c.hot for c in spots),
        "map_hot_spots": charts.hot_spot_map(
            [
                charts.Outline(b.name, b.geometry, (b.centroid_lat, b.centroid_lon))
                for b in beat_list().only("name", "geometry", "centroid_lat", "centroid_lon")
            ],
            [charts.MapCell(c.cell, c.hot, c.confidence) for c in spots],
            "Hot and cold spots of the month over the beats",
        ),
        "by_type": by_type[:12],
        "referrals": casework,
        "answer_days": provider_answer_days(referred),
        "mediation": mediation_outcomes(scope),
        "chart_needs": charts.bars(
            [(row["need__name"], row["total"]) for row in casework["by_need"]],
            "Referrals by need",
            limit=8,
            empty="No referrals this month.",
        ),
        "chart_weeks": charts.weekly_lines(weekly(scope), "Calls per week"),
        "chart_types": charts.bars(by_type, "Calls by type", limit=12),
        "chart_beats": charts.bars(volume_by_beat(scope), "Calls by beat", limit=12),
        "chart_response": charts.response_bars(response, "Received to on scene, by type"),
        "chart_diversion": charts.columns(
            [(w.start.strftime("%d %b"), (w.handled, w.escalated)) for w in diverted.weeks],
            (("Handled by CSOs", charts.BAR), ("Escalated to sworn", charts.ACCENT_RED)),
            "Calls per week by outcome",
        ),
        "chart_reasons": charts.bars(
            [(e.reason, e.calls) for e in diverted.escalations],
            "Escalations by reason",
            limit=8,
            empty="No escalations this month.",
        ),
    }
