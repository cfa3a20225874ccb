from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views import View

from beatbook.analytics import charts
from beatbook.analytics.casework import (
    REFERRAL_GROUPS,
    mediation_outcomes,
    provider_answer_days,
    referral_weeks,
    referrals_in,
)
from beatbook.analytics.charts import ACCENT_RED, BAR, MUTED, percent
from beatbook.analytics.diversion import cost_texts, diversion
from beatbook.analytics.effectiveness import (
    EffectivenessForm,
    cells_geojson,
    recent_interventions,
)
from beatbook.analytics.feedback import feedback_summary
from beatbook.analytics.figures_cache import figures_cached, figures_if_cached
from beatbook.analytics.hotspots import (
    PERMUTATION_CELLS,
    PERMUTATIONS,
    PERMUTATIONS_LARGE,
    hot_spots,
    repeat_locations,
)
from beatbook.analytics.opendata import FIELDS, open_data_rows
from beatbook.analytics.potential import (
    MAX_SPAN,
    MIN_TIMED,
    imported_history_starts,
    potential,
    potential_figures,
)
from beatbook.analytics.report import monthly_report
from beatbook.analytics.scope import DashboardForm, Scope, ScopeForm
from beatbook.analytics.selectors import (
    STAGES,
    change,
    dashboard_passes,
    hour_of_week,
    response_by,
    response_by_priority_month,
    responses,
    share_within_target,
    stages_by,
    stages_of,
    volume,
    volume_by_beat,
    volume_by_type,
    weekly,
)
from beatbook.analytics.workload import teams, workload
from beatbook.core.csv_export import csv_response
from beatbook.core.pdf import pdf_response, render_pdf
from beatbook.core.permissions import RoleRequiredMixin
from beatbook.core.roles import ANALYTICS_ROLES
from beatbook.places.geometry import cell_polygon
from beatbook.resources.selectors import referral_outcomes

VIEWERS = ANALYTICS_ROLES
SCOPE_FIELDS = frozenset(ScopeForm.base_fields)


def _figures(scope: Scope) -> dict[str, Any]:
    # Three passes over the scope's calls, in one statement: by type (volume, response,
    # stages), by beat (volume, response) and by hour (the weekly lines, the week's grid).
    types, beats, hourly = dashboard_passes(scope)
    by_type = volume(types, "call_type")
    weeks = weekly(scope, hourly)
    full = [w for w in weeks if w.complete]  # a partial week would compare unfairly
    last = full[-1] if full else None
    before = full[-2] if len(full) > 1 else None
    response = responses(types, "call_type")
    result: dict[str, Any] = {
        "total": sum(n for _, n in by_type),  # every call has a type group, unmapped too
        "by_type": by_type,
        "by_beat": volume(beats, "beat"),
        "stages": stages_of(types, "call_type"),
        "weeks": weeks,
        "last_week": last,
        "week_change": change(last.count, before.count) if last and before else None,
        "year_change": change(last.count, last.previous_year) if last else None,
        "response": response,
        "response_beats": responses(beats, "beat"),
        "met_share": share_within_target(response),
        "grid": hour_of_week(scope, hourly),
        "repeats": repeat_locations(scope),
        "repeat_minimum": settings.BEATBOOK_REPEAT_LOCATION_CALLS,
        "open_data_delay": settings.BEATBOOK_OPEN_DATA_DELAY_DAYS,
    }
    result["week_change_text"] = percent(result["week_change"])
    result["year_change_text"] = percent(result["year_change"])
    result["met_share_text"] = percent(result["met_share"], signed=False)
    return result


def report_month(end: dt.date) -> str:
    """The month the report link offers: the selection's last month, or the last complete
    month when the selection runs to today."""
    if end >= timezone.localdate():
        end = end.replace(day=1) - dt.timedelta(days=1)
    return end.strftime("%Y-%m")


