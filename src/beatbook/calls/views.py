from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views import View

from beatbook.calls import forms as call_forms
from beatbook.calls import services
from beatbook.calls.choices import CallSource, CallStatus
from beatbook.calls.models import Call
from beatbook.calls.public import tracking_url
from beatbook.calls.selectors import (
    BoardState,
    CallFilters,
    board_map_points,
    board_snapshot,
    board_state,
    board_state_version,
    call_answers_display,
    call_get,
    call_history,
    call_list,
    call_photo_get,
    field_version,
    field_view,
    unacknowledged_alarms,
    unit_recommendations,
)
from beatbook.core.after_response import after_response
from beatbook.core.csv_export import csv_response
from beatbook.core.exceptions import DomainError
from beatbook.core.live import unchanged
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import ALL_STAFF_ROLES, BOARD_ROLES, DISPATCH_ROLES, FIELD_ROLES
from beatbook.places.selectors import beats_for_patrol
from beatbook.roster.selectors import patrol_open_for

MAP_LIMIT = 1000
BOARD_CACHE_SECONDS = 120
LATEST_BOARD = "calls:board:latest"
BOARD_RENDERING = "calls:board:rendering"
BOARD_BUSY_FACTOR = 2  # a last render younger than two intervals: the board is busy


def _board_body(version: str, *, coalesce: bool) -> tuple[str, str]:
    """(the version shown, the board's shared body), rendered once per board version and
    taken from the cache by every other dispatcher. With `coalesce` (the poll), a version
    newer than the last render gets that render: at ten intakes a second the board would
    otherwise be rendered ten times a second (a snapshot of ~80 ms each with a hundred
    units then), which is what saturated the server under load (B8). When the last render
    is older than BEATBOOK_BOARD_REFRESH_SECONDS but the board is busy (rendered within
    two intervals), one process renders the new one after its response has gone out, so
    no poll waits for the ~20 ms render (under B8's load one poll in 25 did, which set the
    poll's p95). The poll's version header names the render it got, so the next poll
    brings the newer one. A quiet board renders in the poll, so a change shows at once."""
    body = cache.get(f"calls:board:{version}")
    if body is not None:
        return version, body
    if coalesce:
        latest = cache.get(LATEST_BOARD)
        if latest is not None:
            shown, body, rendered_at = latest
            age = time.time() - rendered_at
            refresh = settings.BEATBOOK_BOARD_REFRESH_SECONDS
            if age < refresh:
                return shown, body
            if age < refresh * BOARD_BUSY_FACTOR:
                if cache.add(BOARD_RENDERING, 1, timeout=10):  # else another process renders
                    after_response(lambda: _board_render(version, claimed=True))
                return shown, body
    return version, _board_render(version, claimed=False)


def _board_render(version: str, *, claimed: bool) -> str:
    """Render the board's body and keep it as `version` and as the latest render;
    `claimed`: this process took BOARD_RENDERING, and gives it back."""
    try:
        body = render_to_string("calls/_board_body.html", {"board": board_snapshot()})
        cache.set(f"calls:board:{version}", body, BOARD_CACHE_SECONDS)
        cache.set(LATEST_BOARD, (version, body, time.time()), BOARD_CACHE_SECONDS)
    finally:
        if claimed:
            cache.delete(BOARD_RENDERING)
    return body


def _board_context(state: BoardState, *, coalesce: bool = False) -> dict[str, Any]:
    """The live board: alarms (with this user's CSRF token, never held back) around the
    shared body."""
    shown, body = _board_body(state.version, coalesce=coalesce)
    return {
        "version": shown,
        "board_body": mark_safe(body),  # noqa: S308  (our own template's output)
        "alarms": unacknowledged_alarms() if state.alarms else [],
        "now": timezone.now(),
    }


class BoardView(RoleRequiredMixin, View):
    allowed_roles = BOARD_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        context = _board_context(board_state())
        return render(request, "calls/board.html", context)


class BoardLiveView(RoleRequiredMixin, View):
    """The board's live part, polled every few seconds without a page reload."""

    allowed_roles = BOARD_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        state = board_state()
        if unchanged(request, state.version):
            return HttpResponse(status=204)
        return render(request, "calls/_board.html", _board_context(state, coalesce=True))


