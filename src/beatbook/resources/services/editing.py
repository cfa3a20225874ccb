"""Coordinators keep the directory right by hand: a service's details, where it is, its
phones, hours and languages, each save in the service's history with the fields it changed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from beatbook.core.actors import Actor
from beatbook.core.exceptions import ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.resources.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from beatbook.resources.services.directory import DIRECTORY_EDITORS

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_WORDS = {
    **{day.lower(): day for day in DAYS},
    **{
        name: code
        for code, names in zip(
            DAYS,
            [
                ("mon", "monday"),
                ("tue", "tues", "tuesday"),
                ("wed", "wednesday"),
                ("thu", "thur", "thurs", "thursday"),
                ("fri", "friday"),
                ("sat", "saturday"),
                ("sun", "sunday"),
            ],
            strict=True,
        )
        for name in names
    },
}
SERVICE_FIELDS = (
    "name",
    "description",
    "status",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "fees_description",
    "application_process",
    "url",
    "email",
    "alert",
)


def parse_hours(text: str) -> list[tuple[str, dt.time, dt.time]]:
    """“Mon-Fri 09:00-17:00; Sat 10:00-14:00” → weekly rows; a line that is not one is refused
    with its words."""
    rows: list[tuple[str, dt.time, dt.time]] = []
    for part in [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]:
        found = re.fullmatch(
            r"([A-Za-z]+)(?:\s*[-–]\s*([A-Za-z]+))?\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})",
            part,
        )
        first = DAY_WORDS.get(found.group(1).lower()) if found else None
        last = DAY_WORDS.get((found.group(2) or found.group(1)).lower()) if found else None
        if not found or first is None or last is None:
            raise ValidationFailed(f"“{part}” is not like “Mon-Fri 09:00-17:00”.", field="hours")
        try:
            opens = dt.time.fromisoformat(found.group(3).zfill(5))
            closes = dt.time.fromisoformat(found.group(4).zfill(5))
        except ValueError:
            raise ValidationFailed(f"“{part}” has a time that is not one.", field="hours") from None
        if closes <= opens:
            raise ValidationFailed(f"“{part}” closes before it opens.", field="hours")
        start, end = DAYS.index(first), DAYS.index(last)
        if end < start:
            raise ValidationFailed(f"“{part}”: the days run backwards.", field="hours")
        rows += [(DAYS[i], opens, closes) for i in range(start, end + 1)]
    return rows


def hours_text(service: Service) -> str:
    """The service's weekly hours in the form `parse_hours` reads."""
    from beatbook.resources.choices import WEEKDAY_INDEX

    weekly = sorted(
        (s for s in service.schedules.all() if s.byday and not s.valid_from and s.opens_at),
        key=lambda s: (WEEKDAY_INDEX[s.byday], s.opens_at),
    )
    return "; ".join(f"{s.byday.title()} {s.opens_at:%H:%M}-{s.closes_at:%H:%M}" for s in weekly)


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", text or "") if part.strip()]


@transaction.atomic
def service_save(
    *,
    actor: Actor,
    service: Service | None,
    organization_name: str,
    needs: list[TaxonomyTerm],
    address: str,
    phones: str,
    hours: str,
    languages: str,
    **fields: Any,
) -> Service:
    """Create or update a service with its organisation, place, phones, hours and languages."""
    require_role(actor, DIRECTORY_EDITORS, action="edit the resource directory")
    weekly = parse_hours(hours)
    if not needs:
        raise ValidationFailed("Choose at least one need the service meets.", field="needs")
    organization = Organization.objects.filter(name__iexact=organization_name.strip()).first()
    if organization is None:
        organization = Organization.objects.create(name=organization_name.strip())
    creating = service is None
    service = service or Service(organization=organization)
    before = {name: getattr(service, name) for name in SERVICE_FIELDS} if not creating else {}
    service.organization = organization
    for name in SERVICE_FIELDS:
        if name in fields:
            setattr(service, name, fields[name] if fields[name] is not None else _blank(name))
    service.last_modified = timezone.now()
    validate(service)
    service.save()
    changed = [n for n in SERVICE_FIELDS if not creating and before.get(n) != getattr(service, n)]
    Attribute.objects.filter(service=service).exclude(term__in=needs).delete()
    for term in needs:
        Attribute.objects.get_or_create(service=service, term=term)
    if address.strip():
        _place(service, organization, address)
    service.phones.all().delete()
    for number in _split(phones):
        Phone.objects.create(service=service, number=number[:40], type="voice")
    service.schedules.filter(valid_from__isnull=True).delete()
    for day, opens, closes in weekly:
        Schedule.objects.create(
            service=service, freq="WEEKLY", byday=day, opens_at=opens, closes_at=closes
        )
    service.languages.all().delete()
    for name in _split(languages):
        Language.objects.create(service=service, name=name[:100], code=_language_code(name))
    history_record(
        obj=service,
        actor=actor,
        verb="service created" if creating else "service edited",
        data={"fields": changed} if changed else {},
    )
    return service


def _blank(name: str) -> Any:
    return None if name in ("minimum_age", "maximum_age") else ""


def _language_code(name: str) -> str:
    from beatbook.resources.services.ohana import LANGUAGE_CODES

    return LANGUAGE_CODES.get(name.lower(), "")


def _place(service: Service, organization: Organization, address: str) -> None:
    """Place the service at a street address the agency's address table knows."""
    from beatbook.places.selectors import geocode

    match = geocode(text=address)
    sal = service.at_locations.select_related("location").first()
    location = sal.location if sal else Location(organization=organization)
    location.organization = organization
    location.name = location.name or f"{organization.name}, {match.address_text}"
    location.latitude, location.longitude = match.lat, match.lon
    location.save()
    if sal is None:
        ServiceAtLocation.objects.create(service=service, location=location)
    from django.conf import settings

    from beatbook.places.selectors import nearest_address

    point = nearest_address(lat=match.lat, lon=match.lon)
    physical = location.addresses.filter(address_type="physical").first() or Address(
        location=location, address_type="physical", country="US"
    )
    physical.address_1 = match.address_text
    physical.city = (point.city if point else "") or settings.BEATBOOK_AGENCY_CITY
    physical.state_province = settings.BEATBOOK_AGENCY_STATE
    physical.postal_code = point.postal_code if point else ""
    physical.save()
