from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from beatbook.calls.selectors import call_get
from beatbook.core.csv_export import csv_response
from beatbook.core.exceptions import DomainError
from beatbook.core.history import history_for
from beatbook.core.pdf import pdf_response, render_pdf
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import Role
from beatbook.records import forms as record_forms
from beatbook.records import services
from beatbook.records.choices import PersonRole
from beatbook.records.selectors import (
    ReportFilters,
    dar_get,
    dar_scope,
    report_get,
    report_list,
    report_persons,
    review_queue,
)

READERS = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
WRITERS = frozenset({Role.CSO, Role.SUPERVISOR})
REVIEWERS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class ReportListView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = record_forms.ReportFilterForm(request.GET)
        filters = ReportFilters()
        if form.is_valid():
            d = form.cleaned_data
            filters = ReportFilters(status=d["status"], kind=d["kind"], text=d["q"])
        reports = report_list(viewer=request_user(request), filters=filters)
        if request.GET.get("format") == "csv":
            return csv_response(
                "reports.csv",
                [
                    "number",
                    "kind",
                    "status",
                    "title",
                    "occurred_at",
                    "block",
                    "beat",
                    "author",
                    "call",
                    "submitted_at",
                    "approved_at",
                ],
                (
                    [
                        r.number,
                        r.kind,
                        r.status,
                        r.title,
                        r.occurred_at.isoformat(),
                        r.block_text,
                        r.beat.name if r.beat else "",
                        r.author.username,
                        r.call.number if r.call else "",
                        r.submitted_at.isoformat() if r.submitted_at else "",
                        r.approved_at.isoformat() if r.approved_at else "",
                    ]
                    for r in reports
                ),
            )
        page = Paginator(reports, 50).get_page(request.GET.get("page"))
        return render(request, "records/report_list.html", {"form": form, "page": page})


class ReportCreateView(RoleRequiredMixin, View):
    allowed_roles = WRITERS

    def get(self, request: HttpRequest) -> HttpResponse:
        # Starting from a call is a POST (a button on the confirm page), never a GET.
        return render(
            request,
            "records/report_form.html",
            {"form": record_forms.ReportCreateForm(), "call": self._call(request)},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        call = self._call(request)
        if call is not None:
            return self._from_call(request, call)
        form = record_forms.ReportCreateForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_create(actor=request_user(request), **form.cleaned_data)
            except DomainError as exc:
                form.add_error(
                    "address" if getattr(exc, "field", "") == "location" else None, exc.message
                )
            else:
                return redirect("records:report_detail", report_id=report.pk)
        return render(request, "records/report_form.html", {"form": form}, status=400)

    def _call(self, request: HttpRequest) -> Any:
        call_id = request.GET.get("call") or request.POST.get("call")
        if not call_id or not str(call_id).isdigit():
            return None
        return call_get(viewer=request_user(request), call_id=int(call_id))

    def _from_call(self, request: HttpRequest, call: Any) -> HttpResponse:
        report = services.report_create(actor=request_user(request), call=call)
        messages.success(request, f"{report.number} started from {call.number}.")
        return redirect("records:report_detail", report_id=report.pk)


def _report_context(request: HttpRequest, report: Any) -> dict[str, Any]:
    viewer = request_user(request)
    return {
        "report": report,
        "persons": report_persons(report=report, viewer=viewer),
        "history": history_for(report),
        "is_author": report.author_id == viewer.pk,
        # Victim assistance is opened by the author (who met the victim) or a supervisor.
        "victims": list(report.persons.filter(role=PersonRole.VICTIM))
        if report.author_id == viewer.pk or viewer.role == "supervisor"
        else [],
        "is_reviewer": viewer.role in REVIEWERS and report.author_id != viewer.pk,
        "can_write": viewer.role in WRITERS,
        "edit_form": record_forms.ReportEditForm(
            initial={
                "title": report.title,
                "occurred_at": timezone.localtime(report.occurred_at),
                "narrative": report.narrative,
            }
        ),
        "person_form": record_forms.PersonForm(),
        "vehicle_form": record_forms.VehicleForm(),
        "property_form": record_forms.PropertyForm(),
        "comment_form": record_forms.CommentForm(),
    }


class ReportDetailView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest, report_id: int) -> HttpResponse:
        report = report_get(viewer=request_user(request), report_id=report_id)
        return render(request, "records/report_detail.html", _report_context(request, report))


def _supplement(actor: Any, report: Any, data: dict[str, Any]) -> Any:
    return services.supplement_create(actor=actor, report=report, **data)


REPORT_ACTIONS: dict[str, tuple[type[forms.Form] | None, Callable[..., Any]]] = {
    "edit": (
        record_forms.ReportEditForm,
        lambda a, r, d, f: services.report_update(actor=a, report=r, **d),
    ),
    "submit": (None, lambda a, r, d, f: services.report_submit(actor=a, report=r)),
    "return": (
        record_forms.CommentForm,
        lambda a, r, d, f: services.report_return(actor=a, report=r, **d),
    ),
    "approve": (None, lambda a, r, d, f: services.report_approve(actor=a, report=r)),
    "person": (
        record_forms.PersonForm,
        lambda a, r, d, f: services.report_person_add(actor=a, report=r, **d),
    ),
    "vehicle": (
        record_forms.VehicleForm,
        lambda a, r, d, f: services.report_vehicle_add(actor=a, report=r, **d),
    ),
    "property": (
        record_forms.PropertyForm,
        lambda a, r, d, f: services.report_property_add(actor=a, report=r, **d),
    ),
    "attachment": (
        record_forms.AttachmentForm,
        lambda a, r, d, f: services.report_attachment_add(
            actor=a, report=r, upload=f["attachment"]
        ),
    ),
    "supplement": (record_forms.SupplementForm, lambda a, r, d, f: _supplement(a, r, d)),
}


