"""The public events calendar: list, event pages with sign-up, and the iCalendar feeds.

Nothing here shows who signed up or who organises: only the event, its venue and block."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from beatbook.core.exceptions import DomainError, NotFound
from beatbook.core.i18n import localized
from beatbook.core.middleware import client_ip
from beatbook.outreach import services as outreach_services
from beatbook.outreach.calendar import calendar_ics
from beatbook.outreach.choices import EventKind, RegistrationStatus
from beatbook.outreach.forms import FeedbackForm, RegistrationForm
from beatbook.outreach.models import Event, Registration
from beatbook.outreach.selectors import (
    calendar_events,
    feedback_given,
    public_event_get,
    public_events,
    public_seats_left,
    registration_by_token,
)
from beatbook.places.models import Beat
from beatbook.portal import services
from beatbook.portal.exceptions import SubmissionRateLimited
from beatbook.portal.responses import rate_limited_page, secret_link_page

ICS_TYPE = "text/calendar; charset=utf-8"


def _language() -> str:
    return (get_language() or "en")[:2]


def _card(event: Event) -> dict[str, object]:
    return {
        "event": event,
        "title": localized(event, "title"),
        "description": localized(event, "description"),
        "kind": EventKind(event.kind).label,
    }


class EventCalendarView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        beat_name = request.GET.get("beat", "")[:50]
        kind = request.GET.get("kind", "")
        beat = Beat.objects.filter(name=beat_name).first() if beat_name else None
        events = public_events(
            beat_id=beat.pk if beat else None, kind=kind if kind in EventKind.values else ""
        )[:100]
        feed = (
            reverse("portal:calendar_feed_beat", args=[beat.name])
            if beat
            else reverse("portal:calendar_feed")
        )
        return render(
            request,
            "portal/event_calendar.html",
            {
                "cards": [_card(e) for e in events],
                "beats": Beat.objects.only("name"),
                "beat": beat,
                "kind": kind,
                "kinds": EventKind.choices,
                "feed_url": request.build_absolute_uri(feed),
            },
        )


class PublicEventView(View):
    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        event = public_event_get(number=number)
        return self._render(request, event, RegistrationForm())

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        event = public_event_get(number=number)
        form = RegistrationForm(request.POST)
        if request.POST.get("website"):
            services.honeypot_record(ip=client_ip(request))
            return redirect("portal:event_detail", number=event.number)
        if form.is_valid():
            d = form.cleaned_data
            try:
                registration = services.rate_limited_submit(
                    ip=client_ip(request),
                    create=lambda: outreach_services.registration_create(
                        event=event,
                        name=d["name"],
                        email=d["email"],
                        phone=d["phone"],
                        party_size=d["party_size"],
                        note=d["note"],
                        language=_language(),
                    ),
                )
            except SubmissionRateLimited as exc:
                return rate_limited_page(request, exc)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                return redirect("portal:event_registration", token=registration.token)
        return self._render(request, event, form, status=400)

    def _render(
        self, request: HttpRequest, event: Event, form: RegistrationForm, status: int = 200
    ) -> HttpResponse:
        context = {
            **_card(event),
            "form": form,
            "seats_left": public_seats_left(event),
            "ics_url": reverse("portal:event_ics", args=[event.number]),
        }
        return render(request, "portal/event_detail.html", context, status=status)


def _ics_response(
    request: HttpRequest, events: Iterable[Event], *, name: str, description: str, filename: str
) -> HttpResponse:
    """The feed with an ETag and Last-Modified, so polling calendar apps mostly get a 304."""
    events = list(events)
    latest = max((e.updated_at for e in events), default=None)
    fingerprint = f"{_language()}|{latest}|{[e.pk for e in events]}"
    etag = '"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'
    last_modified = int(latest.timestamp()) if latest else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(
        calendar_ics(events, name=name, description=description), content_type=ICS_TYPE
    )
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class CalendarFeedView(View):
    def get(self, request: HttpRequest, beat: str = "") -> HttpResponse:
        found = Beat.objects.filter(name=beat).first() if beat else None
        if beat and found is None:
            raise NotFound("No such beat.")
        agency = settings.BEATBOOK_AGENCY_NAME
        name = _("%(agency)s community events") % {"agency": agency}
        if found:
            name = _("%(agency)s community events, beat %(beat)s") % {
                "agency": agency,
                "beat": found.name,
            }
        return _ics_response(
            request,
            calendar_events(beat_id=found.pk if found else None),
            name=name,
            description=_("Meetings, block parties, safety fairs and workshops."),
            filename=f"events-{found.name}.ics" if found else "events.ics",
        )


class EventIcsView(View):
    """One event, for “Add to my calendar”."""

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        event = public_event_get(number=number)
        return _ics_response(
            request,
            [event],
            name=localized(event, "title"),
            description=localized(event, "description"),
            filename=f"{event.number}.ics",
        )


class RegistrationManageView(View):
    """What the link in the confirmation email opens: the status, and a way to cancel."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        registration = registration_by_token(token=token)
        return self._render(request, registration)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        registration = registration_by_token(token=token)
        try:
            outreach_services.registration_cancel(token=token)
        except DomainError as exc:
            return self._render(request, registration, error=exc.message, status=409)
        return redirect("portal:event_registration", token=token)

    def _render(
        self, request: HttpRequest, registration: Registration, error: str = "", status: int = 200
    ) -> HttpResponse:
        context = {
            **_card(registration.event),
            "registration": registration,
            "can_cancel": registration.status
            in (*RegistrationStatus.holding_seats(), RegistrationStatus.WAITLISTED),
            "ics_url": reverse("portal:event_ics", args=[registration.event.number])
            if registration.event.is_public
            else "",
            "error": error,
            "feedback_form": FeedbackForm()
            if registration.event.ends_at <= timezone.now()
            and registration.status == RegistrationStatus.CONFIRMED
            and not registration.event.is_cancelled
            and not feedback_given(registration_id=registration.pk)
            else None,
        }
        return secret_link_page(
            render(request, "portal/event_registration.html", context, status=status)
        )