class ScopedPage(RoleRequiredMixin, View):
    """A dashboard page: the scope form, and figures that redraw in place (HTMX) when it
    changes."""

    allowed_roles = VIEWERS
    page = ""  # template names: analytics/<page>.html and analytics/_<page>.html
    form_class = ScopeForm

    def figures(self, scope: Scope) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self.form_class(request.GET)
        page = f"analytics/{self.page}.html"
        if not form.is_valid():
            return render(request, page, {"form": form, "page": self.page}, status=400)
        scope = form.scope()
        # Show the dates in effect (the defaults too), so the next change starts from them.
        shown = request.GET.copy()
        shown["start"], shown["end"] = scope.start.isoformat(), scope.end.isoformat()
        form.data = shown
        context = {
            "form": form,
            # A redraw (HTMX) replaces the figures only.
            "scope_form": "" if request.htmx else self._scope_form(request, form, scope),  # type: ignore[attr-defined]
            "scope": scope,
            "page": self.page,
            "query": request.GET.urlencode(),
            "report_month": report_month(scope.end),
            **self.figures(scope),
        }
        partial = f"analytics/_{self.page}.html"
        return render(request, partial if request.htmx else page, context)  # type: ignore[attr-defined]

    def _scope_form(self, request: HttpRequest, form: ScopeForm, scope: Scope) -> str:
        """The selection form as drawn, kept with the figures: its selects render a template
        per option (52 beats and 38 call types took 14 of a cached dashboard's 35 ms), and
        what it shows is the selection, the language, and the names the version covers."""
        extra = [form.cleaned_data.get(name) for name in form.fields if name not in SCOPE_FIELDS]
        return figures_cached(
            f"{self.page}:form",
            scope,
            lambda: render_to_string("analytics/_scope_form.html", {"form": form}, request),
            get_language(),
            *extra,
        )


class DashboardView(ScopedPage):
    page = "dashboard"
    form_class = DashboardForm

    def figures(self, scope: Scope) -> dict[str, Any]:
        return figures_cached("dashboard", scope, lambda: self._figures_drawn(scope))

    def _figures_drawn(self, scope: Scope) -> dict[str, Any]:
        figures = _figures(scope)
        return {
            **figures,
            "permutation_text": (
                f"{PERMUTATIONS:,} conditional permutations ({PERMUTATIONS_LARGE:,} when the "
                f"area holds more than {PERMUTATION_CELLS:,} cells)"
            ),
            "chart_types": charts.bars(figures["by_type"], "Calls by type"),
            "chart_beats": charts.bars(figures["by_beat"], "Calls by beat"),
            "chart_heat": charts.heatmap(figures["grid"], "Calls by hour of the week"),
            "chart_weeks": charts.weekly_lines(figures["weeks"], "Calls per week"),
            "chart_response": charts.response_bars(
                figures["response"], "Received to on scene, by type"
            ),
            **_priority_month_charts(scope),
            "chart_stages": charts.stacked_bars(
                [
                    (st.label, tuple((p50 or 0.0) for p50, _ in st.quantiles))
                    for st in figures["stages"][:12]
                ],
                STAGE_SERIES,
                "Median minutes per stage, by type",
                "min",
            ),
        }


REFERRAL_SERIES = tuple(
    zip(
        (label for _, label, _ in REFERRAL_GROUPS),
        ("#2f855a", BAR, "#d69e2e", MUTED),
        strict=True,
    )
)
STAGE_SERIES = tuple(zip((name for name, _, _ in STAGES), (BAR, "#d69e2e", "#2f855a"), strict=True))
PRIORITY_COLOURS = {1: "#9b1c1c", 2: "#c05621", 3: "#2b6cb0", 4: "#2f855a"}


def _priority_month_charts(scope: Scope) -> dict[str, Any]:
    """The two month-by-priority line charts, each with the title shown above it."""
    rows = response_by_priority_month(scope.start, scope.end)
    months = sorted({r.month for r in rows})
    shown = []
    for metric, title in (
        ("dispatch", "Received to dispatched, p90 by priority"),
        ("arrival", "Dispatched to on scene, p90 by priority"),
    ):
        p90 = {(r.month, r.priority): r.p90 / 60 for r in rows if r.metric == metric}
        priorities = sorted({p for _, p in p90 if p is not None})
        chart = charts.lines(
            [m.strftime("%b %Y") for m in months],
            [
                (f"Priority {p}", PRIORITY_COLOURS.get(p, MUTED), [p90.get((m, p)) for m in months])
                for p in priorities
            ],
            title,
            "min",
        )
        shown.append((title, chart))
    return {"priority_month_charts": shown}


WORK_SERIES = (("Calls", BAR), ("Reports", "#805ad5"), ("Patrol", "#2f855a"), ("Other", "#cbd5e0"))


