"""The imports page: a city's calls export uploaded, checked and queued, and every import's
status (the command's too) while it runs and after."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from beatbook.analytics import charts
from beatbook.analytics.import_forms import ImportUploadForm
from beatbook.analytics.views import report_month
from beatbook.calls.importing.corrections import (
    CodeCorrectionError,
    Kind,
    source_corrections,
    value_choices,
)
from beatbook.calls.importing.coverage import Coverage, import_coverage, mapping_stub
from beatbook.calls.importing.mapping import mapping_names, mapping_to_start_from
from beatbook.calls.importing.removal import import_remove_start, removable
from beatbook.calls.importing.uploads import (
    IMPORT_ROLES,
    ImportUploadError,
    can_retry,
    checked_kept_until,
    import_checked_discard,
    import_checked_start,
    import_runs_recent,
    import_upload_retry,
    import_upload_start,
    mapping_used,
    rejects_path,
    run_code_correct,
    run_code_take_back,
    run_preview,
    stalled,
)
from beatbook.calls.models import CodeCorrection, ImportRun
from beatbook.core.csv_export import csv_response
from beatbook.core.live import live_version, unchanged
from beatbook.core.permissions import RoleRequiredMixin
from beatbook.core.roles import ANALYTICS_ROLES

POLL_SECONDS = 2
COVERAGE_SHOWN = 15  # codes of each kind on the page; the CSV and the TOML have them all


def _may_import(request: HttpRequest) -> bool:
    return getattr(request.user, "role", "") in IMPORT_ROLES


def _refuse_unless_importer(request: HttpRequest) -> None:
    # Before anything reads the body: the page accepts uploads far larger than any other.
    if not _may_import(request):
        raise PermissionDenied("Only analysts and administrators import calls.")


def time_left(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 90 else f"{minutes // 60} h {minutes % 60} min"


def run_rows(runs: list[ImportRun]) -> list[dict[str, Any]]:
    """What the table shows of each run: its share done, its speed and time left."""
    now = timezone.now()
    rows = []
    for run in runs:
        seconds = ((run.finished_at or now) - run.started_at).total_seconds()
        rate = run.rows_read / seconds if seconds > 0 and run.rows_read else None
        left = None
        if run.active and rate and run.rows_total > run.rows_read:
            left = time_left(round((run.rows_total - run.rows_read) / rate))
        rows.append(
            {
                "run": run,
                "percent": round(100 * run.rows_read / run.rows_total) if run.rows_total else 0,
                "rate": round(rate) if rate else None,
                "time_left": left,
                "rejects": rejects_path(run) is not None,
                "retry": can_retry(run),
                "stalled": stalled(run),
                "removable": removable(run) and run.has_rows,  # type: ignore[attr-defined]
                "checked": run.status == ImportRun.Status.CHECKED,
            }
        )
    return rows


@method_decorator(csrf_exempt, name="dispatch")  # checked in post(), after the role
class ImportsView(RoleRequiredMixin, View):
    allowed_roles = ANALYTICS_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request, ImportUploadForm() if _may_import(request) else None)

    def post(self, request: HttpRequest) -> HttpResponse:
        _refuse_unless_importer(request)
        return self._upload(request)

    @method_decorator(csrf_protect)
    def _upload(self, request: HttpRequest) -> HttpResponse:
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            actor: Any = request.user
            try:
                run = import_upload_start(actor=actor, upload=form.upload())
            except ImportUploadError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                step = "check of every row" if run.check_only else "import"
                messages.success(
                    request,
                    f"{run.file_name}: {run.rows_total:,} records checked and handed to the "
                    f"{step}; its progress is below.",
                )
                return redirect("analytics:imports")
        return self._page(request, form, status=400)

    def _page(
        self, request: HttpRequest, form: ImportUploadForm | None, status: int = 200
    ) -> HttpResponse:
        rows = run_rows(import_runs_recent())
        version = live_version(
            (r["run"].pk, r["run"].status, r["run"].rows_read, r["run"].rows_removed, r["retry"])
            for r in rows
        )
        if request.htmx and unchanged(request, version):  # type: ignore[attr-defined]
            return HttpResponse(status=204)
        context = {
            "form": form,
            "mappings_shipped": mapping_names(),
            "report_month": report_month(timezone.localdate()),
            "rows": rows,
            "polling": any(r["run"].active for r in rows),
            "poll_seconds": POLL_SECONDS,
            "version": version,
        }
        partial = request.htmx  # type: ignore[attr-defined]
        template = "analytics/_import_runs.html" if partial else "analytics/imports.html"
        return render(request, template, context, status=status)


class _RunActionView(RoleRequiredMixin, View):
    """A button on a run's row: the service's answer comes back as a message on the page."""

    allowed_roles = IMPORT_ROLES

    def act(self, actor: Any, run: ImportRun) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        try:
            done = self.act(request.user, run)
        except ImportUploadError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{run.file_name}: {done}")
        return redirect("analytics:imports")


class ImportRetryView(_RunActionView):
    def act(self, actor: Any, run: ImportRun) -> str:
        import_upload_retry(actor=actor, run=run)
        return "queued again."


class ImportRemoveView(_RunActionView):
    def act(self, actor: Any, run: ImportRun) -> str:
        rows = import_remove_start(actor=actor, run=run)
        return f"its {rows:,} rows are being removed."


class ImportCheckedView(_RunActionView):
    def act(self, actor: Any, run: ImportRun) -> str:
        import_checked_start(actor=actor, run=run)
        return "checked, and now queued for import."


class ImportDiscardView(_RunActionView):
    def act(self, actor: Any, run: ImportRun) -> str:
        import_checked_discard(actor=actor, run=run)
        return "discarded; its file is deleted, what its check found is kept."


class ImportRejectsView(RoleRequiredMixin, View):
    """An upload's rejected rows, with line and reason, to fix and upload again."""

    allowed_roles = ANALYTICS_ROLES

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        path = rejects_path(get_object_or_404(ImportRun, pk=pk))
        if path is None:
            raise Http404("This import kept no rejects file.")
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"import-{pk}-rejects.csv",
            content_type="text/csv; charset=utf-8",
        )


