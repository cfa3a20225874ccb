"""Ranking lost-pet reports against strays the program holds, with the reason for each point.
A microchip or tag that agrees settles it; otherwise species, looks, sex, place and dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from rapidfuzz import fuzz

from beatbook.animals.choices import CaseKind, CaseStatus, Sex
from beatbook.animals.models import AnimalCase, LostAnimalReport
from beatbook.core.geo import distance_m

NEAR_M = 2000
HELD = (CaseStatus.CAPTURED, CaseStatus.IN_TRANSPORT, CaseStatus.IMPOUNDED)
_SEX_GROUP = {Sex.MALE: "m", Sex.NEUTERED: "m", Sex.FEMALE: "f", Sex.SPAYED: "f"}


@dataclass(frozen=True)
class AnimalMatch:
    report: LostAnimalReport
    case: AnimalCase
    score: int
    reasons: list[str]


def animal_match_score(report: LostAnimalReport, case: AnimalCase) -> AnimalMatch | None:
    animal = case.animal
    if animal is None or animal.species != report.species:
        return None
    if report.microchip and animal.microchip:
        if report.microchip == animal.microchip:
            return AnimalMatch(report, case, 100, ["same microchip"])
        return None  # two different chips are two different animals
    score, reasons = 20, [f"both {animal.get_species_display().lower()}s"]
    if report.tag_number and report.tag_number.lower() == animal.tag_number.lower():
        score += 60
        reasons.append("same tag or licence number")
    if report.breed and animal.breed:
        alike = fuzz.token_set_ratio(report.breed.lower(), animal.breed.lower())
        score += round(alike * 0.2)
        reasons.append(f"breeds {alike:.0f}% alike")
    colour = fuzz.token_set_ratio(report.colour.lower(), animal.colour.lower())
    score += round(colour * 0.2)
    reasons.append(f"colours {colour:.0f}% alike")
    one, other = _SEX_GROUP.get(Sex(report.sex)), _SEX_GROUP.get(Sex(animal.sex))
    if one and other:
        if one == other:
            score += 5
            reasons.append("same sex")
        else:
            score -= 30
            reasons.append("different sex")
    picked_up = timezone.localdate(case.captured_at or case.created_at)
    gap = (picked_up - report.lost_on).days
    if 0 <= gap <= 21:
        score += 15 if gap <= 3 else 8
        reasons.append(f"picked up {gap} day(s) after it was lost")
    elif gap < 0:
        score -= 20
        reasons.append("picked up before it was lost")
    if report.lat is not None and report.lon is not None and case.lat is not None:
        metres = distance_m(report.lat, report.lon, case.lat, case.lon or 0.0)
        if metres <= NEAR_M:
            score += 10
            reasons.append(f"picked up {metres / 1000:.1f} km from where it was lost")
    return AnimalMatch(report, case, max(min(score, 99), 0), reasons)


def _ranked(pairs: list[AnimalMatch | None], limit: int) -> list[AnimalMatch]:
    found = [m for m in pairs if m is not None and m.score >= 40]
    return sorted(found, key=lambda m: -m.score)[:limit]


def matches_for_case(case: AnimalCase, limit: int = 5) -> list[AnimalMatch]:
    if case.kind != CaseKind.STRAY or case.status not in HELD:
        return []
    since = timezone.localdate(case.created_at) - dt.timedelta(days=60)
    reports = LostAnimalReport.objects.filter(
        status=LostAnimalReport.Status.OPEN, lost_on__gte=since
    )
    return _ranked([animal_match_score(r, case) for r in reports], limit)


def matches_for_lost_animal(report: LostAnimalReport, limit: int = 5) -> list[AnimalMatch]:
    cases = (
        AnimalCase.objects.filter(
            kind=CaseKind.STRAY,
            status__in=HELD,
            animal__species=report.species,
            created_at__date__gte=report.lost_on - dt.timedelta(days=3),
        )
        .exclude(lost_reports__status=LostAnimalReport.Status.MATCHED)
        .select_related("animal", "shelter")
    )
    return _ranked([animal_match_score(report, c) for c in cases], limit)
