"""Deny by default (R10, R02, R11): every route refuses anonymous, unverified and wrong-role
requests unless it is on the short public list below."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from beatbook.calls.tests.factories import intake
from beatbook.core.permissions import RoleRequiredMixin
from beatbook.core.roles import Role
from beatbook.core.testing import assert_refused, login

pytestmark = pytest.mark.django_db

# Routes anyone may reach, and why (CJIS AC-14: actions allowed without identification).
PUBLIC_ALLOWLIST = {
    "healthz": "load balancers check liveness; answers only database state",
    "accounts/login/": "the sign-in page itself",
    "accounts/mfa/": "redirects anonymous users to sign in; serves only signed-in users",
    "admin/login/": "redirects to the one sign-in page",
    "accounts/logout/": "ending a session needs none; POST only, CSRF-checked",
    "static/": "stylesheets and scripts",
    "favicon.ico": "the browser tab icon",
    "portal/": "the resident portal: no account; only redacted public data (calls.public)",
    "open311/v2/": "Open311 GeoReport v2: GETs are public by the spec; POST needs an api_key",
}
# API routes, and the roles allowed to call them (all others get 403).
API_ROLES = {
    "api/v1/calls/": set(Role),
    "api/v1/units/": set(Role),
}


def walk(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def concrete(route: str, ids: dict[str, int]) -> str:
    path = re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), 1)), route)
    path = re.sub(r"<slug:action>", "dispatch", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + path.lstrip("/")


def is_public(route: str) -> bool:
    return any(route.startswith(p) for p in PUBLIC_ALLOWLIST)


@pytest.fixture
def ids(agency: dict[str, Any]) -> dict[str, int]:
    call = intake(agency["dispatcher"])
    return {
        "call_id": call.pk,
        "unit_id": agency["cso_unit"].pk,
        "alarm_id": 1,
        "object_id": agency["cso"].pk,
    }


def routes() -> list[tuple[str, Any]]:
    return [
        (route, pattern)
        for route, pattern in walk()
        if not route.startswith("admin/") or route == "admin/"
    ]


def test_every_route_refuses_anonymous_requests(ids: dict[str, int]) -> None:
    client = Client(enforce_csrf_checks=True)
    checked = 0
    for route, _ in routes():
        if is_public(route):
            continue
        path = concrete(route, ids)
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.status_code == 405:
                continue
            assert_refused(response, allow_404=False)
            checked += 1
    assert checked > 30


def test_every_route_refuses_a_password_without_the_second_factor(
    agency: dict[str, Any], ids: dict[str, int]
) -> None:
    client = login(Client(), agency["admin"], verified=False)
    for route, _ in routes():
        if is_public(route):
            continue
        response = client.get(concrete(route, ids))
        if response.status_code == 405:
            continue
        assert response.status_code in (302, 401, 403), (route, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(("/accounts/", "/admin/login")), route


def _html_roles(pattern: Any) -> frozenset[str] | None:
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class and issubclass(view_class, RoleRequiredMixin):
        return view_class.allowed_roles
    return None


# One test a role, so that the test workers share the pages between them.
@pytest.mark.parametrize("role", list(Role))
def test_html_views_refuse_every_role_they_do_not_name(
    agency: dict[str, Any], ids: dict[str, int], role: Role
) -> None:
    client = login(Client(), agency[role.value if role != Role.CSO else "cso"])
    checked = 0
    for route, pattern in routes():
        allowed = _html_roles(pattern)
        if allowed is None:
            continue
        response = client.get(concrete(route, ids))
        if role.value in allowed:
            assert response.status_code != 403, (route, role)
        else:
            assert response.status_code == 403, (route, role, response.status_code)
        checked += 1
    assert checked > 100  # every page behind a role (112 when this was written)


def test_every_html_view_declares_its_roles_or_is_public_or_api() -> None:
    for route, pattern in routes():
        view_class = getattr(pattern.callback, "view_class", None)
        if is_public(route) or route.startswith(("api/", "admin/")) or route == "":
            continue
        if view_class is not None and issubclass(view_class, APIView):
            continue
        assert _html_roles(pattern) is not None, f"{route} has no role gate"


def test_csrf_exemptions_are_only_the_reviewed_ones() -> None:
    from pathlib import Path

    import beatbook

    root = Path(beatbook.__file__).parent
    found = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "csrf_exempt" in p.read_text() and "/tests/" not in str(p)
    )
    # Open311 POSTs come from client applications authenticated by their api_key; RFC 8058
    # one-click unsubscribe is POSTed by the mail client, with only the secret token. The
    # imports page checks CSRF itself, after the role, so that no one else's upload is read
    # (analytics/tests/test_imports.py: the token is still needed).
    assert found == ["analytics/import_views.py", "open311/views.py", "portal/alerts.py"]


def test_rest_framework_never_defaults_to_allow_any() -> None:
    from django.conf import settings

    assert "AllowAny" not in str(settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"])


def test_other_teams_call_answers_404_not_403(client_for: Any, agency: dict[str, Any]) -> None:
    call = intake(agency["dispatcher"])
    assert client_for("cso_other_team").get(f"/calls/{call.pk}/").status_code == 404
    assert client_for("cso_other_team").get(f"/api/v1/calls/{call.pk}/").status_code == 404
    assert client_for("cso").get(f"/calls/{call.pk}/").status_code == 200
