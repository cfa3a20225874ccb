from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from beatbook.outreach import services
from beatbook.outreach.choices import EventKind
from beatbook.outreach.models import Event, Registration


def event(actor: Any, **overrides: Any) -> Event:
    """A public safety fair on Pine St (beat A1) a week from now, through the service."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=7)
    fields: dict[str, Any] = {
        "kind": EventKind.SAFETY_FAIR,
        "title": "Pine Street safety fair",
        "title_es": "Feria de seguridad de Pine Street",
        "description": "Bike registration, home-security tips, free locks.",
        "venue": "Pine Street Plaza",
        "address": "1510 Pine St",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=3),
        "capacity": None,
        "is_public": True,
        "registration_open": True,
    }
    fields.update(overrides)
    return services.event_create(actor=actor, **fields)


def register(target: Event, n: int = 1, **overrides: Any) -> Registration:
    fields: dict[str, Any] = {
        "name": f"Resident {n}",
        "email": f"resident{n}@example.org",
        "party_size": 1,
    }
    fields.update(overrides)
    return services.registration_create(event=target, **fields)


def volunteer(coordinator: Any, name: str = "Sam Rivera", *, vetted: bool = True) -> Any:
    """A volunteer with passed, unexpired checks for every program when `vetted`."""
    from beatbook.outreach.choices import VettingKind
    from beatbook.outreach.services import volunteers as volunteer_services

    person = volunteer_services.volunteer_add(
        actor=coordinator, name=name, email=f"{name.split()[0].lower()}@example.org"
    )
    if vetted:
        today = timezone.localdate()
        for kind in VettingKind.values:
            volunteer_services.vetting_record(
                actor=coordinator,
                volunteer=person,
                kind=kind,
                result="passed",
                completed_on=today - dt.timedelta(days=30),
                expires_on=today + dt.timedelta(days=365),
            )
    return person


def patrol_shift(actor: Any, beat: Any, *, in_days: float = 2, capacity: int = 3) -> Any:
    from beatbook.outreach.services import volunteers as volunteer_services

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=in_days)
    return volunteer_services.shift_create(
        actor=actor,
        program="citizen_patrol",
        title="Evening patrol, Pine St",
        meeting_point="Corner of Pine St and 15th Ave",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=capacity,
        leader=actor,
        beat=beat,
    )