class ImportMappingView(RoleRequiredMixin, View):
    """The mapping a run used, to correct with the codes it left and upload again."""

    allowed_roles = ANALYTICS_ROLES

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        used = mapping_used(run)
        if used is None:
            raise Http404("This import's mapping was a file on the server; it is not kept here.")
        return FileResponse(
            used[0].open("rb"),
            as_attachment=True,
            filename=f"{run.source}.toml",
            content_type="text/plain; charset=utf-8",
        )


class MappingToStartFromView(RoleRequiredMixin, View):
    """The example mapping, or a shipped one, to copy for a city not listed."""

    allowed_roles = ANALYTICS_ROLES

    def get(self, request: HttpRequest, name: str) -> FileResponse:
        path = mapping_to_start_from(name)
        if path is None:
            raise Http404(f"No mapping {name!r} comes with Beatbook.")
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"{name}.toml",
            content_type="text/plain; charset=utf-8",
        )


# A checked upload's codes can be mapped while it waits, or is being checked again.
MAPPABLE = (ImportRun.Status.CHECKED, ImportRun.Status.QUEUED, ImportRun.Status.CHECKING)
WEEKS_DRAWN = 156  # three years of weekly columns; a longer history is drawn by month


def _periods_chart(coverage: Coverage) -> Any:
    """Calls per week, or per month over a long history (a column per week of thirty years
    would be thinner than a pixel)."""
    weeks = coverage.weekly()
    if len(weeks) <= WEEKS_DRAWN:
        items = [(monday.strftime("%d %b %y"), (rows,)) for monday, rows in weeks]
        title = "Calls per week (by the week's Monday)"
    else:
        items = [(first.strftime("%b %Y"), (rows,)) for first, rows in coverage.monthly()]
        title = "Calls per month"
    return charts.columns(items, (("Calls", charts.BAR),), title)


def _hours_chart(hours: list[int]) -> Any:
    """A checked file's calls by the hour of the agency's day: fewest before dawn, unless
    the mapping reads its times in the wrong zone."""
    items = [(f"{hour:02d}", (rows,)) for hour, rows in enumerate(hours)]
    return charts.columns(items, (("Calls", charts.BAR),), "Calls by hour of the day")


def run_coverage(run: ImportRun, limit: int | None = None) -> Coverage:
    """What the mapping left: in the source's rows, or for a checked upload, in its file."""
    preview = run_preview(run)
    if preview is not None:
        return preview.coverage.first(limit)
    return import_coverage(run.source, limit=limit)


