"""Reads of the directory: the needs people search by, and the search itself (by need,
distance from a place, language, open now, age and words)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from beatbook.core.geo import distance_m
from beatbook.resources.choices import WEEKDAY_INDEX, ReferralStatus, ServiceStatus
from beatbook.resources.models import (
    Location,
    Referral,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

SEARCH_LIMIT = 50


def needs() -> QuerySet[TaxonomyTerm]:
    """Top-level taxonomy terms that at least one active service falls under."""
    return (
        TaxonomyTerm.objects.filter(parent__isnull=True)
        .filter(
            Q(attributes__service__status=ServiceStatus.ACTIVE)
            | Q(children__attributes__service__status=ServiceStatus.ACTIVE)
        )
        .distinct()
        .order_by("name")
    )


def need_label(term: TaxonomyTerm, language: str) -> str:
    return term.name_es if language.startswith("es") and term.name_es else term.name


def language_choices() -> list[tuple[str, str]]:
    """(code, name) of every language a service or its location speaks, by name."""
    from beatbook.resources.models import Language

    seen: dict[str, str] = {}
    for name, code in Language.objects.values_list("name", "code").order_by("name"):
        key = code or name.lower()
        seen.setdefault(key, name)
    return sorted(seen.items(), key=lambda item: item[1])


def _is_open(schedules: list[Schedule], at: dt.datetime) -> bool | None:
    """Open at `at` (agency-local), or None when the hours are not known."""
    if not schedules:
        return None
    today, clock = at.date(), at.time()
    dated = [
        s
        for s in schedules
        if s.valid_from and s.valid_from <= today <= (s.valid_to or s.valid_from)
    ]
    if dated:
        return any(s.opens_at and s.closes_at and s.opens_at <= clock < s.closes_at for s in dated)
    weekday = at.weekday()
    weekly = [s for s in schedules if s.byday and not s.valid_from]
    if not weekly:
        return None
    return any(
        WEEKDAY_INDEX[s.byday] == weekday
        and s.opens_at is not None
        and s.closes_at is not None
        and s.opens_at <= clock < s.closes_at
        for s in weekly
    )


@dataclass
class SearchResult:
    service: Service
    location: Location | None
    distance_m: float | None
    open_now: bool | None
    hours: list[Schedule] = field(default_factory=list)
    phones: list[Any] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def distance_km(self) -> float | None:
        return None if self.distance_m is None else round(self.distance_m / 1000, 1)

    @property
    def is_stale(self) -> bool:
        return service_is_stale(self.service)

    @property
    def hours_text(self) -> list[str]:
        return hours_summary(self.hours)


def hours_summary(schedules: list[Schedule]) -> list[str]:
    """Weekly hours with runs of days that share them joined: “Monday–Friday 09:00–17:00”;
    dated exceptions after them."""
    from beatbook.resources.choices import Weekday

    by_hours: dict[tuple[Any, Any], list[int]] = {}
    for s in schedules:
        if s.byday and not s.valid_from and s.opens_at and s.closes_at:
            by_hours.setdefault((s.opens_at, s.closes_at), []).append(WEEKDAY_INDEX[s.byday])
    labels = [str(label) for label in Weekday.labels]
    lines: list[tuple[int, str]] = []
    for (opens, closes), days in by_hours.items():
        days = sorted(set(days))
        runs: list[list[int]] = []
        for day in days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        names = ", ".join(
            labels[r[0]] if len(r) == 1 else f"{labels[r[0]]}–{labels[r[-1]]}" for r in runs
        )
        lines.append((days[0], f"{names} {opens:%H:%M}–{closes:%H:%M}"))
    shown = [text for _, text in sorted(lines)]
    for s in schedules:
        if s.valid_from:
            until = f"–{s.valid_to:%Y-%m-%d}" if s.valid_to and s.valid_to != s.valid_from else ""
            hours = (
                f"{s.opens_at:%H:%M}–{s.closes_at:%H:%M}"
                if s.opens_at and s.closes_at
                else gettext("closed")
            )
            shown.append(f"{s.valid_from:%Y-%m-%d}{until}: {hours}")
    return shown


def stale_before() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=settings.BEATBOOK_RESOURCE_VERIFY_DAYS)


def service_is_stale(service: Service) -> bool:
    return service.assured_date is None or service.assured_date < stale_before()


def _services() -> QuerySet[Service]:
    locations = Location.objects.prefetch_related("schedules", "phones", "languages", "addresses")
    return (
        Service.objects.filter(status=ServiceStatus.ACTIVE)
        .select_related("organization")
        .prefetch_related(
            "schedules",
            "phones",
            "languages",
            "terms",
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.prefetch_related(
                    Prefetch("location", locations)
                ),
            ),
        )
    )


def services_search(
    *,
    need: TaxonomyTerm | None = None,
    near: tuple[float, float] | None = None,
    within_km: float | None = None,
    language: str = "",
    open_now: bool = False,
    age: int | None = None,
    words: str = "",
    at: dt.datetime | None = None,
    limit: int = SEARCH_LIMIT,
) -> list[SearchResult]:
    """Active services that meet every filter given, nearest first when a place is given."""
    services = _services()
    if need is not None:
        services = services.filter(Q(terms=need) | Q(terms__parent=need)).distinct()
    if words.strip():
        for word in words.split()[:8]:
            services = services.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(organization__name__icontains=word)
                | Q(terms__name__icontains=word)
            ).distinct()
    if age is not None:
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )
    local = timezone.localtime(at or timezone.now())
    results = []
    for service in services:
        locations = [sal.location for sal in service.at_locations.all()]
        spoken = list(service.languages.all()) + [
            lang for loc in locations for lang in loc.languages.all()
        ]
        if language and not any(
            (lang.code or lang.name.lower()) == language.lower() for lang in spoken
        ):
            continue
        best, best_distance = (locations[0] if locations else None), None
        if near is not None:
            placed = [
                (distance_m(near[0], near[1], loc.latitude, loc.longitude), loc)
                for loc in locations
                if loc.latitude is not None and loc.longitude is not None
            ]
            if placed:
                best_distance, best = min(placed, key=lambda pair: pair[0])
            if within_km is not None and (
                best_distance is None or best_distance > within_km * 1000
            ):
                continue
        hours = list(service.schedules.all()) or (list(best.schedules.all()) if best else [])
        is_open = _is_open(hours, local)
        if open_now and not is_open:
            continue
        phones = list(service.phones.all()) or (list(best.phones.all()) if best else [])
        results.append(
            SearchResult(
                service=service,
                location=best,
                distance_m=best_distance,
                open_now=is_open,
                hours=sorted(
                    hours, key=lambda s: (WEEKDAY_INDEX.get(s.byday, 9), s.opens_at or dt.time())
                ),
                phones=phones,
                languages=sorted({lang.name for lang in spoken}),
            )
        )
    if near is not None:
        results.sort(key=lambda r: (r.distance_m is None, r.distance_m or 0.0, r.service.name))
    return results[:limit]


def stale_services() -> QuerySet[Service]:
    """Active services nobody has confirmed within the configured time."""
    return (
        Service.objects.filter(status=ServiceStatus.ACTIVE)
        .filter(Q(assured_date__isnull=True) | Q(assured_date__lt=stale_before()))
        .select_related("organization")
        .order_by(F("assured_date").asc(nulls_first=True), "name")
    )


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """Supervisors, analysts and admins see every referral; a CSO sees their own."""
    from beatbook.core.roles import Role

    referrals = Referral.objects.select_related(
        "service__organization", "need", "referred_by", "call"
    )
    if getattr(user, "role", "") == Role.CSO:
        return referrals.filter(referred_by=user)
    return referrals


def referrals_awaiting_answer(*, today: dt.date | None = None) -> QuerySet[Referral]:
    today = today or timezone.localdate()
    return Referral.objects.filter(
        status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED], follow_up_due__lte=today
    ).select_related("referred_by", "service")


def referral_outcomes(*, referrals: QuerySet[Referral] | None = None) -> dict[str, Any]:
    """Referrals by status and by need, for analytics (counts only, no people)."""
    referrals = Referral.objects.all() if referrals is None else referrals
    by_status = dict(referrals.values_list("status").annotate(n=Count("id")).order_by())
    by_need = list(
        referrals.values("need__name")
        .annotate(
            total=Count("id"),
            served=Count("id", filter=Q(status=ReferralStatus.SERVED)),
            waiting=Count(
                "id", filter=Q(status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED])
            ),
        )
        .order_by("-total", "need__name")
    )
    total = sum(by_status.values())
    answered = total - by_status.get(ReferralStatus.SENT, 0)
    served = by_status.get(ReferralStatus.SERVED, 0)
    return {
        "total": total,
        "by_status": [(label, by_status.get(value, 0)) for value, label in ReferralStatus.choices],
        "by_need": by_need,
        "answered_share": round(100 * answered / total) if total else None,
        "served_share": round(100 * served / total) if total else None,
    }
