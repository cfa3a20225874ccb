"""Dashboard figures kept in the cache, so that the same selection seen again (the page after
its redraw, another analyst's, the map's data after the page) costs no pass over the calls.

A figure is keyed by its page, its selection, today's date and the figures version
(`FiguresVersion`), which every change to what the figures read raises: an import, a call
closed, a correction, the rollups refreshed, a call type or a beat saved. What is shown is
never older than the last such change, and at most BEATBOOK_FIGURES_CACHE_SECONDS old for a
change made some other way (a bulk UPDATE in a shell)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.utils import timezone

from beatbook.analytics.models import FiguresVersion
from beatbook.analytics.scope import Scope

T = TypeVar("T")


def figures_version() -> int:
    return FiguresVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def figures_version_bump(**_: Any) -> None:
    """Raise the version (a signal receiver as well: it takes and ignores the signal's
    arguments). The row is made by the migration; made here if someone deleted it."""
    if not FiguresVersion.objects.filter(pk=1).update(
        version=F("version") + 1, changed_at=timezone.now()
    ):
        FiguresVersion.objects.update_or_create(pk=1, defaults={"version": 1})


def figures_key(page: str, scope: Scope, *more: object) -> str:
    selection = json.dumps(
        [
            page,
            scope.start.isoformat(),
            scope.end.isoformat(),
            scope.beat_ids,
            scope.call_type_ids,
            scope.team_id,
            [str(m) for m in more],
            timezone.localdate().isoformat(),  # figures that count back from today
        ]
    )
    digest = hashlib.sha256(selection.encode()).hexdigest()[:32]
    return f"analytics:figures:{figures_version()}:{digest}"


def figures_if_cached(page: str, scope: Scope, *more: object) -> Any | None:
    """What `figures_cached` keeps for this page and selection, or None: a download of a
    figure the page has just drawn takes it from there, exactly as drawn."""
    if settings.BEATBOOK_FIGURES_CACHE_SECONDS <= 0:
        return None
    return cache.get(figures_key(page, scope, *more))


def figures_cached(page: str, scope: Scope, compute: Callable[[], T], *more: object) -> T:
    """`compute()` for this page and selection, from the cache when it holds it."""
    seconds = settings.BEATBOOK_FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = figures_key(page, scope, *more)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, seconds)
    return found  # type: ignore[no-any-return]
