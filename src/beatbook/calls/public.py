"""What the public may see of a call: block-level place, public status, no names (R40, R41).

Everything the portal and Open311 show passes through `public_view`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from beatbook.calls.choices import CallSource, CallStatus, Disposition, Division
from beatbook.calls.models import Call, CallPhoto, CallType
from beatbook.core.geo import distance_m
from beatbook.core.i18n import localized
from beatbook.core.redaction import scrub_text

OPEN_STATUSES = frozenset(CallStatus.open_values())
# Calls the public never sees in lists: flagged for sworn officers, handed to them, or merged.
HIDDEN_STATUSES = (CallStatus.ESCALATED, CallStatus.MERGED)
RESIDENT_WRITTEN = (CallSource.PORTAL, CallSource.OPEN311)


@dataclass(frozen=True)
class PublicEvent:
    at: dt.datetime
    text: str


# Values built for every row of a public list (a thousand a page): named tuples, immutable
# like the frozen dataclasses they were, which took 1.6 µs each to build against 0.3 µs
# (a frozen dataclass sets each field through object.__setattr__), about 3 ms a page.
class PublicCall(NamedTuple):
    reference: str
    service_code: str
    service_name: str
    is_open: bool
    status_label: str
    block_text: str
    lat: float | None
    lon: float | None
    requested_at: dt.datetime
    updated_at: dt.datetime
    expected_at: dt.datetime | None
    description: str
    supporters: int
    timeline: tuple[PublicEvent, ...] = ()


class ListedType(NamedTuple):
    code: str
    name: str
    name_es: str
    target_minutes: int


class ListedCall(NamedTuple):
    """What a public list reads of a call, as plain values. A thousand model instances, each
    with its call type, took longer to build than the query took to run. No merge: public
    lists never show a merged call (`public_calls` hides them), and joining each row's
    merged call cost 0.9 ms a page of a thousand."""

    number: str
    status: str
    source: str
    description: str
    caller_name: str
    disposition: str
    referral_division: str
    block_text: str
    block_lat: float | None
    block_lon: float | None
    received_at: dt.datetime
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    call_type: ListedType

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


LISTED_FIELDS = (
    "number",
    "status",
    "source",
    "description",
    "caller_name",
    "disposition",
    "referral_division",
    "block_text",
    "block_lat",
    "block_lon",
    "received_at",
    "closed_at",
    "updated_at",
    "call_type__code",
    "call_type__name",
    "call_type__name_es",
    "call_type__target_minutes",
)


def listed_calls(calls: QuerySet[Call]) -> list[ListedCall]:
    """`calls` (from `public_calls`, filtered, ordered and sliced) read as ListedCall rows."""
    types: dict[tuple[Any, ...], ListedType] = {}
    listed = []
    for row in calls.values_list(*LISTED_FIELDS):
        if row[1] == CallStatus.MERGED:  # its status names the call it joined, not read here
            raise ValueError(f"Call {row[0]} is merged: public lists come from public_calls().")
        kind = row[13:]  # LISTED_FIELDS ends with the type's four fields
        call_type = types.get(kind)
        if call_type is None:
            call_type = types[kind] = ListedType(*kind)
        listed.append(ListedCall._make((*row[:13], call_type)))
    return listed


def _disposition_label(value: str) -> str:
    labels = {
        Disposition.ASSISTED: _("help was given"),
        Disposition.ADVISED: _("resolved on site"),
        Disposition.REPORT: _("a report was written"),
        Disposition.CITATION: _("a citation was issued"),
        Disposition.WARNING: _("a warning was given"),
        Disposition.REFERRAL: _("referred to services"),
        Disposition.UNABLE_TO_LOCATE: _("the officer could not find the problem"),
        Disposition.GONE_ON_ARRIVAL: _("it was gone when the officer arrived"),
        Disposition.UNFOUNDED: _("no problem was found"),
    }
    return str(labels.get(value, value))  # type: ignore[call-overload]


def _division_label(value: str) -> str:
    labels = {
        Division.TRAFFIC_ENFORCEMENT: _("traffic enforcement"),
        Division.CODE_ENFORCEMENT: _("code enforcement"),
        Division.ANIMAL_SERVICES: _("animal services"),
        Division.PUBLIC_WORKS: _("public works"),
        Division.SOCIAL_SERVICES: _("social services"),
    }
    return str(labels.get(value, value))  # type: ignore[call-overload]


def status_label(call: Call | ListedCall, language: str | None = None) -> str:
    if call.status == CallStatus.MERGED:
        return _("Joined to report %(reference)s, which covers the same problem") % {
            "reference": call.merged_into.number
            if isinstance(call, Call) and call.merged_into
            else ""
        }
    return _status_text(
        language or get_language(), call.status, call.disposition, call.referral_division
    )


# Lists label a thousand calls with a handful of distinct texts; `language` is in the key
# because gettext reads the active language.
@functools.lru_cache(maxsize=512)
def _status_text(language: str | None, status: str, disposition: str, division: str) -> str:
    match status:
        case CallStatus.RECEIVED | CallStatus.QUEUED:
            return _("Received: waiting for a community service officer")
        case CallStatus.DISPATCHED | CallStatus.EN_ROUTE:
            return _("A community service officer is on the way")
        case CallStatus.ON_SCENE:
            return _("A community service officer is there now")
        case CallStatus.CLEARED:
            return _("Resolved: %(outcome)s") % {"outcome": _disposition_label(disposition)}
        case CallStatus.ESCALATED:
            return _("Passed to police officers")
        case CallStatus.REFERRED:
            return _("Referred to %(division)s") % {"division": _division_label(division)}
        case CallStatus.CANCELLED:
            return _("Closed without action")
    return str(status)


BLOCK = re.compile(r"^(\d+) block of (.+)$")


def localized_block(text: str, language: str | None = None) -> str:
    """'1500 block of Pine St' in the visitor's language (stored in English)."""
    return _localized_block(language or get_language(), text)


