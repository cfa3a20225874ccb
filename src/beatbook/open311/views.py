"""Open311 GeoReport v2 endpoints. GETs are anonymous; POST needs a registered api_key.

Plain Django views rather than DRF: the spec fixes formats by file extension, error bodies
and status codes that DRF's negotiation and error handling would fight.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from beatbook.core.models import IdempotencyRecord
from beatbook.open311 import selectors, services
from beatbook.open311.exceptions import Open311Error
from beatbook.open311.renderers import CONTENT_TYPES, error_response, respond
from beatbook.places.models import AddressPoint

ATTRIBUTE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
View = Callable[..., HttpResponse]


def open311_view(view: View) -> View:
    """Answer every failure in the spec's error format and status code, in the language the
    client asks for (Accept-Language; GeoReport names none, and Open311's paths carry no
    language prefix, so the portal's rule of "the path's language, else the agency's" would
    answer every app in English)."""

    def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        # Activated, not overridden: the locale middleware names it in Content-Language.
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        if fmt not in ("json", "xml"):
            return error_response("xml", 400, "The format must be .json or .xml.")
        jurisdiction = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
        expected = settings.BEATBOOK_OPEN311_JURISDICTION
        if jurisdiction and expected and jurisdiction != expected:
            return error_response(fmt, 404, f"Unknown jurisdiction_id {jurisdiction!r}.")
        try:
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return error_response(fmt, exc.status, exc.description)

    wrapper.__name__ = view.__name__
    return wrapper


@require_http_methods(["GET"])
@open311_view
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, selectors.discovery(), root="discovery")


@require_http_methods(["GET"])
@open311_view
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, selectors.service_list(), root="services", item="service")


@require_http_methods(["GET"])
@open311_view
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    return respond(fmt, selectors.service_definition(service_code), root="service_definition")


@require_http_methods(["GET"])
@open311_view
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    return respond(
        fmt, [selectors.request_get(request_id)], root="service_requests", item="request"
    )


@require_http_methods(["GET"])
@open311_view
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    return respond(fmt, [selectors.token_get(token)], root="service_requests", item="request")


# POST is made by client applications, not browsers; the api_key authenticates it, so the
# browser CSRF token does not apply (listed in the CSRF allowlist test).
@csrf_exempt
@require_http_methods(["GET", "POST"])
@open311_view
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "GET":
        return _search(fmt, request)
    client = services.client_for_key(request.POST.get("api_key", ""))
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    if key:
        return _idempotent(fmt, f"open311:{client.pk}", key, request, client)
    return _create(fmt, request, client)


def _search(fmt: str, request: HttpRequest) -> HttpResponse:
    """The request list, kept BEATBOOK_OPEN311_LIST_CACHE_SECONDS per format, language and
    query: it is public and the same for every client, and residents' apps poll it."""
    seconds = settings.BEATBOOK_OPEN311_LIST_CACHE_SECONDS
    query = json.dumps([fmt, get_language(), sorted(request.GET.lists())])
    key = f"open311:list:{hashlib.sha256(query.encode()).hexdigest()}"
    content = cache.get(key) if seconds > 0 else None
    if content is not None:
        return HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response = respond(
        fmt, selectors.requests_search(request.GET.dict()), root="service_requests", item="request"
    )
    if seconds > 0:
        cache.set(key, response.content, seconds)
    return response


def _fields(request: HttpRequest) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    post = request.POST
    code = (post.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required.")
    call_type = selectors.service_get(code)
    fields: dict[str, Any] = {
        "description": (post.get("description") or "").strip()[:4000],
        "email": (post.get("email") or "").strip(),
        "phone": (post.get("phone") or "").strip(),
        "name": " ".join(p for p in (post.get("first_name"), post.get("last_name")) if p),
        "address": (post.get("address_string") or "").strip(),
    }
    lat, lon = post.get("lat") or "", post.get("long") or ""
    if bool(lat) != bool(lon):
        raise Open311Error(400, "lat and long must be sent together.")
    if lat:
        try:
            fields["lat"], fields["long"] = float(lat), float(lon)
        except ValueError:
            raise Open311Error(400, "lat and long must be decimal degrees.") from None
    address_id = (post.get("address_id") or "").strip()
    if address_id and not lat and not fields["address"]:
        point = AddressPoint.objects.filter(pk=address_id).first() if address_id.isdigit() else None
        if point is None:
            raise Open311Error(400, f"Unknown address_id {address_id!r}.")
        fields["lat"], fields["long"] = point.lat, point.lon
    if "lat" not in fields and not fields["address"]:
        raise Open311Error(
            400, "A location is required: lat and long, address_string, or address_id."
        )
    answers: dict[str, Any] = {}
    for name in post:
        match = ATTRIBUTE.match(name)
        if match:
            values = post.getlist(name)
            answers[match.group(1)] = values if match.group(2) else values[-1]
    return call_type, fields, answers


def _create_body(request: HttpRequest, client: Any) -> list[dict[str, Any]]:
    call_type, fields, answers = _fields(request)
    call = services.request_create(
        client=client, call_type=call_type, fields=fields, answers=answers
    )
    notice = _("A community service officer will respond; target %(minutes)s minutes.")
    return [
        {
            "service_request_id": call.number,
            "service_notice": notice % {"minutes": call.call_type.target_minutes},
            "account_id": None,
        }
    ]


def _create(fmt: str, request: HttpRequest, client: Any) -> HttpResponse:
    return respond(fmt, _create_body(request, client), root="service_requests", item="request")


def _idempotent(fmt: str, scope: str, key: str, request: HttpRequest, client: Any) -> HttpResponse:
    fingerprint = services.key_hash(json.dumps(sorted(request.POST.lists())))
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(scope=scope, key=key)
        if record.fingerprint != fingerprint:
            return error_response(fmt, 400, "This Idempotency-Key was used for another request.")
        if record.response_body is None:
            return error_response(
                fmt, 400, "A request with this Idempotency-Key is still being processed."
            )
        return respond(fmt, record.response_body, root="service_requests", item="request")
    # The request and its stored answer commit together (see core.api.idempotent_create).
    try:
        with transaction.atomic():
            body = _create_body(request, client)
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                status_code=200, response_body=body
            )
    except Exception:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        raise
    return respond(fmt, body, root="service_requests", item="request")
