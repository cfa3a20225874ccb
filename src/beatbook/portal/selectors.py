"""Reads for the public: categories, recent reports, and who covers an address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from beatbook.accounts.models import Team
from beatbook.accounts.selectors import teams_covering
from beatbook.calls.models import Call, CallType
from beatbook.calls.public import public_calls
from beatbook.calls.selectors import CALL_TYPES, public_call_type_by_code
from beatbook.core.exceptions import NotFound
from beatbook.places.models import Beat
from beatbook.places.selectors import beat_for_point_or_refuse, geocode

RECENT_DAYS = 30


def public_categories() -> list[CallType]:
    """Active public call types by code, with their questions (the process's copy)."""
    return sorted(
        (t for t in CALL_TYPES.get().values() if t.is_public and t.is_active),
        key=lambda t: t.code,
    )


def public_category(*, code: str) -> CallType:
    call_type = public_call_type_by_code(code)
    if call_type is None:
        raise NotFound("No such category.")
    return call_type


def recent_public_calls(*, days: int = RECENT_DAYS) -> QuerySet[Call]:
    since = timezone.now() - dt.timedelta(days=days)
    return public_calls().filter(received_at__gte=since).order_by("-received_at")


def public_call_by_reference(*, reference: str) -> Call:
    call = public_calls().prefetch_related("notes").filter(number=reference).first()
    if call is None:
        raise NotFound("No such report.")
    return call


@dataclass(frozen=True)
class CsoCoverage:
    block_text: str
    beat: Beat
    teams: list[Team]


def cso_coverage(*, address: str) -> CsoCoverage:
    match = geocode(text=address)
    beat = beat_for_point_or_refuse(lat=match.lat, lon=match.lon)
    return CsoCoverage(
        block_text=match.block_text, beat=beat, teams=list(teams_covering(beat=beat))
    )
