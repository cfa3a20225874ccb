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
