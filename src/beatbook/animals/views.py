from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from beatbook.animals import forms as animal_forms
from beatbook.animals import services
from beatbook.animals.choices import CaseKind, CaseStatus
from beatbook.animals.matching import matches_for_case, matches_for_lost_animal
from beatbook.animals.models import AnimalCase, LostAnimalReport
from beatbook.animals.selectors import (
    bite_for,
    case_get,
    case_list,
    lost_animal_get,
    lost_animal_list,
    quarantines_running,
)
from beatbook.calls.selectors import call_get
from beatbook.core.csv_export import csv_response
from beatbook.core.exceptions import DomainError, ValidationFailed
from beatbook.core.history import history_for
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import Role

VIEWERS = frozenset({Role.CSO, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
FIELD = frozenset({Role.CSO, Role.SUPERVISOR, Role.ADMIN})
STEP_DONE = {
    "capture": "capture recorded",
    "transport": "on the way to the shelter",
    "impound": "impound recorded",
    "notify": "owner notice recorded",
    "return": "returned to its owner",
    "close": "case closed",
    "quarantine-result": "quarantine result recorded",
}


class CaseListView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        viewer = request_user(request)
        status = request.GET.get("status", "active")
        cases = case_list(
            viewer=viewer,
            status=status,
            kind=request.GET.get("kind", ""),
            text=request.GET.get("q", "").strip(),
        )
        if request.GET.get("format") == "csv":
            return csv_response(
                "animal-cases.csv",
                ["number", "kind", "status", "outcome", "animal", "block", "opened", "closed"],
                (
                    [
                        c.number,
                        c.kind,
                        c.status,
                        c.outcome,
                        str(c.animal or ""),
                        c.block_text,
                        c.created_at.isoformat(),
                        c.closed_at.isoformat() if c.closed_at else "",
                    ]
                    for c in cases
                ),
            )
        return render(
            request,
            "animals/case_list.html",
            {
                "page": Paginator(cases, 50).get_page(request.GET.get("page")),
                "status": status,
                "kind": request.GET.get("kind", ""),
                "statuses": [("active", "Active"), *CaseStatus.choices, ("", "All")],
                "kinds": CaseKind.choices,
                "quarantines": quarantines_running(viewer=viewer),
                "today": timezone.localdate(),
                "lost_open": lost_animal_list(viewer=viewer).count(),
            },
        )


class CaseOpenView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = animal_forms.CaseOpenForm(initial={"call": request.GET.get("call")})
        return self._render(request, form)

    def _render(
        self, request: HttpRequest, form: animal_forms.CaseOpenForm, status: int = 200
    ) -> HttpResponse:
        call_id = form.data.get("call") or form.initial.get("call")
        call = None
        if call_id and str(call_id).isdigit():
            call = call_get(viewer=request_user(request), call_id=int(call_id))
        return render(
            request, "animals/case_open.html", {"form": form, "call": call}, status=status
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        viewer = request_user(request)
        form = animal_forms.CaseOpenForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            call_id = data.pop("call")
            try:
                call = call_get(viewer=viewer, call_id=call_id) if call_id else None
                case = services.case_open(actor=viewer, call=call, **data)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{case.number} opened.")
                return redirect("animals:case_detail", case_id=case.pk)
        return self._render(request, form, status=400)


def _detail_context(request: HttpRequest, case: AnimalCase, **forms: Any) -> dict[str, Any]:
    animal = case.animal
    initial = {f: getattr(animal, f) for f in services.ANIMAL_FIELDS} if animal else {}
    return {
        "case": case,
        "bite": bite_for(case),
        "history": history_for(case),
        "animal_form": forms.get("animal_form") or animal_forms.AnimalForm(initial=initial),
        "owner_form": forms.get("owner_form") or animal_forms.OwnerForm(),
        "bite_form": forms.get("bite_form") or animal_forms.BiteForm(),
        "step_form": animal_forms.StepForm(),
        "matches": matches_for_case(case),
        "can_field": request_user(request).role in FIELD,
    }


class CaseDetailView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest, case_id: int) -> HttpResponse:
        case = case_get(viewer=request_user(request), case_id=case_id)
        return render(request, "animals/case_detail.html", _detail_context(request, case))


class CaseFormView(RoleRequiredMixin, View):
    """The animal, owner and bite forms: errors come back next to the field they concern."""

    allowed_roles = VIEWERS
    forms = {
        "animal": animal_forms.AnimalForm,
        "owner": animal_forms.OwnerForm,
        "bite": animal_forms.BiteForm,
    }

    def post(self, request: HttpRequest, case_id: int, form_name: str) -> HttpResponse:
        viewer = request_user(request)
        case = case_get(viewer=viewer, case_id=case_id)
        form_class = self.forms.get(form_name)
        if form_class is None:
            return HttpResponse(status=404)
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if form_name == "animal":
                    services.animal_record(actor=viewer, case=case, **form.cleaned_data)
                elif form_name == "owner":
                    services.owner_record(actor=viewer, case=case, **form.cleaned_data)
                else:
                    services.bite_record(actor=viewer, case=case, **form.cleaned_data)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{case.number}: {form_name} saved.")
                return redirect("animals:case_detail", case_id=case.pk)
        case = case_get(viewer=viewer, case_id=case_id)
        context = _detail_context(request, case, **{f"{form_name}_form": form})
        return render(request, "animals/case_detail.html", context, status=400)


class CaseStepView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def post(self, request: HttpRequest, case_id: int, step: str) -> HttpResponse:
        viewer = request_user(request)
        case = case_get(viewer=viewer, case_id=case_id)
        form = animal_forms.StepForm(request.POST)
        form.is_valid()
        d = form.cleaned_data
        try:
            if step == "capture":
                services.case_capture(actor=viewer, case=case, note=d.get("note", ""))
            elif step == "transport":
                if d.get("shelter") is None:
                    raise ValidationFailed("Choose the shelter.", field="shelter")
                services.case_transport(actor=viewer, case=case, shelter=d["shelter"])
            elif step == "impound":
                services.case_impound(
                    actor=viewer, case=case, shelter_reference=d.get("shelter_reference", "")
                )
            elif step == "notify":
                services.owner_notify(
                    actor=viewer, case=case, by_phone_note=d.get("by_phone_note", "")
                )
            elif step == "return":
                services.case_return(
                    actor=viewer, case=case, identity_checked=d.get("identity_checked", "")
                )
            elif step == "close":
                services.case_close(
                    actor=viewer, case=case, outcome=d.get("outcome", ""), note=d.get("note", "")
                )
            elif step == "quarantine-result":
                services.quarantine_result(actor=viewer, case=case, result=d.get("result", ""))
            else:
                return HttpResponse(status=404)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{case.number}: {STEP_DONE[step]}.")
        return redirect("animals:case_detail", case_id=case.pk)


class LostAnimalListView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "open")
        reports = lost_animal_list(viewer=request_user(request), status=status)
        return render(
            request,
            "animals/lost_list.html",
            {
                "page": Paginator(reports, 50).get_page(request.GET.get("page")),
                "status": status,
                "statuses": LostAnimalReport.Status.choices,
            },
        )


class LostAnimalDetailView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest, report_id: int) -> HttpResponse:
        report = lost_animal_get(viewer=request_user(request), report_id=report_id)
        matches = (
            matches_for_lost_animal(report) if report.status == LostAnimalReport.Status.OPEN else []
        )
        return render(
            request,
            "animals/lost_detail.html",
            {"report": report, "matches": matches, "history": history_for(report)},
        )


class LostAnimalMatchView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def post(self, request: HttpRequest, report_id: int) -> HttpResponse:
        viewer = request_user(request)
        report = lost_animal_get(viewer=viewer, report_id=report_id)
        try:
            case = case_get(viewer=viewer, case_id=int(request.POST.get("case", "0") or 0))
            services.lost_animal_match_confirm(actor=viewer, report=report, case=case)
        except (ValueError, DomainError) as exc:
            messages.error(request, getattr(exc, "message", "Choose a case."))
        else:
            messages.success(request, f"{report.number} matched to {case.number}.")
        return redirect("animals:lost_detail", report_id=report.pk)
