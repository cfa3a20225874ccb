from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views import View

from beatbook.accounts.selectors import staff_list, staff_member_get
from beatbook.calls.selectors import call_get
from beatbook.core.csv_export import csv_response
from beatbook.core.exceptions import DomainError, NotFound
from beatbook.core.pdf import pdf_response, render_pdf
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import Role
from beatbook.property import forms as property_forms
from beatbook.property import services
from beatbook.property.chain import chain_check
from beatbook.property.court_export import court_export
from beatbook.property.matching import matches_for_item, matches_for_report
from beatbook.property.models import LostReport
from beatbook.property.selectors import (
    disposal_queue,
    item_by_label,
    item_get,
    item_list,
    lost_report_get,
    lost_report_list,
)

HANDLERS = frozenset({Role.CSO, Role.SUPERVISOR, Role.ADMIN})


class ItemListView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        viewer = request_user(request)
        items = item_list(
            viewer=viewer,
            kind=request.GET.get("kind", ""),
            status=request.GET.get("status", ""),
            text=request.GET.get("q", ""),
        )
        if request.GET.get("format") == "csv":
            return csv_response(
                "property.csv",
                [
                    "number",
                    "kind",
                    "category",
                    "description",
                    "serial",
                    "status",
                    "location",
                    "custodian",
                    "found_at",
                    "retain_until",
                ],
                (
                    [
                        i.number,
                        i.kind,
                        i.category,
                        i.description,
                        i.serial_number,
                        i.status,
                        i.location.code if i.location else "",
                        i.custodian.username if i.custodian else "",
                        i.found_at.isoformat(),
                        i.retain_until,
                    ]
                    for i in items
                ),
            )
        page = Paginator(items, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "property/item_list.html",
            {"page": page, "due": disposal_queue(viewer=viewer)[:20]},
        )


