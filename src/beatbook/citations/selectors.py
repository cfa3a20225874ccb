from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from beatbook.citations.models import Citation, Ordinance
from beatbook.citations.services import plate_normalise
from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.permissions import actor_role
from beatbook.core.roles import Role


def citation_scope(*, viewer: Actor) -> QuerySet[Citation]:
    citations = Citation.objects.all()
    role = actor_role(viewer)
    if role in ("system", Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST):
        return citations
    if role == Role.CSO:
        team_id = getattr(viewer, "team_id", None)
        mine = Q(issued_by=viewer)
        return citations.filter(mine | Q(team_id=team_id)) if team_id else citations.filter(mine)
    return citations.none()


@dataclass(frozen=True)
class CitationFilters:
    status: str = ""
    kind: str = ""
    plate: str = ""
    text: str = ""


def citation_list(*, viewer: Actor, filters: CitationFilters | None = None) -> QuerySet[Citation]:
    f = filters or CitationFilters()
    citations = citation_scope(viewer=viewer).select_related("ordinance", "issued_by", "beat")
    citations = citations.defer("beat__geometry")
    if f.status:
        citations = citations.filter(status=f.status)
    if f.kind:
        citations = citations.filter(kind=f.kind)
    if f.plate:
        citations = citations.filter(plate=plate_normalise(f.plate))
    if f.text:
        citations = citations.filter(
            Q(number__icontains=f.text)
            | Q(person_name__icontains=f.text)
            | Q(address_text__icontains=f.text)
        )
    return citations


def citation_get(*, viewer: Actor, citation_id: int) -> Citation:
    citation = (
        citation_scope(viewer=viewer)
        .select_related("ordinance", "issued_by", "beat", "voided_by", "decided_by")
        .prefetch_related("photos")
        .filter(pk=citation_id)
        .first()
    )
    if citation is None:
        raise NotFound("No such citation.")
    return citation


def offender_history(*, plate: str = "", person_name: str = "") -> QuerySet[Citation]:
    """Every earlier citation and warning for a plate or a person, newest first."""
    citations = Citation.objects.select_related("ordinance")
    if plate_normalise(plate):
        return citations.filter(plate=plate_normalise(plate))
    if person_name.strip():
        return citations.filter(person_name__iexact=person_name.strip())
    return citations.none()


def ordinance_choices(*, viewer: Actor) -> QuerySet[Ordinance]:
    ordinances = Ordinance.objects.filter(is_active=True)
    if actor_role(viewer) == Role.CSO:
        ordinances = ordinances.filter(cso_may_issue=True)
    return ordinances