class WorkloadView(ScopedPage):
    page = "workload"

    def figures(self, scope: Scope) -> dict[str, Any]:
        rows = workload(scope)
        by_team = teams(rows)
        return {
            "rows": rows,
            "teams": by_team,
            "filtered": bool(scope.beat_ids or scope.call_type_ids),
            "report_cap": settings.BEATBOOK_REPORT_WRITING_CAP_MINUTES,
            "chart_people": charts.stacked_bars(
                [
                    (r.name, (r.call_hours, r.report_hours, r.patrol_hours, r.other_hours))
                    for r in rows
                ],
                WORK_SERIES,
                "Hours per CSO",
                "h",
            ),
            "chart_teams": charts.stacked_bars(
                [
                    (t.name, (t.call_hours, t.report_hours, t.patrol_hours, t.other_hours))
                    for t in by_team
                ],
                WORK_SERIES,
                "Hours per team",
                "h",
            ),
        }


class DiversionView(ScopedPage):
    page = "diversion"

    def figures(self, scope: Scope) -> dict[str, Any]:
        result, could = diversion(scope), potential(scope)
        return {
            "diversion": result,
            "history_starts": None if could.imported else imported_history_starts(),
            "min_timed": MIN_TIMED,
            "max_span_hours": MAX_SPAN.total_seconds() / 3600,
            **potential_figures(could),
            **cost_texts(result),
            "share_text": percent(result.share, signed=False),
            "default_minutes": settings.BEATBOOK_SWORN_MINUTES_DEFAULT,
            "chart_weeks": charts.columns(
                [(w.start.strftime("%d %b"), (w.handled, w.escalated)) for w in result.weeks],
                (("Handled by CSOs", BAR), ("Escalated to sworn", ACCENT_RED)),
                "Calls per week by outcome",
            ),
            "chart_saved": charts.bars(
                [(t.label, round(t.sworn_hours_saved, 1)) for t in result.by_type],
                "Sworn hours saved by type",
            ),
            "chart_reasons": charts.bars(  # the table below says when there were none
                [(e.reason, e.calls) for e in result.escalations], "Escalations by reason", empty=""
            ),
        }


class FeedbackView(ScopedPage):
    page = "feedback"

    def figures(self, scope: Scope) -> dict[str, Any]:
        summary = feedback_summary(scope)
        return {
            "feedback": summary,
            "satisfied_text": percent(summary.total.satisfied_share, signed=False),
            "chart_programs": charts.bars(
                [(r.label, round(r.satisfaction, 2)) for r in summary.by_program],
                "Mean satisfaction (1–5) by program",
                empty="",  # the table below says "No answers yet."
            ),
            "chart_beats": charts.bars(
                [(r.label, round(r.trust, 2)) for r in summary.by_beat],
                "Mean trust (1–5) by beat",
                empty="",
            ),
        }


class CaseworkView(ScopedPage):
    page = "casework"

    def figures(self, scope: Scope) -> dict[str, Any]:
        referrals = referrals_in(scope)
        outcomes = referral_outcomes(referrals=referrals)
        mediation = mediation_outcomes(scope)
        return {
            "outcomes": outcomes,
            "answer_days": provider_answer_days(referrals),
            "mediation": mediation,
            "follow_up_days": settings.BEATBOOK_MEDIATION_FOLLOW_UP_DAYS,
            "chart_weeks": charts.columns(
                [(w.start.strftime("%d %b"), w.counts) for w in referral_weeks(scope, referrals)],
                REFERRAL_SERIES,
                "Referrals made each week, by where they stand now",
                empty="No referrals in these dates.",
            ),
            "chart_status": charts.bars(
                [(str(label), n) for label, n in outcomes["by_status"]], "Referrals by status"
            ),
            "chart_needs": charts.bars(
                [(row["need__name"], row["total"]) for row in outcomes["by_need"]],
                "Referrals by need",
                empty="",  # the table below says "None yet."
            ),
            "chart_mediation": charts.bars(
                [("Before the agreements", mediation["before"]), ("Since", mediation["after"])],
                "Calls at the mediated addresses, as many days before as since (up to 90)",
            ),
            "chart_follow_ups": charts.bars(
                mediation["follow_ups"] if any(n for _, n in mediation["follow_ups"]) else [],
                "What each agreement's latest follow-up found",
                empty="No follow-up done yet.",
            ),
        }


