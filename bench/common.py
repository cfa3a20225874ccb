"""What both Django projects of the benchmarks use (Beatbook's in bench/run.py and
django-helpdesk's in bench/helpdesk_site/), and what B8's idle run and its load test
(bench/locustfile.py) both send. Importing it loads no Django settings."""

from __future__ import annotations

import re

# Django's own startproject middleware: the B7 baseline and the helpdesk project's stack.
DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def copies_sql(*, postgresql: bool, n: int) -> tuple[str, str, str]:
    """For `INSERT … SELECT` of n copies of a template row: the counter (1..n), an
    expression for "counter minutes ago", and the FROM source that yields the counter."""
    if postgresql:
        return "g", "now() - g * interval '1 minute'", f"generate_series(1, {int(n)}) AS g"
    return (
        "x",
        "datetime('now', '-' || x || ' minutes')",
        "(WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s "  # noqa: S608
        f"WHERE x < {int(n)}) SELECT x FROM s)",
    )


_LIVE_VERSION = re.compile(r'"X-Live-Version": "(\w+)"')


def poll_headers(version: str) -> dict[str, str]:
    """What the board page's htmx sends with each poll (core/static/core/app.js)."""
    headers = {"HX-Request": "true", "X-Beatbook-Poll": "1"}
    if version:
        headers["X-Live-Version"] = version
    return headers


def live_version_in(html: str) -> str:
    """The version a live region's HTML names for its next poll ('' when none)."""
    match = _LIVE_VERSION.search(html)
    return match.group(1) if match else ""
