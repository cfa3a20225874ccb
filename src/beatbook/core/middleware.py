"""Request-wide concerns: a request id and client address for audit rows; no caching of CJI."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from beatbook.core import request_context
from beatbook.core.exceptions import NotFound, PermissionDenied


def client_ip(request: HttpRequest) -> str | None:
    """The client address; a forwarded header counts only behind a configured TLS proxy."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = request_context.bind(source_ip=client_ip(request), request_id=request_id)
        try:
            response = self.get_response(request)
        finally:
            request_context.unbind(tokens)
        response["X-Request-ID"] = request_id
        return response


class NoStoreForStaffMiddleware:
    """Pages and API answers for signed-in staff must not be kept by browsers or proxies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response


class DomainErrorMiddleware:
    """HTML views: a record outside the viewer's scope is a 404, a refused role a 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message)
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message)


class RequestSizeLimitMiddleware:
    """Refuse a body larger than BEATBOOK_MAX_REQUEST_BYTES before reading it (R32)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.BEATBOOK_MAX_REQUEST_BYTES:
            limit_mb = settings.BEATBOOK_MAX_REQUEST_BYTES // (1024 * 1024)
            return JsonResponse(
                {
                    "code": "request_too_large",
                    "detail": f"The request is larger than {limit_mb} MB.",
                },
                status=413,
            )
        return self.get_response(request)
