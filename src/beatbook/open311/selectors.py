"""Open311 GeoReport v2 documents, built from public call types and redacted calls."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call, CallType
from beatbook.calls.public import ListedCall, listed_calls, public_calls, public_view
from beatbook.calls.selectors import public_call_type_by_code
from beatbook.core.i18n import localized
from beatbook.open311.exceptions import Open311Error

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_DAYS = 90
MAX_REQUESTS = 1000
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def w3c(moment: dt.datetime | None, zone: dt.tzinfo | None = None) -> str | None:
    """W3C date-time with the agency's offset, e.g. 2026-11-21T16:03:24-08:00. Lists pass
    the `zone` once rather than look it up three times a row."""
    if moment is None:
        return None
    return moment.astimezone(zone or timezone.get_current_timezone()).isoformat(timespec="seconds")


def _public_types() -> Any:
    return CallType.objects.filter(is_public=True, is_active=True).prefetch_related("questions")


def discovery() -> dict[str, Any]:
    changed = CallType.objects.aggregate(latest=Max("updated_at"))["latest"]
    changeset = w3c(changed) or "0"
    base = settings.BEATBOOK_PUBLIC_URL.rstrip("/") + "/open311/v2"
    return {
        "changeset": changeset,
        "contact": f"{settings.BEATBOOK_AGENCY_NAME}: {settings.DEFAULT_FROM_EMAIL}",
        "key_service": "Ask the agency's Beatbook administrator to register your application.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def service_list() -> list[dict[str, Any]]:
    language = get_language()
    return [
        {
            "service_code": t.code,
            "service_name": localized(t, "name", language),
            "description": localized(t, "description", language),
            # all() reads the prefetched questions; exists() would query once per type.
            "metadata": bool(t.questions.all()),
            "type": "realtime",
            "keywords": t.keywords,
            "group": t.group,
        }
        for t in _public_types()
    ]


def service_get(code: str) -> CallType:
    call_type = public_call_type_by_code(code)
    if call_type is None:
        raise Open311Error(404, f"No service with service_code {code!r}.")
    return call_type


def service_definition(code: str) -> dict[str, Any]:
    call_type = service_get(code)
    language = get_language()
    attributes = []
    for q in call_type.questions.order_by("order"):
        attribute: dict[str, Any] = {
            "variable": q.variable,
            "code": q.code,
            "datatype": q.datatype,
            "required": q.required,
            "datatype_description": localized(q, "datatype_description", language) or None,
            "order": q.order,
            "description": localized(q, "description", language),
        }
        if q.values:
            attribute["values"] = [
                {"key": v["key"], "name": localized(v, "name", language)} for v in q.values
            ]
        attributes.append(attribute)
    return {"service_code": call_type.code, "attributes": attributes}


def request_document(
    call: Call | ListedCall, zone: dt.tzinfo | None = None, language: str | None = None
) -> dict[str, Any]:
    # GeoReport v2 has no place for a timeline or a supporter count.
    view = public_view(call, with_timeline=False, with_supporters=False, language=language)
    zone = zone or timezone.get_current_timezone()
    return {
        "service_request_id": call.number,
        "status": "open" if view.is_open else "closed",
        "status_notes": view.status_label,
        "service_name": view.service_name,
        "service_code": call.call_type.code,
        "description": view.description or None,
        "agency_responsible": settings.BEATBOOK_AGENCY_NAME,
        "service_notice": None,
        "requested_datetime": w3c(view.requested_at, zone),
        "updated_datetime": w3c(view.updated_at, zone),
        "expected_datetime": w3c(view.expected_at, zone),
        "address": view.block_text or None,
        "address_id": None,
        "zipcode": None,
        "lat": view.lat,
        "long": view.lon,
        "media_url": None,
    }


def _parse_date(name: str, raw: str) -> dt.datetime:
    moment = parse_datetime(raw)
    if moment is None or moment.tzinfo is None:
        raise Open311Error(
            400, f"{name} must be a W3C date-time with a time zone, e.g. 2026-11-01T00:00:00Z."
        )
    return moment


def _codes(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def requests_search(params: dict[str, str]) -> list[dict[str, Any]]:
    """GET /requests: every filter of GeoReport v2, `bbox` (the map view of a resident's
    app) and the paging extension (`page`, `page_size`); ids override the rest."""
    # The id breaks ties between requests received in the same instant, so pages never
    # overlap or skip one.
    calls = public_calls().prefetch_related(None).order_by("-received_at", "-pk")
    zone, language = timezone.get_current_timezone(), get_language()
    ids = _codes(params.get("service_request_id", ""))
    if ids:
        listed = listed_calls(calls.filter(number__in=ids)[:MAX_REQUESTS])
        return [request_document(c, zone, language) for c in listed]
    codes = _codes(params.get("service_code", ""))
    if codes:
        calls = calls.filter(call_type__code__in=codes)
    start = params.get("start_date") or ""
    end = params.get("end_date") or ""
    end_at = _parse_date("end_date", end) if end else timezone.now()
    start_at = _parse_date("start_date", start) if start else end_at - dt.timedelta(days=MAX_DAYS)
    if end_at < start_at:
        raise Open311Error(400, "end_date is before start_date.")
    if end_at - start_at > dt.timedelta(days=MAX_DAYS):
        raise Open311Error(400, f"The date range may span at most {MAX_DAYS} days.")
    calls = calls.filter(received_at__gte=start_at, received_at__lte=end_at)
    statuses = _codes(params.get("status", ""))
    unknown = [s for s in statuses if s not in ("open", "closed")]
    if unknown:
        raise Open311Error(400, "status must be open, closed, or both separated by a comma.")
    if statuses == ["open"]:
        calls = calls.filter(status__in=CallStatus.open_values())
    elif statuses == ["closed"]:
        calls = calls.exclude(status__in=CallStatus.open_values())
    box = params.get("bbox") or ""
    if box:
        west, south, east, north = _bbox(box)
        # The block-level place every request shows, never the reporter's own point: a box
        # drawn around one house must not tell which block's report came from that house.
        calls = calls.filter(block_lat__range=(south, north), block_lon__range=(west, east))
    size = _whole_number(params, "page_size", default=MAX_REQUESTS, most=MAX_REQUESTS)
    first = (_whole_number(params, "page", default=1) - 1) * size
    listed = listed_calls(calls[first : first + size])
    return [request_document(c, zone, language) for c in listed]


def _whole_number(params: dict[str, str], name: str, *, default: int, most: int = 0) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    # ASCII digits only, and few: int() takes "²" or 5,000 digits no further than an error.
    if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1 or (most and int(raw) > most):
        limit = f"from 1 to {most}" if most else "from 1"
        raise Open311Error(400, f"{name} must be a whole number {limit}.")
    return int(raw)


def _bbox(raw: str) -> tuple[float, float, float, float]:
    """`min_long,min_lat,max_long,max_lat`, the order of a GeoJSON bbox (RFC 7946)."""
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        raise Open311Error(
            400, "bbox must be four decimal degrees: min_long,min_lat,max_long,max_lat."
        ) from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise Open311Error(
            400,
            "bbox must run west to east within -180..180 and south to north within -90..90 "
            "(min_long,min_lat,max_long,max_lat).",
        )
    return west, south, east, north


def request_get(request_id: str) -> dict[str, Any]:
    call = public_calls().filter(number=request_id).first()
    if call is None:
        raise Open311Error(404, f"No service request {request_id!r}.")
    return request_document(call)


def token_get(token: str) -> dict[str, Any]:
    call = (
        Call.objects.filter(public_token=token).only("number", "public_token").first()
        if token
        else None
    )
    if call is None:
        raise Open311Error(404, "No request is waiting under that token.")
    return {"service_request_id": call.number, "token": token}
