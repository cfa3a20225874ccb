from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views import View

from beatbook.core.exceptions import DomainError
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import BOARD_ROLES, FIELD_ROLES
from beatbook.places.selectors import beat_get_by_name
from beatbook.roster import forms as roster_forms
from beatbook.roster import services
from beatbook.roster.models import Unit
from beatbook.roster.selectors import alarm_get, unit_for_user


def _own_unit(request: HttpRequest) -> Unit:
    return unit_for_user(user=request_user(request))


def _patrol_start(request: HttpRequest, data: dict[str, Any]) -> Any:
    beat = beat_get_by_name(name=data["beat"])
    return services.patrol_start(
        actor=request_user(request),
        unit=_own_unit(request),
        beat=beat,
    )


FIELD_ACTIONS: dict[
    str, tuple[type[forms.Form], Callable[[HttpRequest, dict[str, Any]], Any], str]
] = {
    "position": (
        roster_forms.PositionForm,
        lambda r, d: services.unit_position_set(actor=request_user(r), unit=_own_unit(r), **d),
        "",
    ),
    "status": (
        roster_forms.UnitStatusForm,
        lambda r, d: services.unit_status_set(actor=request_user(r), unit=_own_unit(r), **d),
        "Status updated.",
    ),
    "patrol-start": (roster_forms.PatrolStartForm, _patrol_start, "Patrol started."),
    "patrol-end": (
        roster_forms.PatrolEndForm,
        lambda r, d: services.patrol_end(actor=request_user(r), unit=_own_unit(r), **d),
        "Patrol ended.",
    ),
    "checkpoint": (
        roster_forms.CheckpointForm,
        lambda r, d: services.checkpoint_add(actor=request_user(r), unit=_own_unit(r), **d),
        "Checkpoint logged.",
    ),
    "emergency": (
        roster_forms.OptionalPositionForm,
        lambda r, d: services.alarm_raise(actor=request_user(r), unit=_own_unit(r), **d),
        "EMERGENCY sent to dispatch and your supervisor.",
    ),
}


class FieldActionView(RoleRequiredMixin, View):
    """A CSO's own unit: position reports, status, patrols, checkpoints, the emergency button."""

    allowed_roles = FIELD_ROLES

    def post(self, request: HttpRequest, action: str) -> HttpResponse:
        if action not in FIELD_ACTIONS:
            return HttpResponse(status=404)
        form_class, perform, done = FIELD_ACTIONS[action]
        form = form_class(request.POST)
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        if not form.is_valid():
            if wants_json:
                return JsonResponse({"code": "invalid_input", "detail": form.errors}, status=400)
            messages.error(
                request,
                "Not done: " + " ".join(" ".join(str(e) for e in v) for v in form.errors.values()),
            )
            return redirect("calls:field")
        try:
            perform(request, form.cleaned_data)
        except DomainError as exc:
            if wants_json:
                return JsonResponse(
                    {"code": exc.code, "detail": exc.message}, status=exc.http_status
                )
            messages.error(request, exc.message)
            return redirect("calls:field")
        if wants_json:
            return JsonResponse({"status": "ok"})
        if done:
            messages.success(request, done)
        return redirect("calls:field")


class AlarmAcknowledgeView(RoleRequiredMixin, View):
    allowed_roles = BOARD_ROLES

    def post(self, request: HttpRequest, alarm_id: int) -> HttpResponse:
        alarm = alarm_get(alarm_id=alarm_id)
        try:
            services.alarm_acknowledge(actor=request_user(request), alarm=alarm)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Emergency from {alarm.unit} acknowledged.")
        return redirect("calls:board")