class EffectivenessView(RoleRequiredMixin, View):
    """Before and after an intervention at a beat or an address."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        month = report_month(timezone.localdate())
        if "date" not in request.GET:
            form = EffectivenessForm(initial=EffectivenessForm.DEFAULTS)
            context = {
                "form": form,
                "report_month": month,
                "interventions": recent_interventions(),
            }
            return render(request, "analytics/effectiveness.html", context)
        form = EffectivenessForm(request.GET)
        if not form.is_valid():
            context = {"form": form, "report_month": month}
            return render(request, "analytics/effectiveness.html", context, status=400)
        result = form.comparison()
        context = {
            "form": form,
            "report_month": month,
            "partial_weeks": result.days % 7,
            "result": result,
            "query": request.GET.urlencode(),
            "chart": charts.columns(
                [(f"{w:+d}", (n,)) for w, n in result.weeks],
                (("Calls at the place, per week", BAR),),
                "Calls per week before and after",
                marker=len(result.weeks) // 2,
                marker_label=result.date.isoformat(),
            ),
            "cells_json": json.dumps(cells_geojson(result.cells)),
            "surroundings_json": json.dumps(result.around.outline()) if result.around else "",
            "change_text": percent(
                None if result.rate_ratio.value is None else result.rate_ratio.value - 1
            ),
            "rest_text": percent(
                None if result.rest_ratio.value is None else result.rest_ratio.value - 1
            ),
            "around_change_text": percent(
                None
                if result.around is None or result.around.rate_ratio.value is None
                else result.around.rate_ratio.value - 1
            ),
        }
        if request.GET.get("format") == "csv":
            return csv_response(
                f"before-after-{result.date}.csv",
                ["call_type", "before", "after"],
                [*result.by_type, ["All types", result.before, result.after]],
            )
        return render(request, "analytics/effectiveness.html", context)


def _minutes(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


class HotspotMapView(RoleRequiredMixin, View):
    """The H3 cells of the selection as GeoJSON, coloured by their Gi* significance."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = DashboardForm(request.GET)
        if not form.is_valid():
            return JsonResponse(
                {"code": "invalid", "detail": form.errors.get_json_data()}, status=400
            )
        test = form.permutation_test()
        content = figures_cached(
            "hot-spots", form.scope(), lambda: _hot_spot_features(form.scope(), test), test
        )
        return HttpResponse(content, content_type="application/json")


