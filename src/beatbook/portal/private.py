"""Pages opened with a secret link (a registration, a subscription, a volunteer's page)."""

from __future__ import annotations

from django.http import HttpResponse


def secret_link_page(response: HttpResponse) -> HttpResponse:
    """Keep the page out of shared caches, and its URL (the secret) from other sites."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
