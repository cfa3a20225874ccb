"""The open-data release of calls for service (RELIABILITY-SECURITY R41): places at block
level in the Chicago style (`015XX PINE ST`) or as an intersection, coordinates only as the
block centroid from the address table, no place at all for sensitive kinds of call or for
rare place/type/week combinations, nothing newer than the publication delay, and no field
that could carry a name or a narrative."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from beatbook.analytics.scope import Scope, records
from beatbook.places.addresses import street_canonical
from beatbook.places.selectors import block_centroids

_BLOCK = re.compile(r"^(\d+) block of (.+)$", re.IGNORECASE)
_HOUSE = re.compile(r"^\d+\s")  # "1512 Pine St", as opposed to "5th Ave"
FIELDS = ("incident", "received", "call_type", "disposition", "beat", "block", "lat", "lon")


@dataclass(frozen=True)
class OpenRow:
    incident: str
    received: str
    call_type: str
    disposition: str
    beat: str
    block: str
    lat: float | None
    lon: float | None


def _public_place(
    block_text: str, centroids: dict[tuple[str, int], tuple[float, float]]
) -> tuple[str, tuple[float, float] | None]:
    match = _BLOCK.match(block_text.strip())
    if match:
        hundred, street = int(match.group(1)) // 100 * 100, street_canonical(match.group(2))
        return f"{hundred // 100:03d}XX {street}", centroids.get((street, hundred))
    streets = block_text.split(" / ")
    if len(streets) == 2 and not any(_HOUSE.match(s.strip()) for s in streets):
        return block_text.upper(), None  # an intersection names no house
    return "", None


def open_data_rows(scope: Scope) -> Iterator[OpenRow]:
    held_back = timezone.localdate() - dt.timedelta(days=settings.BEATBOOK_OPEN_DATA_DELAY_DAYS)
    window = Scope(scope.start, min(scope.end, held_back), scope.beat_ids, scope.call_type_ids)
    if window.end < window.start:
        return
    sensitive = re.compile(settings.BEATBOOK_OPEN_DATA_SENSITIVE, re.IGNORECASE)
    centroids = block_centroids()
    rows = list(
        records(window)
        .order_by("received_at", "id")
        .values_list(
            "source_id",
            "received_at",
            "call_type__name",
            "original_code",
            "original_description",
            "disposition",
            "original_disposition",
            "beat__name",
            "block_text",
        )
    )
    tz = timezone.get_current_timezone()
    prepared = []
    for source_id, received, type_name, code, description, disposition, status, beat, block in rows:
        kind = type_name or description or code
        place, point = _public_place(block, centroids)
        if sensitive.search(f"{code} {description} {type_name or ''}") or status == "escalated":
            place, point = "", None
        week = timezone.localtime(received, tz).isocalendar()[:2]
        prepared.append((source_id, received, kind, disposition, beat or "", place, point, week))
    groups = Counter((kind, place, week) for _, _, kind, _, _, place, _, week in prepared if place)
    minimum = settings.BEATBOOK_OPEN_DATA_MIN_GROUP
    for source_id, received, kind, disposition, beat, place, point, week in prepared:
        if place and groups[(kind, place, week)] < minimum:
            place, point = "", None  # too few alike: the place could single someone out
        yield OpenRow(
            incident=source_id,
            received=timezone.localtime(received, tz).strftime("%Y-%m-%dT%H:%M"),
            call_type=kind,
            disposition=disposition,
            beat=beat,
            block=place,
            lat=point[0] if point else None,
            lon=point[1] if point else None,
        )
