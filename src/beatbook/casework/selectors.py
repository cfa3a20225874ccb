"""Reads for casework. Victim assistance is filtered here for every viewer: the
victim-services role sees all of it, anyone else only what they are assigned to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from beatbook.casework.models import MediationCase, VictimAssistance
from beatbook.core.exceptions import NotFound
from beatbook.core.roles import Role

# Calls this close to the case's address count as calls "at the address".
ADDRESS_RADIUS_M = 40


def victim_assistance_visible_to(user: Any) -> QuerySet[VictimAssistance]:
    records = VictimAssistance.objects.select_related("person__report")
    if getattr(user, "role", "") == Role.VICTIM_SERVICES:
        return records
    if not getattr(user, "pk", None):
        return records.none()
    return records.filter(assigned=user).distinct()


def victim_assistance_may_see(user: Any, assistance: VictimAssistance) -> bool:
    return victim_assistance_visible_to(user).filter(pk=assistance.pk).exists()


def victim_assistance_get(*, user: Any, assistance_id: int) -> VictimAssistance:
    found = victim_assistance_visible_to(user).filter(pk=assistance_id).first()
    if found is None:
        raise NotFound("No such record.")
    return found


def mediation_cases() -> QuerySet[MediationCase]:
    return MediationCase.objects.select_related("mediator", "partner", "beat", "call").defer(
        "beat__geometry"
    )


def address_calls(case: MediationCase, *, limit: int = 50) -> list[Any]:
    """Calls for service at the case's address, newest first (Beatbook's own calls)."""
    from beatbook.calls.models import Call
    from beatbook.core.geo import distance_m

    if case.lat is None or case.lon is None:
        return []
    window = ADDRESS_RADIUS_M / 111_000
    candidates = (
        Call.objects.filter(
            lat__range=(case.lat - window, case.lat + window),
            lon__range=(case.lon - window * 1.6, case.lon + window * 1.6),
        )
        .select_related("call_type")
        .order_by("-received_at")
    )
    return [
        call
        for call in candidates[: limit * 4]
        if distance_m(case.lat, case.lon, call.lat, call.lon) <= ADDRESS_RADIUS_M
    ][:limit]


def before_after(case: MediationCase, *, days: int = 90) -> dict[str, Any] | None:
    """Calls at the address in equal windows before the agreement and since it: `days` each,
    or as many as have passed since the agreement when that is fewer."""
    return before_after_many([case], days=days)[0]


def before_after_many(cases: list[MediationCase], *, days: int = 90) -> list[dict[str, Any] | None]:
    """`before_after` of each case (None without an agreement or a place), in one query.

    The window before is cut to the time since the agreement, so that a month-old agreement
    is not judged by 90 days of calls against 30."""
    from beatbook.calls.selectors import NearWindow, call_counts_near_many

    now, longest = timezone.now(), dt.timedelta(days=days)
    placed = [
        (case, case.agreed_at, case.lat, case.lon)
        for case in cases
        if case.agreed_at is not None and case.lat is not None and case.lon is not None
    ]
    spans = [max(min(now - at, longest), dt.timedelta(0)) for _, at, _, _ in placed]
    windows = []
    for (_, at, lat, lon), span in zip(placed, spans, strict=True):
        windows += [
            NearWindow(lat, lon, ADDRESS_RADIUS_M, start=at - span, end=at),
            NearWindow(lat, lon, ADDRESS_RADIUS_M, start=at, end=at + span),
        ]
    counts = iter(call_counts_near_many(windows))
    found: dict[int, dict[str, Any]] = {}
    for (case, *_), span in zip(placed, spans, strict=True):
        before, after = next(counts), next(counts)
        found[id(case)] = {
            "days": span.days,  # each side, in whole days
            "before": sum(before.values()),
            "after": sum(after.values()),
            "before_by_type": before,
            "after_by_type": after,
        }
    return [found.get(id(case)) for case in cases]


def follow_ups_due(*, today: dt.date | None = None) -> list[Any]:
    from beatbook.casework.models import MediationFollowUp

    today = today or timezone.localdate()
    return list(
        MediationFollowUp.objects.filter(done_at__isnull=True, due_on__lte=today)
        .select_related("case")
        .order_by("due_on")[:100]
    )
