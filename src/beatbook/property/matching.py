"""Ranking lost reports against found items, with the reason for every point of the score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from rapidfuzz import fuzz

from beatbook.core.geo import distance_m
from beatbook.property.choices import ItemKind, ItemStatus
from beatbook.property.models import LostReport, PropertyItem

NEAR_M = 1500


@dataclass(frozen=True)
class Match:
    report: LostReport
    item: PropertyItem
    score: int
    reasons: list[str]


def match_score(
    report: LostReport, item: PropertyItem, item_point: tuple[float, float] | None
) -> Match:
    score, reasons = 0, []
    if report.category == item.category:
        score += 40
        reasons.append(f"same category ({item.get_category_display()})")
    text = fuzz.token_set_ratio(report.description.lower(), item.description.lower())
    score += round(text * 0.35)
    reasons.append(f"descriptions {text:.0f}% alike")
    found_on = timezone.localdate(item.found_at)
    gap = (found_on - report.lost_on).days
    if 0 <= gap <= 14:
        score += 15 if gap <= 3 else 8
        reasons.append(f"found {gap} day(s) after it was lost")
    elif gap < 0:
        score -= 20
        reasons.append("found before it was reported lost")
    if item_point and report.lat is not None and report.lon is not None:
        metres = distance_m(report.lat, report.lon, *item_point)
        if metres <= NEAR_M:
            score += 10
            reasons.append(f"found {metres / 1000:.1f} km from where it was lost")
    return Match(report, item, max(score, 0), reasons)


def _point(item: PropertyItem) -> tuple[float, float] | None:
    return (item.call.lat, item.call.lon) if item.call else None


def matches_for_item(item: PropertyItem, limit: int = 5) -> list[Match]:
    since = timezone.localdate(item.found_at) - dt.timedelta(days=60)
    reports = LostReport.objects.filter(status=LostReport.Status.OPEN, lost_on__gte=since)
    ranked = [match_score(r, item, _point(item)) for r in reports]
    return sorted((m for m in ranked if m.score >= 40), key=lambda m: -m.score)[:limit]


def matches_for_report(report: LostReport, limit: int = 5) -> list[Match]:
    items = PropertyItem.objects.filter(
        kind=ItemKind.FOUND,
        status=ItemStatus.IN_CUSTODY,
        found_at__date__gte=report.lost_on - dt.timedelta(days=3),
    ).select_related("call")
    ranked = [match_score(report, item, _point(item)) for item in items]
    return sorted((m for m in ranked if m.score >= 40), key=lambda m: -m.score)[:limit]