def _hot_spot_features(scope: Scope, permutation_test: bool) -> bytes:
    """The map's GeoJSON, as the bytes served (what the cache keeps)."""
    features = []
    for cell in hot_spots(scope, permutation_test=permutation_test):
        if not cell.calls and not cell.confidence:
            continue
        colour = (charts.HOT if cell.hot else charts.COLD).get(cell.confidence, "#c9d1db")
        features.append(
            {
                "type": "Feature",
                "geometry": cell_polygon(cell.cell),
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
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _export_scope(request: HttpRequest) -> Scope | HttpResponse:
    """The selection of a download, or the form's errors as a plain-text 400."""
    form = _export_form(request)
    return form if isinstance(form, HttpResponse) else form.scope()


def _export_form(request: HttpRequest) -> DashboardForm | HttpResponse:
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    return form


class OpenDataView(RoleRequiredMixin, View):
    """The redacted release for the city's open-data portal, as CSV or GeoJSON."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest, extension: str) -> HttpResponseBase:
        scope = _export_scope(request)
        if isinstance(scope, HttpResponse):
            return scope
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
        form = _export_form(request)
        if isinstance(form, HttpResponse):
            return form
        scope = form.scope()
        name = f"{figure}-{scope.start}-{scope.end}.csv"
        # The dashboard's figures for this selection when it has just drawn them (a second
        # pass over years of calls otherwise); each figure on its own when not.
        drawn = figures_if_cached("dashboard", scope) or {}
        if figure in ("volume-by-type", "volume-by-beat"):
            by_type = figure == "volume-by-type"
            rows = drawn.get("by_type" if by_type else "by_beat") or (
                volume_by_type(scope) if by_type else volume_by_beat(scope)
            )
            return csv_response(name, [figure.split("-")[-1], "calls"], rows)
        if figure == "hour-of-week":
            grid = drawn.get("grid") or hour_of_week(scope)
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
                    for w in drawn.get("weeks") or weekly(scope)
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
                    for r in drawn.get("response" if by == "call_type" else "response_beats")
                    or response_by(scope, by)
                ),
            )
        if figure == "hot-spots":
            return csv_response(
                name,
                [
                    "h3_cell",
                    "calls",
                    "gi_star_z",
                    "p_value",
                    "confidence",
                    "hot_or_cold",
                    "confidence_uncorrected",
                    "p_from",
                ],
                (
                    [
                        c.cell,
                        c.calls,
                        f"{c.z:.4f}",
                        f"{c.p:.6g}",
                        c.confidence or "",
                        "hot" if c.hot else "cold",
                        c.confidence_uncorrected or "",
                        f"{c.permutations} permutations"
                        if c.permutations
                        else "normal approximation",
                    ]
                    for c in hot_spots(scope, permutation_test=form.permutation_test())
                ),
            )
        if figure == "repeat-locations":
            repeats = repeat_locations(scope)
            return csv_response(
                name,
                ["place", "calls", "first", "last", f"calls_{repeats.days}_days_before", "status"],
                (
                    [
                        r.place,
                        r.calls,
                        r.first.isoformat() if r.first else "",
                        r.last.isoformat() if r.last else "",
                        r.calls_before,
                        r.status,
                    ]
                    for r in [*repeats.current, *repeats.resolved]
                ),
            )
        if figure in ("stages-by-type", "stages-by-beat"):
            by = "call_type" if figure == "stages-by-type" else "beat"
            header = [by, "calls"]
            for stage, _, _ in STAGES:
                header += [f"{stage} p50 min", f"{stage} p90 min"]
            return csv_response(
                name,
                header,
                (
                    [st.label, st.calls, *(_minutes(q) for pair in st.quantiles for q in pair)]
                    for st in (by == "call_type" and drawn.get("stages")) or stages_by(scope, by)
                ),
            )
        if figure == "response-by-priority-month":
            return csv_response(
                name,
                [
                    "month",
                    "priority",
                    "interval",
                    "calls",
                    "p50_seconds",
                    "p90_seconds",
                    "p95_seconds",
                ],
                (
                    [
                        r.month.strftime("%Y-%m"),
                        r.priority or "",
                        r.metric,
                        r.calls,
                        f"{r.p50:.1f}",
                        f"{r.p90:.1f}",
                        f"{r.p95:.1f}",
                    ]
                    for r in response_by_priority_month(scope.start, scope.end)
                ),
            )
        if figure == "workload":
            return csv_response(
                name,
                [
                    "cso",
                    "team",
                    "shifts",
                    "shift_hours",
                    "calls",
                    "call_hours",
                    "reports",
                    "report_hours",
                    "patrols",
                    "patrol_hours",
                    "other_hours",
                    "off_shift_hours",
                    "call_hours_per_shift_hour",
                    "load_vs_team_mean",
                ],
                (
                    [
                        r.name,
                        r.team,
                        r.shifts,
                        f"{r.shift_hours:.2f}",
                        r.calls,
                        f"{r.call_hours:.2f}",
                        r.reports,
                        f"{r.report_hours:.2f}",
                        r.patrols,
                        f"{r.patrol_hours:.2f}",
                        f"{r.other_hours:.2f}",
                        f"{r.off_shift_hours:.2f}",
                        "" if r.load is None else f"{r.load:.3f}",
                        "" if r.load_vs_team is None else f"{r.load_vs_team:.3f}",
                    ]
                    for r in workload(scope)
                ),
            )
        if figure == "workload-teams":
            return csv_response(
                name,
                [
                    "team",
                    "csos",
                    "calls",
                    "call_hours",
                    "report_hours",
                    "patrol_hours",
                    "other_hours",
                    "load_spread",
                ],
                (
                    [
                        t.name,
                        len(t.members),
                        t.calls,
                        f"{t.call_hours:.2f}",
                        f"{t.report_hours:.2f}",
                        f"{t.patrol_hours:.2f}",
                        f"{t.other_hours:.2f}",
                        "" if t.spread is None else f"{t.spread:.3f}",
                    ]
                    for t in teams(workload(scope))
                ),
            )
        if figure == "diversion-by-type":
            return csv_response(
                name,
                [
                    "call_type",
                    "calls",
                    "handled_by_cso",
                    "escalated",
                    "sworn_minutes_per_call",
                    "sworn_hours_saved",
                    "sworn_cost_avoided",
                    "cso_hours",
                    "cso_cost",
                ],
                (
                    [
                        t.label,
                        t.calls,
                        t.handled,
                        t.escalated,
                        t.sworn_minutes,
                        f"{t.sworn_hours_saved:.2f}",
                        "" if t.sworn_cost_avoided is None else f"{t.sworn_cost_avoided:.2f}",
                        f"{t.cso_hours:.2f}",
                        "" if t.cso_cost is None else f"{t.cso_cost:.2f}",
                    ]
                    for t in diversion(scope).by_type
                ),
            )
        if figure == "escalations":
            return csv_response(
                name,
                ["reason", "calls", "before_cso_on_scene", "after_cso_on_scene"],
                (
                    [e.reason, e.calls, e.before_arrival, e.after_arrival]
                    for e in diversion(scope).escalations
                ),
            )
        if figure == "diversion-by-week":
            return csv_response(
                name,
                ["week_start", "handled_by_cso", "escalated"],
                ([w.start.isoformat(), w.handled, w.escalated] for w in diversion(scope).weeks),
            )
        if figure == "potential-by-type":
            could = potential(scope)
            return csv_response(
                name,
                [
                    "call_type",
                    "responder",
                    "calls",
                    "timed_calls",
                    "program_timed_calls",
                    "minutes_per_call",
                    "minutes_from",
                    "hours",
                ],
                (
                    [
                        t.label,
                        t.responder,
                        t.calls,
                        t.timed,
                        t.own_timed,
                        f"{t.minutes_per_call:.1f}",
                        t.minutes_from,
                        f"{t.hours:.2f}",
                    ]
                    for t in could.by_type
                ),
            )
        if figure == "potential-by-beat":
            return csv_response(
                name,
                ["beat", "hours"],
                ([beat, f"{hours:.2f}"] for beat, hours in potential(scope).by_beat),
            )
        if figure == "potential-by-hour":
            busy = potential(scope).busy
            return csv_response(
                name,
                ["day", *[f"{h:02d}" for h in range(24)]],
                ([charts.DAYS[d], *(f"{n:.2f}" for n in busy[d])] for d in range(7)),
            )
        if figure == "referrals-by-status":
            by_status = referral_outcomes(referrals=referrals_in(scope))["by_status"]
            return csv_response(name, ["status", "referrals"], ([str(s), n] for s, n in by_status))
        if figure == "referrals-by-need":
            return csv_response(
                name,
                ["need", "referrals", "served", "waiting"],
                (
                    [r["need__name"], r["total"], r["served"], r["waiting"]]
                    for r in referral_outcomes(referrals=referrals_in(scope))["by_need"]
                ),
            )
        if figure == "referrals-by-week":
            return csv_response(
                name,
                ["week_start", *(column for column, *_ in REFERRAL_GROUPS)],
                (
                    [w.start.isoformat(), *w.counts]
                    for w in referral_weeks(scope, referrals_in(scope))
                ),
            )
        if figure == "mediation-before-after":
            return csv_response(
                name,
                [
                    "case",
                    "dispute",
                    "beat",
                    "agreed",
                    "days_each_side",
                    "calls_before",
                    "calls_since",
                    "follow_up_days",
                    "follow_up_outcome",
                ],
                (
                    [
                        case.number,
                        case.get_dispute_type_display(),
                        case.beat.name if case.beat else "",
                        timezone.localdate(case.agreed_at).isoformat(),
                        *((r["days"], r["before"], r["after"]) if r else ("", "", "")),
                        *((done.days_after, done.outcome) if done else ("", "")),
                    ]
                    for case, r, done, _ in mediation_outcomes(scope)["rows"]
                ),
            )
        if figure in ("feedback-by-beat", "feedback-by-program"):
            summary = feedback_summary(scope)
            answers = summary.by_beat if figure == "feedback-by-beat" else summary.by_program
            return csv_response(
                name,
                [
                    figure.split("-by-")[1],
                    "responses",
                    "mean_satisfaction",
                    "mean_trust",
                    "satisfied_share",
                ],
                (
                    [
                        r.label,
                        r.responses,
                        f"{r.satisfaction:.2f}",
                        f"{r.trust:.2f}",
                        f"{r.satisfied_share:.3f}",
                    ]
                    for r in answers
                ),
            )
        raise Http404


class MonthlyReportView(RoleRequiredMixin, View):
    """The month's program report as a PDF."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            first = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError:
            first = None
        if first is None or not dt.date(2000, 1, 1) <= first <= timezone.localdate():
            return JsonResponse(
                {
                    "code": "invalid",
                    "field": "month",
                    "detail": "Give a month up to this one as YYYY-MM, e.g. 2026-10.",
                },
                status=400,
            )
        year, month = first.year, first.month
        context = monthly_report(year, month)
        context["percent"] = percent
        context["month_change_text"] = percent(context["month_change"])
        context["year_change_text"] = percent(context["year_change"])
        context["met_share_text"] = percent(context["met_share"], signed=False)
        context["diversion_share_text"] = percent(context["diversion"].share, signed=False)
        content = render_pdf("analytics/report_pdf.html", context, request)
        return pdf_response(f"program-report-{year}-{month:02d}.pdf", content)
