"""Request-wide concerns: a request id and client address for audit rows; no caching of CJI."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

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
        from beatbook.accounts.middleware import signed_in

        response = self.get_response(request)
        user = getattr(request, "user", None)
        # A view that authenticated by token has put a real user in place of the lazy one.
        if user is None:
            staff = False
        elif isinstance(user, SimpleLazyObject):
            staff = signed_in(request)
        else:
            staff = user.is_authenticated
        if staff or request.path.startswith("/api/"):
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


@functools.cache
def _imports_path() -> str:
    return reverse("analytics:imports")


class RequestSizeLimitMiddleware:
    """Refuse a body larger than BEATBOOK_MAX_REQUEST_BYTES before reading it (R32). The
    imports page takes up to BEATBOOK_MAX_IMPORT_BYTES: its view checks the role before
    anything reads the body (analytics.import_views)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.BEATBOOK_MAX_REQUEST_BYTES
        if request.path_info == _imports_path():
            limit = settings.BEATBOOK_MAX_IMPORT_BYTES
        if length > limit:
            limit_mb = limit // (1024 * 1024)
            return JsonResponse(
                {
                    "code": "request_too_large",
                    "detail": f"The request is larger than {limit_mb} MB.",
                },
                status=413,
            )
        return self.get_response(request)


NONCE_PLACEHOLDER = "beatbook-csp-nonce"
PER_RESPONSE_POLICY = ("_csp_config", "_csp_update", "_csp_replace")


@functools.cache
def _site_policy(*, with_nonce: bool) -> str:
    return build_policy(nonce=NONCE_PLACEHOLDER if with_nonce else None)


@receiver(setting_changed)
def _forget_site_policy(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policy.cache_clear()


class CachedPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the site policy built once per process, not on every
    response (~45 µs a request, a third of our middleware's cost in benchmark B7), and not
    at all for the excluded prefixes. A response carrying its own policy (the csp_update,
    csp_replace and csp decorators), a report-only policy or DEBUG goes to the library."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            settings.DEBUG
            or getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            or any(getattr(response, name, None) is not None for name in PER_RESPONSE_POLICY)
        ):
            return super().process_response(request, response)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        excluded = request.path_info.startswith(tuple(policy.get("EXCLUDE_URL_PREFIXES") or ()))
        nonce = getattr(request, "_csp_nonce", None)
        header = _site_policy(with_nonce=nonce is not None)  # "" when no policy is set
        if (
            header
            and not excluded
            and HEADER not in response
            and not getattr(response, "_csp_exempt", False)
        ):
            response[HEADER] = header.replace(NONCE_PLACEHOLDER, nonce) if nonce else header
        if nonce is None:  # as the library: a nonce asked for after the header is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
