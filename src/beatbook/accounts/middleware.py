"""Server-side session rules: idle lock after 30 minutes, re-login after 12 hours, MFA first."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

POLL_HEADER = "X-Beatbook-Poll"
MFA_EXEMPT_PREFIXES = (
    "/accounts/login",
    "/accounts/logout",
    "/accounts/mfa",
    "/healthz",
    "/static/",
)


def signed_in(request: HttpRequest) -> bool:
    """Whether the request comes from a signed-in session. Without a session cookie nobody
    is (API tokens are checked in the views), so anonymous traffic (the portal, Open311,
    health checks) skips loading the session and the user: ~15 µs a request (benchmark B7)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    return bool(request.user.is_authenticated)


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "session_expired", "detail": message}, status=401)
    login_url = reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login_url
        return response
    return HttpResponseRedirect(login_url)


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if signed_in(request) and hasattr(request, "session"):
            now = time.time()
            session = request.session
            last = session.get("last_activity", now)
            started = session.get("auth_at", now)
            if now - last > settings.BEATBOOK_SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(
                    request,
                    "Your session was locked after 30 minutes without "
                    "activity. Sign in again to continue.",
                )
                return _refuse(request, "Session locked after inactivity.")
            if now - started > settings.BEATBOOK_SESSION_MAX_SECONDS:
                logout(request)
                messages.info(request, "Please sign in again: sessions last at most 12 hours.")
                return _refuse(request, "Session too old; sign in again.")
            session.setdefault("auth_at", now)
            # Automatic refreshes (the board's polling) are not activity by the user.
            if not request.headers.get(POLL_HEADER):
                session["last_activity"] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """A password alone reaches nothing but the MFA pages (R02)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            signed_in(request)
            and not request.user.is_verified()  # type: ignore[attr-defined,union-attr]
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "mfa_required", "detail": "Complete the second factor first."},
                    status=401,
                )
            return HttpResponseRedirect(reverse("accounts:mfa_setup"))
        return self.get_response(request)


class PasswordExpiryMiddleware:
    """A password past its maximum age, or marked compromised, must be changed first (R04)."""

    EXEMPT = ("/accounts/", "/static/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from beatbook.accounts.services import password_expired

        if (
            signed_in(request)
            and request.user.is_verified()  # type: ignore[attr-defined,union-attr]
            and not request.path.startswith(self.EXEMPT)
            and password_expired(request.user)  # type: ignore[arg-type]
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "password_expired", "detail": "Change your password first."},
                    status=403,
                )
            return HttpResponseRedirect(reverse("accounts:password_change"))
        return self.get_response(request)