class ReportActionView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def post(self, request: HttpRequest, report_id: int, action: str) -> HttpResponse:
        viewer = request_user(request)
        report = report_get(viewer=viewer, report_id=report_id)
        if action not in REPORT_ACTIONS:
            return HttpResponse(status=404)
        form_class, perform = REPORT_ACTIONS[action]
        data: dict[str, Any] = {}
        if form_class is not None:
            form = form_class(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(
                    request,
                    "Not saved: "
                    + "; ".join(
                        f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()
                    ),
                )
                return redirect("records:report_detail", report_id=report.pk)
            data = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
        try:
            result = perform(viewer, report, data, request.FILES)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("records:report_detail", report_id=report.pk)
        messages.success(request, f"{report.number}: {action} done.")
        if action == "supplement":
            return redirect("records:report_detail", report_id=result.pk)
        return redirect("records:report_detail", report_id=report.pk)


class AttachmentDownloadView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest, report_id: int, attachment_id: int) -> HttpResponse:
        viewer = request_user(request)
        report = report_get(viewer=viewer, report_id=report_id)
        attachment = report.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            return render(request, "404.html", status=404)
        try:
            data = services.attachment_read(actor=viewer, attachment=attachment)
        except DomainError as exc:
            return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain")
        response = HttpResponse(data, content_type=attachment.content_type)
        response["Content-Disposition"] = f'inline; filename="{attachment.pk}"'
        response["X-Content-SHA256"] = attachment.sha256
        return response


class ReportPdfView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest, report_id: int) -> HttpResponse:
        report = report_get(viewer=request_user(request), report_id=report_id)
        content = render_pdf("records/report_pdf.html", _report_context(request, report), request)
        return pdf_response(f"{report.number}.pdf", content)


class ReviewQueueView(RoleRequiredMixin, View):
    allowed_roles = REVIEWERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        queue = review_queue(viewer=request_user(request))
        if request.GET.get("format") == "csv":
            return csv_response(
                "review-queue.csv",
                ["kind", "reference", "author", "hours"],
                (
                    [
                        e.kind,
                        getattr(e.item, "number", str(e.item)),
                        getattr(e.item, "author", getattr(e.item, "user", "")),
                        round(e.waiting.total_seconds() / 3600, 1),
                    ]
                    for e in queue
                ),
            )
        return render(request, "records/review_queue.html", {"queue": queue})


# --- daily activity reports -----------------------------------------------------------------


class DarTodayView(RoleRequiredMixin, View):
    allowed_roles = frozenset({Role.CSO})

    def get(self, request: HttpRequest) -> HttpResponse:
        dar = services.dar_open(actor=request_user(request), day=timezone.localdate())
        return redirect("records:dar_detail", dar_id=dar.pk)


def _dar_context(request: HttpRequest, dar: Any) -> dict[str, Any]:
    viewer = request_user(request)
    activity = services.dar_activity(dar=dar)
    totals: dict[str, int] = {}
    for item in activity:
        totals[item["kind"]] = totals.get(item["kind"], 0) + int(item["minutes"] or 0)
    return {
        "dar": dar,
        "activity": activity,
        "totals": totals,
        "is_owner": dar.user_id == viewer.pk,
        "is_reviewer": viewer.role in REVIEWERS and dar.user_id != viewer.pk,
        "remarks_form": record_forms.RemarksForm(initial={"remarks": dar.remarks}),
        "comment_form": record_forms.CommentForm(),
        "history": history_for(dar),
    }


class DarDetailView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest, dar_id: int) -> HttpResponse:
        dar = dar_get(viewer=request_user(request), dar_id=dar_id)
        return render(request, "records/dar_detail.html", _dar_context(request, dar))


class DarActionView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def post(self, request: HttpRequest, dar_id: int, action: str) -> HttpResponse:
        viewer = request_user(request)
        dar = dar_get(viewer=viewer, dar_id=dar_id)
        try:
            if action == "submit":
                form = record_forms.RemarksForm(request.POST)
                form.is_valid()
                services.dar_submit(
                    actor=viewer, dar=dar, remarks=form.cleaned_data.get("remarks", "")
                )
            elif action == "return":
                services.dar_return(actor=viewer, dar=dar, comment=request.POST.get("comment", ""))
            elif action == "approve":
                services.dar_approve(actor=viewer, dar=dar)
            else:
                return HttpResponse(status=404)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Activity report: {action} done.")
        return redirect("records:dar_detail", dar_id=dar.pk)


class DarPdfView(RoleRequiredMixin, View):
    allowed_roles = READERS

    def get(self, request: HttpRequest, dar_id: int) -> HttpResponse:
        dar = dar_get(viewer=request_user(request), dar_id=dar_id)
        content = render_pdf("records/dar_pdf.html", _dar_context(request, dar), request)
        return pdf_response(f"DAR-{dar.user.username}-{dar.shift_date}.pdf", content)


class DarListView(RoleRequiredMixin, View):
    allowed_roles = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.ANALYST, Role.CSO})

    def get(self, request: HttpRequest) -> HttpResponseBase:
        dars = dar_scope(viewer=request_user(request)).select_related("user")
        status = request.GET.get("status", "")
        if status:
            dars = dars.filter(status=status)
        if request.GET.get("format") == "csv":
            return csv_response(
                "activity-reports.csv",
                ["date", "cso", "status", "items", "submitted_at"],
                (
                    [d.shift_date, d.user.username, d.status, len(d.snapshot), d.submitted_at or ""]
                    for d in dars
                ),
            )
        page = Paginator(dars, 50).get_page(request.GET.get("page"))
        return render(request, "records/dar_list.html", {"page": page, "status": status})