class BoardMapView(RoleRequiredMixin, View):
    allowed_roles = BOARD_ROLES

    def get(self, request: HttpRequest) -> JsonResponse:
        # The map shows more than the list: points are cheap, and a cluster is worth seeing.
        # Like the board, it is built once per board version for every dispatcher.
        key = f"calls:board-map:{board_state_version()}"
        points = cache.get(key)
        if points is None:
            points = board_map_points(board_snapshot(limit=MAP_LIMIT))
            cache.set(key, points, BOARD_CACHE_SECONDS)
        return JsonResponse(points)


class CallIntakeView(RoleRequiredMixin, View):
    allowed_roles = DISPATCH_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "calls/call_form.html", {"form": call_forms.CallIntakeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = call_forms.CallIntakeForm(request.POST)
        if form.is_valid():
            try:
                call = services.call_intake(actor=request_user(request), **form.cleaned_data)
            except DomainError as exc:
                form.add_error(_form_field(exc, form), exc.message)
            else:
                messages.success(request, f"{call.number} taken.")
                return redirect("calls:call_detail", call_id=call.pk)
        return render(request, "calls/call_form.html", {"form": form}, status=400)


def _form_field(exc: DomainError, form: forms.Form) -> str | None:
    name = getattr(exc, "field", None)
    if name == "location":
        return "address"
    return name if name in form.fields else None


class CallListView(RoleRequiredMixin, View):
    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest) -> HttpResponseBase:
        form = call_forms.CallFilterForm(request.GET)
        filters = CallFilters()
        if form.is_valid():
            d = form.cleaned_data
            tz = timezone.get_current_timezone()
            filters = CallFilters(
                open_only=d["status"] == "open",
                call_type=d["call_type"],
                beat=d["beat"],
                text=d["q"],
                since=dt.datetime.combine(d["since"], dt.time(), tz) if d["since"] else None,
                until=(
                    dt.datetime.combine(d["until"], dt.time(), tz) + dt.timedelta(days=1)
                    if d["until"]
                    else None
                ),
            )
        calls = call_list(viewer=request_user(request), filters=filters)
        if request.GET.get("format") == "csv":
            return csv_response(
                "calls.csv",
                [
                    "number",
                    "received_at",
                    "type",
                    "apco",
                    "source",
                    "priority",
                    "beat",
                    "block",
                    "status",
                    "unit",
                    "dispatched_at",
                    "on_scene_at",
                    "closed_at",
                    "disposition",
                ],
                (
                    [
                        c.number,
                        c.received_at.isoformat(),
                        c.call_type.code,
                        c.call_type.apco_code,
                        c.source,
                        c.priority,
                        c.beat.name,
                        c.block_text,
                        c.status,
                        c.assigned_unit.call_sign if c.assigned_unit else "",
                        c.dispatched_at.isoformat() if c.dispatched_at else "",
                        c.on_scene_at.isoformat() if c.on_scene_at else "",
                        c.closed_at.isoformat() if c.closed_at else "",
                        c.disposition,
                    ]
                    for c in calls
                ),
            )
        page = Paginator(calls, 50).get_page(request.GET.get("page"))
        return render(request, "calls/call_list.html", {"form": form, "page": page})


class CallDetailView(RoleRequiredMixin, View):
    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest, call_id: int) -> HttpResponse:
        call = call_get(viewer=request_user(request), call_id=call_id)
        can_dispatch = request_user(request).role in DISPATCH_ROLES
        context = {
            "call": call,
            "history": call_history(call=call),
            "notes": call.notes.select_related("author"),
            "recommendations": (
                unit_recommendations(call=call)
                if can_dispatch and call.status == CallStatus.QUEUED
                else []
            ),
            "can_dispatch": can_dispatch,
            "is_assignee": bool(
                call.assigned_unit and call.assigned_unit.user_id == request.user.pk
            ),
            "clear_form": call_forms.ClearForm(),
            "refer_form": call_forms.ReferForm(),
            "note_form": call_forms.NoteForm(),
            "tracking_url": tracking_url(call) if call.public_token else "",
            "photos": list(call.photos.all()),
            "supporters": call.supporters.count(),
            "answers": call_answers_display(call=call),
        }
        return render(request, "calls/call_detail.html", context)


