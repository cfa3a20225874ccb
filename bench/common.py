"""What both Django projects of the benchmarks use (Beatbook's in bench/run.py and
django-helpdesk's in bench/helpdesk_site/). Importing it loads no Django settings."""

from __future__ import annotations

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