class ItemIntakeView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = property_forms.IntakeForm(
            initial={"call": request.GET.get("call"), "kind": request.GET.get("kind", "found")}
        )
        return render(request, "property/item_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        viewer = request_user(request)
        form = property_forms.IntakeForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            call_id = data.pop("call")
            call = call_get(viewer=viewer, call_id=call_id) if call_id else None
            try:
                item = services.item_intake(actor=viewer, call=call, **data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{item.number} booked into {item.location}.")
                return redirect("property:item_detail", item_id=item.pk)
        return render(request, "property/item_form.html", {"form": form}, status=400)


def _context(request: HttpRequest, item: Any) -> dict[str, Any]:
    events = list(item.events.all())
    broken = chain_check(item.number, events)
    return {
        "item": item,
        "events": events,
        "chain_ok": broken is None,
        "chain_break": broken,
        "staff": staff_list().filter(role__in=list(HANDLERS)),
        "move_form": property_forms.MoveForm(),
        "qr": segno.make(item.label_code, micro=False).svg_data_uri(scale=3),
        "matches": matches_for_item(item) if item.status == "in_custody" else [],
    }


class ItemDetailView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def get(self, request: HttpRequest, item_id: int) -> HttpResponse:
        item = item_get(viewer=request_user(request), item_id=item_id)
        return render(request, "property/item_detail.html", _context(request, item))


class ItemActionView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def post(self, request: HttpRequest, item_id: int, action: str) -> HttpResponse:
        viewer = request_user(request)
        item = item_get(viewer=viewer, item_id=item_id)
        form = property_forms.MoveForm(request.POST)
        form.is_valid()
        d = form.cleaned_data
        try:
            if action == "check-out":
                services.item_check_out(
                    actor=viewer,
                    item=item,
                    reason=d["reason"],
                    to=staff_member_get(user_id=d.get("to") or 0),
                )
            elif action == "transfer":
                services.item_transfer(
                    actor=viewer,
                    item=item,
                    reason=d["reason"],
                    to=staff_member_get(user_id=d.get("to") or 0),
                )
            elif action == "check-in":
                if d.get("location") is None:
                    raise NotFound("Choose the storage location.")
                services.item_check_in(actor=viewer, item=item, location=d["location"])
            elif action == "release":
                services.item_release(
                    actor=viewer,
                    item=item,
                    owner_name=d["owner_name"],
                    identity_checked=d["identity_checked"],
                )
            elif action == "request-disposal":
                services.disposal_request(actor=viewer, item=item, method=d["method"])
            elif action == "approve-disposal":
                services.disposal_approve(actor=viewer, item=item)
            else:
                return HttpResponse(status=404)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{item.number}: {action.replace('-', ' ')} recorded.")
        return redirect("property:item_detail", item_id=item.pk)


class CourtExportView(RoleRequiredMixin, View):
    """A ZIP a court can check offline; POST because it signs a checkpoint and is audited."""

    allowed_roles = frozenset({Role.SUPERVISOR, Role.ADMIN})

    def post(self, request: HttpRequest, item_id: int) -> HttpResponse:
        viewer = request_user(request)
        item = item_get(viewer=viewer, item_id=item_id)
        try:
            filename, data = court_export(
                actor=viewer, item=item, passphrase=request.POST.get("passphrase", "")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("property:item_detail", item_id=item.pk)
        response = HttpResponse(data, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class ItemScanView(RoleRequiredMixin, View):
    """Type or paste (or scan into the field) a label code to open the item."""

    allowed_roles = HANDLERS

    def get(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("code", "").strip()
        if code:
            try:
                item = item_by_label(viewer=request_user(request), code=code)
            except NotFound as exc:
                return render(
                    request, "property/scan.html", {"error": exc.message, "code": code}, status=404
                )
            return redirect("property:item_detail", item_id=item.pk)
        return render(request, "property/scan.html", {})


class ItemDocumentView(RoleRequiredMixin, View):
    """The item's label, or its court-ready chain-of-custody report, as PDF."""

    allowed_roles = HANDLERS

    def get(self, request: HttpRequest, item_id: int, document: str) -> HttpResponse:
        item = item_get(viewer=request_user(request), item_id=item_id)
        templates = {"label": "property/label_pdf.html", "custody": "property/custody_pdf.html"}
        if document not in templates:
            return HttpResponse(status=404)
        content = render_pdf(templates[document], _context(request, item), request)
        return pdf_response(f"{item.number}-{document}.pdf", content)


class LostReportListView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def get(self, request: HttpRequest) -> HttpResponse:
        reports = lost_report_list(viewer=request_user(request))
        status = request.GET.get("status", "open")
        if status in LostReport.Status.values:
            reports = reports.filter(status=status)
        page = Paginator(reports, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "property/lost_list.html",
            {"page": page, "status": status, "statuses": LostReport.Status.choices},
        )


class LostReportDetailView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def get(self, request: HttpRequest, report_id: int) -> HttpResponse:
        report = lost_report_get(viewer=request_user(request), report_id=report_id)
        matches = matches_for_report(report) if report.status == LostReport.Status.OPEN else []
        return render(request, "property/lost_detail.html", {"report": report, "matches": matches})


class LostMatchConfirmView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def post(self, request: HttpRequest, report_id: int) -> HttpResponse:
        viewer = request_user(request)
        report = lost_report_get(viewer=viewer, report_id=report_id)
        try:
            item = item_get(viewer=viewer, item_id=int(request.POST.get("item", "0") or 0))
            services.lost_match_confirm(actor=viewer, report=report, item=item)
        except (ValueError, DomainError) as exc:
            messages.error(request, getattr(exc, "message", "Choose a found item."))
        else:
            messages.success(request, f"{report.number} matched to {item.number}.")
        return redirect("property:lost_detail", report_id=report.pk)


class LostReturnView(RoleRequiredMixin, View):
    allowed_roles = frozenset({Role.SUPERVISOR, Role.ADMIN})

    def post(self, request: HttpRequest, report_id: int) -> HttpResponse:
        viewer = request_user(request)
        report = lost_report_get(viewer=viewer, report_id=report_id)
        try:
            services.lost_item_return(
                actor=viewer,
                report=report,
                identity_checked=request.POST.get("identity_checked", "").strip(),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{report.number}: returned to its owner.")
        return redirect("property:lost_detail", report_id=report.pk)


class ItemPhotoUploadView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def post(self, request: HttpRequest, item_id: int) -> HttpResponse:
        viewer = request_user(request)
        item = item_get(viewer=viewer, item_id=item_id)
        upload = request.FILES.get("photo")
        if upload is None:
            messages.error(request, "Choose a photo to add.")
        else:
            try:
                services.item_photo_add(
                    actor=viewer, item=item, upload=upload, size=upload.size or 0
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{item.number}: photo added.")
        return redirect("property:item_detail", item_id=item.pk)


class ItemPhotoView(RoleRequiredMixin, View):
    allowed_roles = HANDLERS

    def get(self, request: HttpRequest, item_id: int, photo_id: int, size: str) -> HttpResponse:
        viewer = request_user(request)
        item = item_get(viewer=viewer, item_id=item_id)
        photo = item.photos.filter(pk=photo_id).first()
        if photo is None:
            raise NotFound("No such photo.")
        try:
            data = services.item_photo_read(actor=viewer, photo=photo, size=size)
        except NotFound:
            raise
        except DomainError as exc:
            return HttpResponse(exc.message, status=409, content_type="text/plain")
        # The original is the camera's file, whatever its type: offer it as a download.
        content_type = "application/octet-stream" if size == "original" else photo.content_type
        response = HttpResponse(data, content_type=content_type)
        if size == "original":
            name = f"{item.number}-photo-{photo.pk}-original"
            response["Content-Disposition"] = f'attachment; filename="{name}"'

        response["Cache-Control"] = "private, no-store"
        return response