@functools.lru_cache(maxsize=4096)
def _localized_block(language: str | None, text: str) -> str:
    match = BLOCK.match(text)
    if not match:
        return text
    return _("%(hundred)s block of %(street)s") % {
        "hundred": match.group(1),
        "street": match.group(2),
    }


def public_description(call: Call | ListedCall) -> str:
    """Only what a resident wrote for the public, scrubbed of names, phones and e-mails."""
    if call.source not in RESIDENT_WRITTEN:
        return ""
    return scrub_text(call.description, names=[call.caller_name])


def _timeline(call: Call, notes: list[Any]) -> tuple[PublicEvent, ...]:
    events = [PublicEvent(call.received_at, _("Report received"))]
    if call.dispatched_at:
        events.append(
            PublicEvent(call.dispatched_at, _("A community service officer was assigned"))
        )
    if call.on_scene_at:
        events.append(PublicEvent(call.on_scene_at, _("The officer arrived")))
    events += [PublicEvent(n.at, scrub_text(n.text, names=[call.caller_name])) for n in notes]
    if call.closed_at:
        events.append(PublicEvent(call.closed_at, status_label(call)))
    return tuple(sorted(events, key=lambda e: e.at))


def public_view(
    call: Call | ListedCall,
    *,
    with_timeline: bool = True,
    with_supporters: bool = True,
    language: str | None = None,
) -> PublicCall:
    """A listed call has no notes or supporters to read: ask for it without them. Lists
    pass the active `language` once rather than look it up for every row."""
    if isinstance(call, ListedCall) and (with_timeline or with_supporters):
        raise TypeError("A listed call carries no timeline or supporters.")
    notes = (
        [n for n in call.notes.all() if n.is_public]
        if with_timeline and isinstance(call, Call)
        else []
    )
    expected = (
        call.received_at + dt.timedelta(minutes=call.call_type.target_minutes)
        if call.is_open
        else None
    )
    language = language or get_language()
    return PublicCall(
        reference=call.number,
        service_code=call.call_type.code,
        service_name=localized(call.call_type, "name", language),
        is_open=call.status in OPEN_STATUSES,
        status_label=status_label(call, language),
        block_text=localized_block(call.block_text, language),
        lat=call.block_lat,
        lon=call.block_lon,
        requested_at=call.received_at,
        updated_at=call.closed_at or call.updated_at,
        expected_at=expected,
        description=public_description(call),
        # .all() clones a queryset per call even when prefetched: 0.2 ms a row in lists.
        supporters=len(call.supporters.all()) if with_supporters and isinstance(call, Call) else 0,
        timeline=_timeline(call, notes) if with_timeline and isinstance(call, Call) else (),
    )


def tracking_url(call: Call) -> str:
    path = reverse("portal:track", kwargs={"token": call.public_token})
    return settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path


def public_calls() -> QuerySet[Call]:
    """Calls the public may list: public categories only, nothing flagged or escalated."""
    return (
        Call.objects.filter(call_type__is_public=True, needs_escalation=False)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("call_type", "merged_into")
        .prefetch_related("supporters")
    )


def public_call_by_token(*, token: str) -> Call | None:
    if not token or len(token) > 64:
        return None
    return (
        Call.objects.select_related("call_type", "merged_into")
        .prefetch_related("notes", "supporters", "photos")
        .filter(public_token=token)
        .first()
    )


def public_nearby_open(
    *, call_type: CallType, lat: float, lon: float, meters: float = 250
) -> list[tuple[Call, PublicCall]]:
    """Open reports of the same kind near a point, for "this is my problem too"."""
    degrees = meters / 111_000 * 1.6
    since = timezone.now() - dt.timedelta(days=30)
    candidates = public_calls().filter(
        call_type=call_type,
        status__in=OPEN_STATUSES,
        received_at__gte=since,
        block_lat__range=(lat - degrees, lat + degrees),
        block_lon__range=(lon - degrees, lon + degrees),
    )
    nearby = [
        c
        for c in candidates
        if c.block_lat is not None
        and c.block_lon is not None
        and distance_m(lat, lon, c.block_lat, c.block_lon) <= meters
    ]
    return [(c, public_view(c, with_timeline=False)) for c in nearby[:5]]


def public_photo_by_token(*, token: str, photo_id: int) -> CallPhoto | None:
    """A photo for whoever holds the report's tracking link, and nobody else."""
    if not token or len(token) > 64:
        return None
    return CallPhoto.objects.filter(call__public_token=token, pk=photo_id).first()
