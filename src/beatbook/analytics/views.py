from __future__ import annotations

from typing import Any

import h3
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views import View

from beatbook.analytics import charts
from beatbook.analytics.hotspots import hot_spots, repeat_locations
from beatbook.analytics.opendata import FIELDS, open_data_rows
from beatbook.analytics.scope import Scope, ScopeForm, records
from beatbook.analytics.selectors import (
    change,
    hour_of_week,
    response_by,
    volume_by_beat,
    volume_by_type,
    weekly,
)
from beatbook.core.csv_export import csv_response
from beatbook.core.permissions import RoleRequiredMixin
from beatbook.core.roles import Role

VIEWERS = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})


def percent(value: float | None, *, signed: bool = True) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:+.0f} %" if signed else f"{value * 100:.0f} %"
    return text.replace("-", "−")


def _figures(scope: Scope) -> dict[str, Any]:
    by_type = volume_by_type(scope)
    weeks = weekly(scope)
    full = [w for w in weeks if w.complete]  # a partial week would compare unfairly
    last = full[-1] if full else None
    before = full[-2] if len(full) > 1 else None
    response = response_by(scope, "call_type")
    timed = [r for r in response if r.met_share is not None]
    met = sum(r.met_share * r.calls for r in timed if r.met_share is not None)
    result: dict[str, Any] = {
        "total": records(scope).count(),
        "by_type": by_type,
        "by_beat": volume_by_beat(scope),
        "weeks": weeks,
        "last_week": last,
        "week_change": change(last.count, before.count) if last and before else None,
        "year_change": change(last.count, last.previous_year) if last else None,
        "response": response,
        "response_beats": response_by(scope, "beat"),
        "met_share": met / sum(r.calls for r in timed) if timed else None,
        "grid": hour_of_week(scope),
        "repeats": repeat_locations(scope),
        "repeat_minimum": settings.BEATBOOK_REPEAT_LOCATION_CALLS,
        "open_data_delay": settings.BEATBOOK_OPEN_DATA_DELAY_DAYS,
    }
    result["week_change_text"] = percent(result["week_change"])
    result["year_change_text"] = percent(result["year_change"])
    result["met_share_text"] = percent(result["met_share"], signed=False)
    return result


class DashboardView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ScopeForm(request.GET)
        if not form.is_valid():
            return render(request, "analytics/dashboard.html", {"form": form}, status=400)
        scope = form.scope()
        # Show the dates in effect (the defaults too), so the next change starts from them.
        shown = request.GET.copy()
        shown["start"], shown["end"] = scope.start.isoformat(), scope.end.isoformat()
        form.data = shown
        figures = _figures(scope)
        context = {
            "form": form,
            "scope": scope,
            "query": request.GET.urlencode(),
            **figures,
            "chart_types": charts.bars(figures["by_type"], "Calls by type"),
            "chart_beats": charts.bars(figures["by_beat"], "Calls by beat"),
            "chart_heat": charts.heatmap(figures["grid"], "Calls by hour of the week"),
            "chart_weeks": charts.weekly_lines(figures["weeks"], "Calls per week"),
            "chart_response": charts.response_bars(
                figures["response"], "Received to on scene, by type"
            ),
        }
        template = "analytics/_figures.html" if request.htmx else "analytics/dashboard.html"  # type: ignore[attr-defined]
        return render(request, template, context)


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


HOT = {99: "#9b1c1c", 95: "#d9482b", 90: "#f08a4b"}
COLD = {99: "#1f4e79", 95: "#3b7dbf", 90: "#7fb2e5"}


