"""Staff pages of the directory and referrals: search (the CSO's phone view), a service,
referring a resident, following referrals up, importing and exporting HSDS, and the
entries nobody has verified lately."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views import View

from beatbook.core.exceptions import DomainError, NotFound
from beatbook.core.forms import apply_error
from beatbook.core.history import history_for
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import EVERY_ROLE
from beatbook.resources import forms as resource_forms
from beatbook.resources import selectors
from beatbook.resources.choices import ConsentScope, ContactMethod
from beatbook.resources.exceptions import DirectoryImportRejected
from beatbook.resources.models import Location, Organization, Referral, Service
from beatbook.resources.search import search_run
from beatbook.resources.services import directory, editing, referrals

SEARCHERS = EVERY_ROLE
REFERRERS = referrals.REFERRERS
EDITORS = directory.DIRECTORY_EDITORS


def _service(service_id: Any) -> Service:
    service = (
        Service.objects.select_related("organization")
        .prefetch_related(
            "phones", "schedules", "languages", "terms", "at_locations__location__addresses"
        )
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise NotFound("No such service.")
    return service


def _call_for(request: HttpRequest, call_id: Any) -> Any:
    """The call a CSO is referring from, if they may see it."""
    from beatbook.calls.selectors import call_get_optional

    return call_get_optional(viewer=request_user(request), call_id=call_id)


def _report_for(request: HttpRequest, report_id: Any) -> Any:
    """The incident report a CSO is referring from, if they may see it."""
    if not report_id:
        return None
    from beatbook.records.selectors import report_get

    try:
        return report_get(viewer=request_user(request), report_id=int(report_id))
    except (ValueError, DomainError):
        return None


class SearchView(RoleRequiredMixin, View):
    allowed_roles = SEARCHERS

    def get(self, request: HttpRequest) -> HttpResponse:
        call = _call_for(request, request.GET.get("call"))
        near = (call.lat, call.lon) if call is not None else None
        label = call.block_text if call is not None else ""
        params = request.GET.copy()
        params.pop("call", None)
        report = _report_for(request, params.pop("report", [""])[0])
        search = search_run(
            params, language_code=translation.get_language() or "en", near=near, place_label=label
        )
        context = {
            "search": search,
            "call": call,
            "report": report,
            "can_refer": request_user(request).role in REFERRERS,
            "stale_count": selectors.stale_services().count()
            if request_user(request).role in EDITORS
            else None,
        }
        return render(request, "resources/search.html", context)


class ServiceDetailView(RoleRequiredMixin, View):
    allowed_roles = SEARCHERS

    def get(self, request: HttpRequest, service_id: str) -> HttpResponse:
        service = _service(service_id)
        context = {
            "service": service,
            "locations": [sal.location for sal in service.at_locations.all()],
            "is_stale": selectors.service_is_stale(service),
            "can_verify": request_user(request).role in EDITORS | {"cso"},
            "can_edit": request_user(request).role in EDITORS,
            "can_refer": request_user(request).role in REFERRERS,
            "history": history_for(service),
            "call_id": request.GET.get("call", ""),
        }
        return render(request, "resources/service_detail.html", context)

    def post(self, request: HttpRequest, service_id: str) -> HttpResponse:
        service = _service(service_id)
        try:
            directory.service_verify(actor=request_user(request), service=service)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{service.name} marked verified today.")
        return redirect("resources:service_detail", service_id=service.pk)


class ServiceEditView(RoleRequiredMixin, View):
    """Add a service, or correct one, without an HSDS round trip."""

    allowed_roles = EDITORS

    def get(self, request: HttpRequest, service_id: str | None = None) -> HttpResponse:
        service = _service(service_id) if service_id else None
        initial: dict[str, Any] = {"status": "active"}
        if service is not None:
            location = next((sal.location for sal in service.at_locations.all()), None)
            address = location.addresses.first() if location else None
            initial = {
                **{name: getattr(service, name) for name in editing.SERVICE_FIELDS},
                "organization_name": service.organization.name,
                "needs": [t for t in service.terms.all() if t.parent_id is None]
                or [t.parent for t in service.terms.all() if t.parent_id],
                "address": address.address_1 if address else "",
                "phones": ", ".join(p.number for p in service.phones.all()),
                "hours": editing.hours_text(service),
                "languages": ", ".join(lang.name for lang in service.languages.all()),
            }
        form = resource_forms.ServiceEditForm(initial=initial)
        return render(request, "resources/service_form.html", {"form": form, "service": service})

    def post(self, request: HttpRequest, service_id: str | None = None) -> HttpResponse:
        service = _service(service_id) if service_id else None
        form = resource_forms.ServiceEditForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                saved = editing.service_save(
                    actor=request_user(request),
                    service=service,
                    organization_name=data.pop("organization_name"),
                    needs=list(data.pop("needs")),
                    address=data.pop("address"),
                    phones=data.pop("phones"),
                    hours=data.pop("hours"),
                    languages=data.pop("languages"),
                    **data,
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{saved.name} saved.")
                return redirect("resources:service_detail", service_id=saved.pk)
        context = {"form": form, "service": service}
        return render(request, "resources/service_form.html", context, status=400)


class ReferralCreateView(RoleRequiredMixin, View):
    allowed_roles = REFERRERS

    def get(self, request: HttpRequest) -> HttpResponse:
        service = _service(request.GET.get("service") or "00000000-0000-0000-0000-000000000000")
        call = _call_for(request, request.GET.get("call"))
        report = _report_for(request, request.GET.get("report"))
        need = service.terms.filter(parent__isnull=True).first() or (
            service.terms.first().parent if service.terms.exists() else None  # type: ignore[union-attr]
        )
        initial: dict[str, Any] = {
            "service": service.pk,
            "need": need.pk if need else None,
            "call": call.pk if call else None,
            "report": report.pk if report else None,
            "contact_method": ContactMethod.WARM_HANDOFF,
        }
        if call is not None:
            initial.update(
                resident_name=call.caller_name,
                resident_phone=call.caller_phone,
                resident_email=getattr(call, "caller_email", ""),
                resident_language=getattr(call, "contact_language", "en") or "en",
            )
        form = resource_forms.ReferralForm(initial=initial)
        return self._render(request, form, service, call, report)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = resource_forms.ReferralForm(request.POST)
        service = _service(request.POST.get("service") or "00000000-0000-0000-0000-000000000000")
        call = _call_for(request, request.POST.get("call"))
        report = _report_for(request, request.POST.get("report"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = referrals.referral_create(
                    actor=request_user(request),
                    resident_name=data["resident_name"],
                    resident_phone=data["resident_phone"],
                    resident_email=data["resident_email"],
                    resident_language=data["resident_language"],
                    need=data["need"],
                    service=data["service"],
                    consent_scopes=data["consent_scopes"],
                    consent_method=data["consent_method"],
                    contact_method=data["contact_method"],
                    note=data["note"],
                    call=call,
                    report=report,
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    f"{referral.number}: {referral.resident_name} referred to {service.name}.",
                )
                return redirect("resources:referral_detail", referral_id=referral.pk)
        return self._render(request, form, service, call, report, status=400)

    def _render(
        self,
        request: HttpRequest,
        form: Any,
        service: Service,
        call: Any,
        report: Any = None,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            "form": form,
            "service": service,
            "call": call,
            "report": report,
            "scopes": ConsentScope,
        }
        return render(request, "resources/referral_form.html", context, status=status)


class ReferralListView(RoleRequiredMixin, View):
    allowed_roles = REFERRERS

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        rows = selectors.referrals_visible_to(user)
        status = request.GET.get("status", "")
        if status == "due":
            rows = rows.filter(pk__in=selectors.referrals_awaiting_answer().values("pk"))
        elif status:
            rows = rows.filter(status=status)
        context = {
            "referrals": rows[:200],
            "status": status,
            "due_ids": set(selectors.referrals_awaiting_answer().values_list("pk", flat=True)),
        }
        return render(request, "resources/referral_list.html", context)


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    found = selectors.referrals_visible_to(request_user(request)).filter(pk=referral_id).first()
    if found is None:
        raise NotFound("No such referral.")
    return found


class ReferralDetailView(RoleRequiredMixin, View):
    allowed_roles = REFERRERS

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        referral = _referral(request, referral_id)
        form = resource_forms.ReferralStatusForm(current=referral.status)
        return self._render(request, referral, form)

    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        referral = _referral(request, referral_id)
        form = resource_forms.ReferralStatusForm(request.POST, current=referral.status)
        if form.is_valid():
            try:
                referrals.referral_status_set(
                    actor=request_user(request),
                    referral=referral,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, "Referral updated.")
                return redirect("resources:referral_detail", referral_id=referral.pk)
        return self._render(request, referral, form, status=400)

    def _render(
        self, request: HttpRequest, referral: Referral, form: Any, status: int = 200
    ) -> HttpResponse:
        context = {
            "referral": referral,
            "form": form,
            "updates": referral.updates.all(),
            "history": history_for(referral),
            "scope_labels": [ConsentScope(s).label for s in referral.consent_scopes],
        }
        return render(request, "resources/referral_detail.html", context, status=status)


class DirectoryAdminView(RoleRequiredMixin, View):
    """Import an HSDS file, download the directory, and see what needs verifying."""

    allowed_roles = EDITORS

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, resource_forms.DirectoryImportForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = resource_forms.DirectoryImportForm(request.POST, request.FILES)
        problems: list[str] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                imported = directory.directory_import_upload(
                    actor=request_user(request), name=upload.name, data=upload.read()
                )
            except DirectoryImportRejected as exc:
                problems = exc.problems
                form.add_error("file", "Nothing was imported; see the problems below.")
            else:
                counts = imported.counts
                messages.success(
                    request,
                    f"Imported {counts['service']} services, {counts['organization']} "
                    f"organisations, {counts['location']} locations.",
                )
                if imported.skipped_tables:
                    messages.warning(
                        request,
                        "Left out, as Beatbook keeps no such records: "
                        f"{', '.join(imported.skipped_tables)}.",
                    )
                return redirect("resources:directory_admin")
        return self._render(request, form, problems, status=400)

    def _render(
        self, request: HttpRequest, form: Any, problems: list[str] | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "problems": problems or [],
            "stale": selectors.stale_services()[:100],
            "stale_days": settings.BEATBOOK_RESOURCE_VERIFY_DAYS,
            "counts": {
                "organisations": Organization.objects.count(),
                "services": Service.objects.count(),
                "locations": Location.objects.count(),
            },
        }
        return render(request, "resources/directory_admin.html", context, status=status)


class ExportJsonView(RoleRequiredMixin, View):
    allowed_roles = EDITORS

    def get(self, request: HttpRequest) -> HttpResponse:
        import json

        response = HttpResponse(
            json.dumps(directory.directory_document(), indent=1, ensure_ascii=False),
            content_type="application/json",
        )
        response["Content-Disposition"] = 'attachment; filename="hsds-services.json"'
        return response


class ExportPackageView(RoleRequiredMixin, View):
    allowed_roles = EDITORS

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(directory.directory_package_zip(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="hsds-datapackage.zip"'
        return response
