from __future__ import annotations

from django.db.models import Q, QuerySet

from beatbook.animals.choices import CaseKind, CaseStatus
from beatbook.animals.models import AnimalCase, BiteInvestigation, LostAnimalReport, Shelter
from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.permissions import actor_role
from beatbook.core.roles import Role

# Bite victims' details are medical: analysts see animal control only in aggregate.
VIEWERS = {Role.CSO, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, "system"}


def case_scope(*, viewer: Actor) -> QuerySet[AnimalCase]:
    if actor_role(viewer) in VIEWERS:
        return AnimalCase.objects.all()
    return AnimalCase.objects.none()


def case_list(
    *, viewer: Actor, status: str = "", kind: str = "", text: str = ""
) -> QuerySet[AnimalCase]:
    cases = case_scope(viewer=viewer).select_related("animal", "handler", "shelter", "call")
    if status == "active":
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if text:
        cases = cases.filter(
            Q(number__icontains=text)
            | Q(summary__icontains=text)
            | Q(animal__microchip=text.upper())
            | Q(animal__tag_number__iexact=text)
            | Q(animal__name__icontains=text)
        )
    return cases


def case_get(*, viewer: Actor, case_id: int) -> AnimalCase:
    case = (
        case_scope(viewer=viewer)
        .select_related("animal__owner", "handler", "opened_by", "shelter", "call")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("No such animal case.")
    return case


def bite_for(case: AnimalCase) -> BiteInvestigation | None:
    return BiteInvestigation.objects.filter(case=case).first()


def quarantines_running(*, viewer: Actor) -> QuerySet[BiteInvestigation]:
    """Observations with no result yet, the soonest (or overdue) first."""
    if actor_role(viewer) not in VIEWERS:
        return BiteInvestigation.objects.none()
    return BiteInvestigation.objects.filter(result="").select_related("case__animal")


def shelters_active() -> QuerySet[Shelter]:
    return Shelter.objects.filter(is_active=True)


def lost_animal_list(*, viewer: Actor, status: str = "open") -> QuerySet[LostAnimalReport]:
    if actor_role(viewer) not in VIEWERS:
        return LostAnimalReport.objects.none()
    reports = LostAnimalReport.objects.select_related("matched_case")
    return reports.filter(status=status) if status in LostAnimalReport.Status.values else reports


def lost_animal_get(*, viewer: Actor, report_id: int) -> LostAnimalReport:
    report = lost_animal_list(viewer=viewer, status="").filter(pk=report_id).first()
    if report is None:
        raise NotFound("No such lost animal report.")
    return report


def lost_animal_by_token(*, token: str) -> LostAnimalReport | None:
    return (
        LostAnimalReport.objects.select_related("matched_case__shelter")
        .filter(public_token=token)
        .first()
    )


def found_animals_public(*, species: str = "", area: str = "") -> QuerySet[AnimalCase]:
    """Strays held now, for residents looking for a pet: species, looks, block and shelter,
    never the chip, tag, name or markings a false claimant could quote back."""
    cases = (
        AnimalCase.objects.filter(
            kind=CaseKind.STRAY,
            status__in=(CaseStatus.CAPTURED, CaseStatus.IN_TRANSPORT, CaseStatus.IMPOUNDED),
            animal__isnull=False,
        )
        .select_related("animal", "shelter")
        .order_by("-captured_at", "-id")
    )
    if species:
        cases = cases.filter(animal__species=species)
    if area:
        cases = cases.filter(block_text__icontains=area)
    return cases
