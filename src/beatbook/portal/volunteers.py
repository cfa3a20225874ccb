"""A volunteer's own pages, opened with the secret link from their welcome email: shifts they
may sign up for, their calendar feed, and the patrol log with observations for dispatch."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from beatbook.core.exceptions import DomainError, NotFound
from beatbook.outreach.calendar import calendar_host
from beatbook.outreach.forms import ObservationForm, PatrolLogForm
from beatbook.outreach.models import ShiftSignup, Volunteer, VolunteerPatrolLog
from beatbook.outreach.selectors import (
    shifts_upcoming,
    signups_for,
    vetting_gaps,
    volunteer_by_token,
)
from beatbook.outreach.services import volunteers as services
from beatbook.portal.responses import secret_link_page


def _home(request: HttpRequest, volunteer: Volunteer, status: int = 200, **forms: Any) -> Any:
    now = timezone.now()
    mine = list(signups_for(volunteer))
    taken = {s.shift_id for s in mine}
    open_shifts = []
    checks = list(volunteer.checks.all())
    for shift in shifts_upcoming().filter(starts_at__gt=now)[:50]:
        if shift.pk in taken:
            continue
        on = timezone.localdate(shift.ends_at)
        gaps = vetting_gaps(volunteer, shift.program, on=on, checks=checks)
        full = getattr(shift, "taken", 0) >= shift.capacity
        open_shifts.append({"shift": shift, "gaps": gaps, "full": full})
    context = {
        "volunteer": volunteer,
        "open_shifts": open_shifts,
        "upcoming": [s for s in mine if s.shift.starts_at > now],
        "to_log": [s for s in mine if s.shift.starts_at <= now and not hasattr(s, "log")],
        "logged": [s for s in mine if hasattr(s, "log")],
        "log_form": forms.get("log_form") or PatrolLogForm(),
        "log_for": forms.get("log_for"),
        "observation_form": forms.get("observation_form") or ObservationForm(),
        "observation_for": forms.get("observation_for"),
    }
    return secret_link_page(render(request, "portal/volunteer_home.html", context, status=status))


class VolunteerHomeView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return _home(request, volunteer_by_token(token=token))


class VolunteerActionView(View):
    """Sign up, cancel, log a patrol, note an observation: each a POST back to the home page."""

    def post(self, request: HttpRequest, token: str, action: str, pk: int) -> HttpResponse:
        volunteer = volunteer_by_token(token=token)
        try:
            if action == "sign-up":
                shift = shifts_upcoming().filter(pk=pk).first()
                if shift is None:
                    raise NotFound(_("No such shift."))
                services.shift_signup(volunteer=volunteer, shift=shift)
                messages.success(request, _("You are signed up."))
            elif action == "cancel":
                services.signup_cancel(volunteer=volunteer, signup=self._signup(volunteer, pk))
                messages.success(request, _("Your place is cancelled."))
            elif action == "log":
                return self._log(request, volunteer, self._signup(volunteer, pk))
            elif action == "observe":
                return self._observe(request, volunteer, pk)
            else:
                raise NotFound()
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            messages.error(request, exc.message)
            return redirect("portal:volunteer_home", token=token)
        return redirect("portal:volunteer_home", token=token)

    def _signup(self, volunteer: Volunteer, pk: int) -> ShiftSignup:
        signup = volunteer.signups.filter(pk=pk).first()
        if signup is None:
            raise NotFound()
        return signup

    def _log(self, request: HttpRequest, volunteer: Volunteer, signup: ShiftSignup) -> Any:
        form = PatrolLogForm(request.POST)
        if form.is_valid():
            try:
                services.patrol_log_record(volunteer=volunteer, signup=signup, **form.cleaned_data)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Patrol logged. Thank you!"))
                return redirect("portal:volunteer_home", token=volunteer.token)
        return _home(request, volunteer, status=400, log_form=form, log_for=signup.pk)

    def _observe(self, request: HttpRequest, volunteer: Volunteer, pk: int) -> Any:
        log = VolunteerPatrolLog.objects.filter(pk=pk, signup__volunteer=volunteer).first()
        if log is None:
            raise NotFound()
        form = ObservationForm(request.POST)
        if form.is_valid():
            try:
                observation = services.observation_add(
                    volunteer=volunteer, log=log, **form.cleaned_data
                )
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                if observation.call is not None:
                    messages.success(
                        request,
                        _("Sent to dispatch as %(number)s.") % {"number": observation.call.number},
                    )
                else:
                    messages.success(request, _("Observation noted."))
                return redirect("portal:volunteer_home", token=volunteer.token)
        return _home(request, volunteer, status=400, observation_form=form, observation_for=pk)


class VolunteerCalendarView(View):
    """The volunteer's own shifts as iCalendar, for their phone's calendar."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        volunteer = volunteer_by_token(token=token)
        calendar = icalendar.Calendar()
        calendar.add("prodid", f"-//{settings.BEATBOOK_AGENCY_NAME}//Beatbook volunteer shifts//EN")
        calendar.add("version", "2.0")
        name = _("My volunteer shifts")
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
        for signup in volunteer.signups.select_related("shift"):
            shift = signup.shift
            vevent = icalendar.Event()
            vevent.add("uid", f"volunteer-shift-{signup.pk}@{calendar_host()}")
            vevent.add("dtstamp", stamp)
            vevent.add("dtstart", shift.starts_at.astimezone(dt.UTC))
            vevent.add("dtend", shift.ends_at.astimezone(dt.UTC))
            vevent.add("summary", shift.title)
            vevent.add("location", shift.meeting_point)
            cancelled = signup.cancelled_at is not None or shift.is_cancelled
            vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
            calendar.add_component(vevent)
        response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
        return secret_link_page(response)
