"""Live regions that poll: the server answers 204 when nothing changed, so htmx leaves the
page alone (no lost clicks mid-swap, no bytes over a poor phone signal)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.http import HttpRequest
from django.utils import timezone

VERSION_HEADER = "X-Live-Version"


def live_version(parts: Iterable[object]) -> str:
    """A short digest of what a live region shows; the minute is in it for 'waiting' times."""
    text = "|".join(map(str, parts)) + f"|{timezone.now():%Y%m%d%H%M}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def unchanged(request: HttpRequest, version: str) -> bool:
    return request.headers.get(VERSION_HEADER) == version
