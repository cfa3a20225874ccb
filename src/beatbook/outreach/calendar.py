"""The public events calendar as iCalendar (RFC 5545, STANDARDS.md §6), built with the
`icalendar` library so folding, escaping and CRLF line ends are the library's job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beatbook.core.i18n import localized
from beatbook.outreach.choices import EventKind
from beatbook.outreach.models import Event

REFRESH = dt.timedelta(hours=1)


def _public_url(path: str) -> str:
    return settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path


def calendar_host() -> str:
    return urlsplit(settings.BEATBOOK_PUBLIC_URL).hostname or "beatbook.invalid"


def event_uid(event: Event) -> str:
    """Stable across regenerations and edits, qualified by the portal's host."""
    return f"event-{event.pk}@{calendar_host()}"


def _vevent(event: Event, stamp: dt.datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.starts_at.astimezone(dt.UTC))
    vevent.add("dtend", event.ends_at.astimezone(dt.UTC))
    vevent.add("summary", localized(event, "title"))
    description = localized(event, "description")
    if event.is_cancelled:
        description = _("Cancelled: %(reason)s") % {"reason": event.cancel_reason} + (
            "\n\n" + description if description else ""
        )
    if description:
        vevent.add("description", description)
    # Venue and block only: a block party's street is a resident's address.
    vevent.add("location", f"{event.venue}, {event.block_text}")
    vevent.add("geo", (round(event.lat, 4), round(event.lon, 4)))
    vevent.add("url", _public_url(reverse("portal:event_detail", args=[event.number])))
    vevent.add("categories", [str(EventKind(event.kind).label)])
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    vevent.add("sequence", event.sequence)
    vevent.add("class", "PUBLIC")
    vevent.add("transp", "OPAQUE")
    vevent.add("created", event.created_at.astimezone(dt.UTC))
    vevent.add("last-modified", event.updated_at.astimezone(dt.UTC))
    return vevent


def calendar_ics(events: Iterable[Event], *, name: str, description: str) -> bytes:
    """A VCALENDAR of `events`, with RFC 7986 names and the X-WR ones older clients read."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.BEATBOOK_AGENCY_NAME}//Beatbook events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    return calendar.to_ical()
