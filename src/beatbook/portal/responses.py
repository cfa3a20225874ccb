"""Responses several portal pages share: the rate-limit page and secret-link pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from beatbook.portal.exceptions import SubmissionRateLimited


def secret_link_page(response: HttpResponse) -> HttpResponse:
    """Keep the page out of shared caches, and its URL (the secret) from other sites."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def rate_limited_page(request: HttpRequest, exc: SubmissionRateLimited) -> HttpResponse:
    response = render(request, "portal/rate_limited.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
