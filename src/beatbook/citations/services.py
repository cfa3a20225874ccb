"""Writes on citations: issue with the fine from the schedule, pay, contest, decide, void."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from beatbook.calls.models import Call
from beatbook.calls.photos import photo_process
from beatbook.citations.choices import COUNTING_STATUSES, CitationKind, CitationStatus
from beatbook.citations.exceptions import CitationTransitionRefused
from beatbook.citations.models import Citation, CitationPhoto, Ordinance
from beatbook.core.actors import Actor, actor_user
from beatbook.core.exceptions import PermissionDenied, ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.numbering import number_next
from beatbook.core.permissions import actor_role, require_role
from beatbook.core.roles import Role
from beatbook.places.selectors import location_resolve

ISSUERS = {Role.CSO, Role.SUPERVISOR}
CLERKS = {Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN}
REVIEWERS = {Role.SUPERVISOR, Role.ADMIN}


def plate_normalise(plate: str) -> str:
    return "".join(ch for ch in plate.upper() if ch.isalnum())


def prior_offences(*, ordinance: Ordinance, plate: str, person_name: str, at: dt.datetime) -> int:
    """Citations for the same ordinance and vehicle or person within its repeat window."""
    since = at - dt.timedelta(days=ordinance.repeat_window_days)
    earlier = Citation.objects.filter(
        ordinance=ordinance,
        is_warning=False,
        status__in=COUNTING_STATUSES,
        issued_at__gte=since,
        issued_at__lte=at,
    )
    if plate:
        return earlier.filter(plate=plate).count()
    return earlier.filter(person_name__iexact=person_name.strip()).count()


@transaction.atomic
def citation_issue(
    *,
    actor: Actor,
    ordinance: Ordinance,
    is_warning: bool = False,
    plate: str = "",
    plate_state: str = "",
    vehicle_make: str = "",
    vehicle_colour: str = "",
    person_name: str = "",
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    notes: str = "",
    call: Call | None = None,
    photos: Iterable[tuple[Any, int]] = (),
) -> Citation:
    require_role(actor, ISSUERS, action="issue citations")
    if not ordinance.is_active:
        raise ValidationFailed(f"{ordinance.code} is no longer in force.", field="ordinance")
    if actor_role(actor) == Role.CSO and not ordinance.cso_may_issue:
        raise PermissionDenied(f"{ordinance.code} may be cited by sworn officers only.")
    plate = plate_normalise(plate)
    person_name = person_name.strip()
    if not plate and not person_name:
        raise ValidationFailed("Give the vehicle's plate or the person's name.", field="plate")
    if call is not None and lat is None and not address:
        lat, lon = call.lat, call.lon
    place = location_resolve(lat=lat, lon=lon, address=address)
    now = timezone.now()
    offence = prior_offences(ordinance=ordinance, plate=plate, person_name=person_name, at=now) + 1
    user = actor_user(actor)
    citation = Citation(
        number=number_next(prefix="CIT"),
        kind=ordinance.kind,
        is_warning=is_warning,
        ordinance=ordinance,
        call=call,
        issued_by=user,
        team=getattr(user, "team", None),
        issued_at=now,
        plate=plate,
        plate_state=plate_state.upper()[:4],
        vehicle_make=vehicle_make.strip(),
        vehicle_colour=vehicle_colour.strip(),
        person_name=person_name,
        address_text=place.address_text,
        block_text=place.block_text,
        lat=place.lat,
        lon=place.lon,
        beat=place.beat,
        notes=notes.strip(),
        offence_number=offence,
        fine_amount=Decimal("0.00") if is_warning else ordinance.fine_for(offence),
        due_on=None
        if is_warning
        else timezone.localdate(now) + dt.timedelta(days=settings.BEATBOOK_CITATION_DAYS_TO_PAY),
    )
    validate(citation)
    citation.save()
    for upload, size in photos:
        processed = photo_process(upload, size=size)
        photo = CitationPhoto(citation=citation, sha256=processed.sha256)
        photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(processed.image), save=False)
        photo.save()
    history_record(
        obj=citation,
        actor=actor,
        verb="warning issued" if is_warning else "citation issued",
        data={"ordinance": ordinance.code, "offence": offence, "fine": str(citation.fine_amount)},
    )
    return citation


def _lock(citation: Citation) -> Citation:
    return Citation.objects.select_for_update().get(pk=citation.pk)


def _require_status(citation: Citation, allowed: set[str], action: str) -> None:
    if citation.status not in allowed:
        raise CitationTransitionRefused(
            f"{citation.number} is {citation.get_status_display().lower()}; it cannot be {action}."
        )


@transaction.atomic
def citation_pay(*, actor: Actor, citation: Citation) -> Citation:
    require_role(actor, CLERKS, action="record payments")
    citation = _lock(citation)
    if citation.is_warning:
        raise CitationTransitionRefused(f"{citation.number} is a warning; there is nothing to pay.")
    _require_status(citation, {CitationStatus.ISSUED, CitationStatus.UPHELD}, "paid")
    citation.status, citation.paid_at = CitationStatus.PAID, timezone.now()
    citation.save(update_fields=["status", "paid_at", "updated_at"])
    history_record(
        obj=citation, actor=actor, verb="paid", data={"amount": str(citation.fine_amount)}
    )
    return citation


@transaction.atomic
def citation_contest(*, actor: Actor, citation: Citation, reason: str) -> Citation:
    require_role(actor, CLERKS, action="record contests")
    citation = _lock(citation)
    _require_status(citation, {CitationStatus.ISSUED}, "contested")
    if not reason.strip():
        raise ValidationFailed("Record why the recipient contests it.", field="reason")
    citation.status, citation.contest_reason = CitationStatus.CONTESTED, reason.strip()[:500]
    citation.save(update_fields=["status", "contest_reason", "updated_at"])
    history_record(obj=citation, actor=actor, verb="contested", data={"reason": reason[:200]})
    return citation


@transaction.atomic
def citation_decide(*, actor: Actor, citation: Citation, upheld: bool) -> Citation:
    require_role(actor, REVIEWERS, action="decide contests")
    citation = _lock(citation)
    _require_status(citation, {CitationStatus.CONTESTED}, "decided")
    citation.status = CitationStatus.UPHELD if upheld else CitationStatus.DISMISSED
    citation.decided_by = actor_user(actor)
    citation.save(update_fields=["status", "decided_by", "updated_at"])
    history_record(obj=citation, actor=actor, verb="upheld" if upheld else "dismissed")
    return citation


@transaction.atomic
def citation_void(*, actor: Actor, citation: Citation, reason: str) -> Citation:
    """Cancel a citation written in error: a supervisor other than the issuer, with a reason."""
    require_role(actor, REVIEWERS, action="void citations")
    citation = _lock(citation)
    if getattr(actor, "pk", None) == citation.issued_by_id:
        raise PermissionDenied("A citation cannot be voided by the person who issued it.")
    _require_status(citation, {CitationStatus.ISSUED}, "voided")
    if not reason.strip():
        raise ValidationFailed("Give the reason for voiding.", field="reason")
    citation.status, citation.void_reason = CitationStatus.VOID, reason.strip()[:300]
    citation.voided_by, citation.voided_at = actor_user(actor), timezone.now()
    validate(citation)
    citation.save(update_fields=["status", "void_reason", "voided_by", "voided_at", "updated_at"])
    history_record(obj=citation, actor=actor, verb="voided", data={"reason": reason[:200]})
    return citation


@dataclass
class OrdinanceImportResult:
    created: int = 0
    updated: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)


ORDINANCE_COLUMNS = ("code", "title", "kind", "fine_first", "fine_second", "fine_third")


def _money(value: str, name: str) -> Decimal:
    try:
        amount = Decimal(value.strip().lstrip("$"))
    except (InvalidOperation, AttributeError):
        raise ValueError(f"{name} {value!r} is not an amount") from None
    if amount < 0:
        raise ValueError(f"{name} cannot be negative")
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def ordinances_import(*, actor: Actor, lines: Iterable[str]) -> OrdinanceImportResult:
    """Load the ordinance library from CSV; bad rows are reported by line, good rows kept."""
    require_role(actor, {Role.ADMIN}, action="import ordinances")
    reader = csv.DictReader(lines)
    missing = [c for c in ORDINANCE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            f"Line 1: the header lacks {', '.join(missing)}; expected "
            f"{', '.join(ORDINANCE_COLUMNS)} and optionally description, "
            "repeat_window_days, cso_may_issue."
        )
    result = OrdinanceImportResult()
    for row in reader:
        line = reader.line_num
        try:
            kind = (row.get("kind") or "").strip().lower()
            if kind not in CitationKind.values:
                raise ValueError(f"kind {kind!r} is not one of {', '.join(CitationKind.values)}")
            code = (row.get("code") or "").strip()
            if not code:
                raise ValueError("code is empty")
            values = {
                "title": (row.get("title") or "").strip() or code,
                "description": (row.get("description") or "").strip(),
                "kind": kind,
                "fine_first": _money(row["fine_first"], "fine_first"),
                "fine_second": _money(row["fine_second"], "fine_second"),
                "fine_third": _money(row["fine_third"], "fine_third"),
                "repeat_window_days": int(row.get("repeat_window_days") or 365),
                "cso_may_issue": (row.get("cso_may_issue") or "yes").strip().lower()
                in ("yes", "true", "1", "y"),
            }
        except (ValueError, KeyError) as exc:
            result.rejects.append((line, str(exc)))
            continue
        _, created = Ordinance.objects.update_or_create(code=code, defaults=values)
        result.created += created
        result.updated += not created
    history_record(
        obj=None,
        actor=actor,
        verb="ordinances imported",
        data={
            "created": result.created,
            "updated": result.updated,
            "rejected": len(result.rejects),
        },
    )
    return result