class ImportCoverageView(RoleRequiredMixin, View):
    """What the run's mapping left undone in its source's rows (or, for an upload only
    checked, would leave in its file's), and the codes to add."""

    allowed_roles = ANALYTICS_ROLES

    def get(self, request: HttpRequest, pk: int, export: str = "") -> HttpResponseBase:
        run = get_object_or_404(ImportRun, pk=pk)
        if export not in ("", "csv", "toml"):
            raise Http404("The unmapped codes come as .csv or .toml.")
        if export == "csv":
            coverage = run_coverage(run)
            rows = [
                (kind, c.code, c.description, c.rows)
                for kind, codes in (
                    ("call type", coverage.call_types),
                    ("beat", coverage.beats),
                    ("disposition", coverage.dispositions),
                )
                for c in codes
            ]
            header = ("kind", "code", "description", "rows")
            return csv_response(f"{run.source}-unmapped.csv", header, rows)
        if export == "toml":
            response = HttpResponse(
                mapping_stub(run_coverage(run)), content_type="text/plain; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{run.source}-unmapped.toml"'
            return response
        preview = run_preview(run)
        coverage = run_coverage(run, limit=COVERAGE_SHOWN)
        used = mapping_used(run)
        corrections = source_corrections(run.source)
        # A checked file's codes too: it is checked again with them, and imported with them.
        may_correct = _may_import(request) and (preview is None or run.status in MAPPABLE)
        choices = {k: value_choices(k) for k in Kind.values} if may_correct else {}
        context = {
            "run": run,
            "preview": preview,
            "may_import_checked": _may_import(request) and run.status == ImportRun.Status.CHECKED,
            "kept_until": checked_kept_until(run),
            "rejects_csv": rejects_path(run) is not None,
            "coverage": coverage,
            "mapping_kept": used is not None,
            "mapping_shipped": used is not None and used[1],
            "report_month": report_month(timezone.localdate()),
            "shown": COVERAGE_SHOWN,
            "may_correct": may_correct,
            "corrections": [(c, choices.get(c.kind, [])) for c in corrections],
            "applying": any(c.pending for c in corrections) or run.active,
            "poll_seconds": POLL_SECONDS,
            "kinds": [
                (title, codes, anchor, kind, choices.get(kind, []))
                for title, codes, anchor, kind in (
                    ("Call types", coverage.call_types, "unmapped-call-types", Kind.CALL_TYPE),
                    ("Beats", coverage.beats, "unmapped-beats", Kind.BEAT),
                    (
                        "Dispositions",
                        coverage.dispositions,
                        "unmapped-dispositions",
                        Kind.DISPOSITION,
                    ),
                )
            ],
            "empty_days": coverage.empty_days,
            "chart_periods": _periods_chart(coverage),
            "chart_hours": _hours_chart(preview.hours) if preview and preview.hours else "",
            "chart": charts.bars(
                [(c.code, c.rows) for c in coverage.call_types],
                "Rows without a Beatbook call type, by the source's code",
                limit=COVERAGE_SHOWN,
                empty="Every row has a Beatbook call type.",
            ),
        }
        return render(request, "analytics/import_coverage.html", context)


class ImportCorrectView(RoleRequiredMixin, View):
    """A code the mapping left, given its Beatbook value from the page that lists it."""

    allowed_roles = IMPORT_ROLES

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        post = request.POST
        kind, code = post.get("kind", ""), post.get("code", "")
        try:
            if post.get("take_back"):
                correction, checked = run_code_take_back(
                    actor=request.user,  # type: ignore[arg-type]
                    run=run,
                    kind=kind,
                    code=code,
                )
            else:
                correction, checked = run_code_correct(
                    actor=request.user,  # type: ignore[arg-type]
                    run=run,
                    kind=kind,
                    code=code,
                    value=post.get("value", ""),
                )
        except (CodeCorrectionError, ImportUploadError) as exc:
            messages.error(request, str(exc))
        else:
            self._done(request, run, correction, checked)
        return redirect(reverse("analytics:import_coverage", args=[run.pk]) + "#code-corrections")

    @staticmethod
    def _done(
        request: HttpRequest, run: ImportRun, correction: CodeCorrection, checked: bool
    ) -> None:
        if correction.taken_back:
            done = (
                f"{run.file_name} is checked again without it"
                if checked
                else f"the rows of {run.source} with that code that hold it are losing it"
            )
            messages.success(
                request,
                f"{correction.get_kind_display()} {correction.code}: {correction.previous} is "
                f"taken back; {done}, and later imports of {run.source} no longer apply it.",
            )
        else:
            done = (
                f"{run.file_name} is checked again with it, and its import will apply it"
                if checked
                else f"the rows of {run.source} with that code are being updated"
            )
            messages.success(
                request,
                f"{correction.get_kind_display()} {correction.code} → {correction.value}: "
                f"{done}; later imports of {run.source} apply it too.",
            )
