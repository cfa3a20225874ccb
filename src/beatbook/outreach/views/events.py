"""Staff pages for events: the list, scheduling, and the event page where registrations are
decided, attendance taken, materials counted and follow-ups tracked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from beatbook.core.dates import days_since
from beatbook.core.exceptions import DomainError
from beatbook.core.forms import apply_error
from beatbook.core.history import history_for
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import ALL_STAFF_ROLES, ANALYTICS_ROLES
from beatbook.outreach import forms as outreach_forms
from beatbook.outreach import services
from beatbook.outreach.choices import EventKind, RegistrationStatus
from beatbook.outreach.models import Event, FollowUp, Registration
from beatbook.outreach.selectors import (
    event_calls_around,
    event_get,
    event_list,
    event_summary,
)
from beatbook.places.models import Beat

VIEWERS = ALL_STAFF_ROLES
ORGANISERS = services.ORGANISERS


class EventListView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        when = request.GET.get("when", "upcoming")
        when = when if when in {"upcoming", "past", "all"} else "upcoming"
        beat = request.GET.get("beat", "")
        kind = request.GET.get("kind", "")
        events = event_list(
            viewer=request_user(request),
            when=when,
            beat_id=int(beat) if beat.isdigit() else None,
            kind=kind if kind in EventKind.values else "",
        )[:200]
        return render(
            request,
            "outreach/event_list.html",
            {
                "events": events,
                "when": when,
                "beat": beat,
                "kind": kind,
                "beats": Beat.objects.only("name"),
                "kinds": EventKind.choices,
                "can_organise": request_user(request).role in ORGANISERS,
            },
        )


class EventCreateView(RoleRequiredMixin, View):
    allowed_roles = ORGANISERS

    def get(self, request: HttpRequest) -> HttpResponse:
        form = outreach_forms.EventForm()
        return render(request, "outreach/event_form.html", {"form": form, "event": None})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = outreach_forms.EventForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_create(actor=request_user(request), **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{event.number} scheduled.")
                return redirect("outreach:event_detail", event_id=event.pk)
        return render(
            request, "outreach/event_form.html", {"form": form, "event": None}, status=400
        )


class EventEditView(RoleRequiredMixin, View):
    allowed_roles = ORGANISERS

    def get(self, request: HttpRequest, event_id: int) -> HttpResponse:
        event = event_get(viewer=request_user(request), event_id=event_id)
        initial = {name: getattr(event, name) for name in services.EVENT_FIELDS}
        initial["starts_at"] = timezone.localtime(event.starts_at)
        initial["ends_at"] = timezone.localtime(event.ends_at)
        initial |= {"address": event.address_text, "partners": list(event.partners.all())}
        form = outreach_forms.EventForm(initial=initial)
        return render(request, "outreach/event_form.html", {"form": form, "event": event})

    def post(self, request: HttpRequest, event_id: int) -> HttpResponse:
        event = event_get(viewer=request_user(request), event_id=event_id)
        form = outreach_forms.EventForm(request.POST)
        if form.is_valid():
            try:
                services.event_update(actor=request_user(request), event=event, **form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{event.number} saved.")
                return redirect("outreach:event_detail", event_id=event.pk)
        return render(
            request, "outreach/event_form.html", {"form": form, "event": event}, status=400
        )


def _detail_context(request: HttpRequest, event: Event, **forms_: Any) -> dict[str, Any]:
    role = request_user(request).role
    return {
        "event": event,
        "summary": event_summary(event),
        "around": event_calls_around(event),
        "materials": list(event.materials.all()),
        "follow_ups": list(event.follow_ups.select_related("assigned_to")),
        "partners": list(event.partners.all()),
        "history": history_for(event),
        "can_organise": role in ORGANISERS,
        "can_decide": role in services.APPROVERS,
        "can_analyse": role in ANALYTICS_ROLES,
        "can_compare": days_since(timezone.localdate(event.starts_at)) >= 1,
        "pending": RegistrationStatus.PENDING,
        "confirmed": RegistrationStatus.CONFIRMED,
        "cancel_form": forms_.get("cancel_form") or outreach_forms.EventCancelForm(),
        "walk_ins_form": forms_.get("walk_ins_form")
        or outreach_forms.WalkInsForm(initial={"walk_ins": event.walk_ins}),
        "material_form": forms_.get("material_form") or outreach_forms.MaterialForm(),
        "follow_up_form": forms_.get("follow_up_form") or outreach_forms.FollowUpForm(),
        "decision_error": forms_.get("decision_error", ""),
    }


class EventDetailView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest, event_id: int) -> HttpResponse:
        event = event_get(viewer=request_user(request), event_id=event_id)
        return render(request, "outreach/event_detail.html", _detail_context(request, event))


class EventStepView(RoleRequiredMixin, View):
    """The event page's forms: cancel, walk-ins, materials, follow-ups."""

    allowed_roles = ORGANISERS
    forms = {
        "cancel": outreach_forms.EventCancelForm,
        "walk-ins": outreach_forms.WalkInsForm,
        "material": outreach_forms.MaterialForm,
        "follow-up": outreach_forms.FollowUpForm,
    }

    def post(self, request: HttpRequest, event_id: int, step: str) -> HttpResponse:
        actor = request_user(request)
        event = event_get(viewer=actor, event_id=event_id)
        form_class = self.forms.get(step)
        if form_class is None:
            return HttpResponse(status=404)
        form = form_class(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if step == "cancel":
                    services.event_cancel(actor=actor, event=event, reason=d["reason"])
                elif step == "walk-ins":
                    services.event_walk_ins_set(actor=actor, event=event, count=d["walk_ins"])
                elif step == "material":
                    services.material_record(actor=actor, event=event, **d)
                else:
                    services.follow_up_add(actor=actor, event=event, **d)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{event.number}: saved.")
                return redirect("outreach:event_detail", event_id=event.pk)
        key = {"walk-ins": "walk_ins_form", "follow-up": "follow_up_form"}.get(step, f"{step}_form")
        context = _detail_context(
            request, event_get(viewer=actor, event_id=event_id), **{key: form}
        )
        return render(request, "outreach/event_detail.html", context, status=400)


class RegistrationStepView(RoleRequiredMixin, View):
    """Decide a pending request, or check a confirmed registrant in (or out)."""

    allowed_roles = ORGANISERS

    def post(self, request: HttpRequest, event_id: int, registration_id: int, step: str) -> Any:
        actor = request_user(request)
        event = event_get(viewer=actor, event_id=event_id)
        registration = Registration.objects.filter(event=event, pk=registration_id).first()
        if registration is None or step not in {"decide", "check-in", "check-out"}:
            return HttpResponse(status=404)
        try:
            if step == "decide":
                form = outreach_forms.DecisionForm(request.POST)
                if not form.is_valid():
                    raise DomainError("Choose approve or decline.")
                services.registration_decide(
                    actor=actor,
                    registration=registration,
                    approve=form.cleaned_data["approve"],
                    note=form.cleaned_data["note"],
                )
            else:
                services.registration_attendance_set(
                    actor=actor, registration=registration, attended=step == "check-in"
                )
        except DomainError as exc:
            status = exc.http_status if exc.http_status in {400, 403, 409} else 400
            context = _detail_context(request, event, decision_error=exc.message)
            return render(request, "outreach/event_detail.html", context, status=status)
        return redirect("outreach:event_detail", event_id=event.pk)


class FollowUpDoneView(RoleRequiredMixin, View):
    allowed_roles = ORGANISERS

    def post(self, request: HttpRequest, event_id: int, follow_up_id: int) -> HttpResponse:
        actor = request_user(request)
        event = event_get(viewer=actor, event_id=event_id)
        follow_up = FollowUp.objects.filter(event=event, pk=follow_up_id).first()
        if follow_up is None:
            return HttpResponse(status=404)
        try:
            services.follow_up_done(actor=actor, follow_up=follow_up)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("outreach:event_detail", event_id=event.pk)