class HotspotMapView(RoleRequiredMixin, View):
    """The H3 cells of the selection as GeoJSON, coloured by their Gi* significance."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ScopeForm(request.GET)
        if not form.is_valid():
            return JsonResponse(
                {"code": "invalid", "detail": form.errors.get_json_data()}, status=400
            )
        features = []
        for cell in hot_spots(form.scope()):
            if not cell.calls and not cell.confidence:
                continue
            ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell.cell)]
            colour = (HOT if cell.hot else COLD).get(cell.confidence, "#c9d1db")
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                    "properties": {
                        "cell": cell.cell,
                        "calls": cell.calls,
                        "z": round(cell.z, 3),
                        "confidence": cell.confidence,
                        "hot": cell.hot,
                        "colour": colour,
                    },
                }
            )
        return JsonResponse({"type": "FeatureCollection", "features": features})


class OpenDataView(RoleRequiredMixin, View):
    """The redacted release for the city's open-data portal, as CSV or GeoJSON."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest, extension: str) -> HttpResponseBase:
        form = ScopeForm(request.GET)
        if not form.is_valid():
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
        scope = form.scope()
        rows = open_data_rows(scope)
        if extension == "csv":
            return csv_response(
                f"calls-open-data-{scope.start}-{scope.end}.csv",
                list(FIELDS),
                (
                    [getattr(r, f) if getattr(r, f) is not None else "" for f in FIELDS]
                    for r in rows
                ),
            )
        if extension == "geojson":
            features = [
                {
                    "type": "Feature",
                    "geometry": None
                    if r.lat is None
                    else {"type": "Point", "coordinates": [r.lon, r.lat]},
                    "properties": {f: getattr(r, f) for f in FIELDS if f not in ("lat", "lon")},
                }
                for r in rows
            ]
            response = JsonResponse({"type": "FeatureCollection", "features": features})
            response["Content-Disposition"] = (
                f'attachment; filename="calls-open-data-{scope.start}-{scope.end}.geojson"'
            )
            return response
        raise Http404


class ExportView(RoleRequiredMixin, View):
    """Each chart's numbers as CSV, for the same selection."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest, figure: str) -> HttpResponseBase:
        form = ScopeForm(request.GET)
        if not form.is_valid():
            return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
        scope = form.scope()
        name = f"{figure}-{scope.start}-{scope.end}.csv"
        if figure in ("volume-by-type", "volume-by-beat"):
            rows = volume_by_type(scope) if figure == "volume-by-type" else volume_by_beat(scope)
            return csv_response(name, [figure.split("-")[-1], "calls"], rows)
        if figure == "hour-of-week":
            grid = hour_of_week(scope)
            return csv_response(
                name,
                ["day", *[f"{h:02d}" for h in range(24)]],
                ([charts.DAYS[d], *grid[d]] for d in range(7)),
            )
        if figure == "weekly":
            return csv_response(
                name,
                ["week_starting", "calls", "same_week_last_year", "seasonal_baseline"],
                (
                    [
                        w.start,
                        w.count,
                        w.previous_year,
                        "" if w.baseline is None else round(w.baseline, 1),
                    ]
                    for w in weekly(scope)
                ),
            )
        if figure in ("response-by-type", "response-by-beat"):
            by = "call_type" if figure == "response-by-type" else "beat"
            return csv_response(
                name,
                [by, "timed_calls", "p50_minutes", "p90_minutes", "target_minutes", "share_met"],
                (
                    [
                        r.label,
                        r.calls,
                        _minutes(r.p50),
                        _minutes(r.p90),
                        r.target_minutes or "",
                        "" if r.met_share is None else f"{r.met_share:.3f}",
                    ]
                    for r in response_by(scope, by)
                ),
            )
        if figure == "hot-spots":
            return csv_response(
                name,
                ["h3_cell", "calls", "gi_star_z", "confidence", "hot_or_cold"],
                (
                    [c.cell, c.calls, f"{c.z:.4f}", c.confidence or "", "hot" if c.hot else "cold"]
                    for c in hot_spots(scope)
                ),
            )
        if figure == "repeat-locations":
            return csv_response(
                name,
                ["place", "calls", "first", "last"],
                (
                    [r.place, r.calls, r.first.isoformat(), r.last.isoformat()]
                    for r in repeat_locations(scope)
                ),
            )
        raise Http404
