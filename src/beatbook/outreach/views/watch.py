"""Staff pages for neighbourhood watch groups: the groups, their members (contact details for
outreach staff only), meetings, and messages to the members who agreed to them."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from beatbook.core.dates import days_since
from beatbook.core.exceptions import DomainError, NotFound
from beatbook.core.history import history_for
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import ANALYTICS_ROLES
from beatbook.outreach import forms as outreach_forms
from beatbook.outreach.models import WatchGroup, WatchMember
from beatbook.outreach.services import watch as services
from beatbook.outreach.views.events import apply_error

STAFF = services.WATCH_STAFF


def _group(group_id: int) -> WatchGroup:
    group = WatchGroup.objects.select_related("beat", "liaison").filter(pk=group_id).first()
    if group is None:
        raise NotFound("No such watch group.")
    return group


class WatchGroupListView(RoleRequiredMixin, View):
    allowed_roles = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        form = outreach_forms.WatchGroupForm(initial={"liaison": request.user})
        return self._render(request, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = outreach_forms.WatchGroupForm(request.POST)
        if form.is_valid():
            try:
                group = services.watch_group_create(
                    actor=request_user(request), **form.cleaned_data
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, f"{group.name} started.")
                return redirect("outreach:watch_detail", group_id=group.pk)
        return self._render(request, form, status=400)

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        groups = (
            WatchGroup.objects.select_related("beat", "liaison")
            .defer("beat__geometry")
            .order_by("name")
        )
        context = {"groups": groups, "form": form}
        return render(request, "outreach/watch_list.html", context, status=status)


def _detail(request: HttpRequest, group: WatchGroup, status: int = 200, **forms_: Any) -> Any:
    context = {
        "group": group,
        "area_json": json.dumps(group.area) if group.area else "",
        "members": list(group.members.filter(withdrawn_at__isnull=True)),
        "former": group.members.filter(withdrawn_at__isnull=False).count(),
        "meetings": list(group.meetings.all()[:20]),
        "sent": list(group.messages.select_related("sent_by")[:20]),
        "history": history_for(group),
        "can_analyse": request_user(request).role in ANALYTICS_ROLES,
        "can_compare": days_since(group.started_on) >= 1,  # a whole day after it
        "member_form": forms_.get("member") or outreach_forms.WatchMemberForm(),
        "meeting_form": forms_.get("meeting") or outreach_forms.WatchMeetingForm(),
        "message_form": forms_.get("message") or outreach_forms.WatchMessageForm(),
    }
    return render(request, "outreach/watch_detail.html", context, status=status)


class WatchGroupDetailView(RoleRequiredMixin, View):
    allowed_roles = STAFF

    def get(self, request: HttpRequest, group_id: int) -> HttpResponse:
        return _detail(request, _group(group_id))


class WatchStepView(RoleRequiredMixin, View):
    allowed_roles = STAFF
    forms = {
        "member": outreach_forms.WatchMemberForm,
        "meeting": outreach_forms.WatchMeetingForm,
        "message": outreach_forms.WatchMessageForm,
    }

    def post(self, request: HttpRequest, group_id: int, step: str) -> HttpResponse:
        group = _group(group_id)
        actor = request_user(request)
        form_class = self.forms.get(step)
        if form_class is None:
            return HttpResponse(status=404)
        form = form_class(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if step == "member":
                    services.watch_member_add(actor=actor, group=group, **d)
                elif step == "meeting":
                    services.watch_meeting_record(actor=actor, group=group, **d)
                else:
                    services.watch_message_send(actor=actor, group=group, **d)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, "Saved." if step != "message" else "Message sent.")
                return redirect("outreach:watch_detail", group_id=group.pk)
        return _detail(request, group, status=400, **{step: form})


class WatchMemberWithdrawView(RoleRequiredMixin, View):
    allowed_roles = STAFF

    def post(self, request: HttpRequest, group_id: int, member_id: int) -> HttpResponse:
        group = _group(group_id)
        member = WatchMember.objects.filter(group=group, pk=member_id).first()
        if member is None:
            return HttpResponse(status=404)
        try:
            services.watch_member_withdraw(actor=request_user(request), member=member)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("outreach:watch_detail", group_id=group.pk)