class CallPhotoView(RoleRequiredMixin, View):
    """A call's photo for staff who may see the call."""

    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest, call_id: int, photo_id: int) -> HttpResponse:
        photo = call_photo_get(viewer=request_user(request), call_id=call_id, photo_id=photo_id)
        with photo.image.open("rb") as f:
            return HttpResponse(f.read(), content_type=photo.content_type)


# step → the form that validates its input (None: the step takes no input)
CALL_ACTION_FORMS: dict[str, type[forms.Form] | None] = {
    "dispatch": call_forms.DispatchForm,
    "en-route": None,
    "on-scene": None,
    "clear": call_forms.ClearForm,
    "escalate": call_forms.ReasonForm,
    "refer": call_forms.ReferForm,
    "cancel": call_forms.ReasonForm,
    "unassign": call_forms.ReasonForm,
    "override-triage": call_forms.ReasonForm,
    "merge": call_forms.MergeForm,
    "keep-apart": None,
    "note": call_forms.NoteForm,
}


class CallActionView(RoleRequiredMixin, View):
    """Every step on a call from a button: validate the form, call the service, go back."""

    allowed_roles = ALL_STAFF_ROLES

    def post(self, request: HttpRequest, call_id: int, action: str) -> HttpResponse:
        call = call_get(viewer=request_user(request), call_id=call_id)
        if action not in CALL_ACTION_FORMS:
            return HttpResponse(status=404)
        form_class = CALL_ACTION_FORMS[action]
        data: dict[str, Any] = {}
        if form_class is not None:
            form = form_class(request.POST)
            if not form.is_valid():
                errors = "; ".join(
                    f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items()
                )
                messages.error(request, f"Not done: {errors}")
                return self._back(request, call, status=400)
            data = form.cleaned_data
        try:
            services.call_step(step=action, actor=request_user(request), call=call, data=data)
        except DomainError as exc:
            messages.error(request, exc.message)
            return self._back(request, call, status=exc.http_status)
        messages.success(request, f"{call.number}: {action.replace('-', ' ')} done.")
        return self._back(request, call)

    def _back(self, request: HttpRequest, call: Call, status: int = 302) -> HttpResponse:
        target = request.POST.get("next") or reverse("calls:call_detail", args=[call.pk])
        if not target.startswith("/") or target.startswith("//"):
            target = reverse("calls:call_detail", args=[call.pk])
        if status != 302 and not request.headers.get("HX-Request"):
            # Back to the page with the message; the status still tells scripts it failed.
            response = redirect(target)
            response["X-Beatbook-Error"] = str(status)
            return response
        return redirect(target)


class FieldHomeView(RoleRequiredMixin, View):
    """The CSO's phone view."""

    allowed_roles = FIELD_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        view = field_view(user=request_user(request))
        version = field_version(view)
        if unchanged(request, version):
            return HttpResponse(status=204)
        patrol = patrol_open_for(unit=view.unit) if view.unit else None
        return render(
            request,
            "calls/field.html",
            {
                "field": view,
                "version": version,
                "patrol": patrol,
                "beats": beats_for_patrol(user=request_user(request)),
                "clear_form": call_forms.ClearForm(),
                "refer_form": call_forms.ReferForm(),
                "note_form": call_forms.NoteForm(),
                "field_form": call_forms.FieldCallForm(),
            },
        )


class FieldCallCreateView(RoleRequiredMixin, View):
    allowed_roles = FIELD_ROLES

    def post(self, request: HttpRequest) -> HttpResponse:
        form = call_forms.FieldCallForm(request.POST)
        if form.is_valid():
            try:
                call = services.call_intake(
                    actor=request_user(request),
                    source=CallSource.FIELD,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{call.number} started; you are on scene.")
        else:
            messages.error(
                request,
                "Not started: "
                + " ".join(" ".join(str(e) for e in v) for v in form.errors.values()),
            )
        return redirect("calls:field")
