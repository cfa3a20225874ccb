"""Staff pages for volunteers: who is vetted for what, each volunteer's checks and shifts,
scheduling shifts, and the hours export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views import View

from beatbook.core.csv_export import csv_response
from beatbook.core.exceptions import DomainError
from beatbook.core.history import history_for
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import ALL_STAFF_ROLES
from beatbook.outreach import forms as outreach_forms
from beatbook.outreach.choices import VolunteerProgram
from beatbook.outreach.selectors import (
    shifts_upcoming,
    signups_for,
    vetting_gaps,
    volunteer_get,
    volunteer_hours,
    volunteer_standings,
)
from beatbook.outreach.services import volunteers as services
from beatbook.outreach.views.events import apply_error

COORDINATORS = services.COORDINATORS
LEADERS = services.SHIFT_LEADERS
VIEWERS = ALL_STAFF_ROLES - {"dispatcher"}  # volunteers' details are outreach staff's only


class VolunteerListView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        return render(
            request,
            "outreach/volunteer_list.html",
            {
                "standings": volunteer_standings(viewer=request_user(request)),
                "form": outreach_forms.VolunteerForm(),
                "can_coordinate": request_user(request).role in COORDINATORS,
                "month_start": today.replace(day=1),
                "today": today,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if request_user(request).role not in COORDINATORS:
            return HttpResponse(status=403)
        form = outreach_forms.VolunteerForm(request.POST)
        if form.is_valid():
            try:
                person = services.volunteer_add(actor=request_user(request), **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{person.name} enrolled; their link is on its way.")
                return redirect("outreach:volunteer_detail", volunteer_id=person.pk)
        context = {
            "standings": volunteer_standings(viewer=request_user(request)),
            "form": form,
            "can_coordinate": True,
        }
        return render(request, "outreach/volunteer_list.html", context, status=400)


def _volunteer_context(request: HttpRequest, volunteer_id: int, **extra: Any) -> dict[str, Any]:
    person = volunteer_get(viewer=request_user(request), volunteer_id=volunteer_id)
    today = timezone.localdate()
    return {
        "volunteer": person,
        "checks": list(person.checks.select_related("recorded_by")),
        "signups": list(signups_for(person)),
        "gaps": {
            label: vetting_gaps(person, program, on=today)
            for program, label in VolunteerProgram.choices
        },
        "history": history_for(person),
        "vetting_form": extra.get("vetting_form") or outreach_forms.VettingForm(),
        "can_coordinate": request_user(request).role in COORDINATORS,
        "today": today,
    }


class VolunteerDetailView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest, volunteer_id: int) -> HttpResponse:
        context = _volunteer_context(request, volunteer_id)
        return render(request, "outreach/volunteer_detail.html", context)


class VettingRecordView(RoleRequiredMixin, View):
    allowed_roles = COORDINATORS

    def post(self, request: HttpRequest, volunteer_id: int) -> HttpResponse:
        person = volunteer_get(viewer=request_user(request), volunteer_id=volunteer_id)
        form = outreach_forms.VettingForm(request.POST)
        if form.is_valid():
            try:
                services.vetting_record(
                    actor=request_user(request), volunteer=person, **form.cleaned_data
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, "Check recorded.")
                return redirect("outreach:volunteer_detail", volunteer_id=person.pk)
        context = _volunteer_context(request, volunteer_id, vetting_form=form)
        return render(request, "outreach/volunteer_detail.html", context, status=400)


class ShiftListView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, outreach_forms.ShiftForm(initial={"leader": request.user}))

    def post(self, request: HttpRequest) -> HttpResponse:
        if request_user(request).role not in LEADERS:
            return HttpResponse(status=403)
        form = outreach_forms.ShiftForm(request.POST)
        if form.is_valid():
            try:
                services.shift_create(actor=request_user(request), **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, "Shift scheduled.")
                return redirect("outreach:shift_list")
        return self._render(request, form, status=400)

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        context = {
            "shifts": shifts_upcoming()[:200],
            "form": form,
            "can_schedule": request_user(request).role in LEADERS,
        }
        return render(request, "outreach/shift_list.html", context, status=status)


class HoursExportView(RoleRequiredMixin, View):
    """Logged hours per volunteer and program, for grant reports and recognition."""

    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponseBase:
        today = timezone.localdate()
        start = parse_date(request.GET.get("start", "")) or today.replace(day=1)
        end = parse_date(request.GET.get("end", "")) or today
        if end < start or end - start > dt.timedelta(days=3660):
            detail = "start must be on or before end, and at most ten years before it"
            return JsonResponse({"code": "bad_range", "detail": detail}, status=400)
        rows = volunteer_hours(start=start, end=end)
        return csv_response(
            f"volunteer-hours-{start}-{end}.csv",
            ["volunteer", "program", "shifts", "hours"],
            [[r.volunteer, r.program, r.shifts, r.hours] for r in rows],
        )
