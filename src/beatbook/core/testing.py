"""Test helpers shared by every app: a small agency, verified logins, the access matrix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from beatbook.core.actors import SYSTEM

# Two adjacent square beats in Seattle's latitude: A1 north of 47.60, B1 south of it.
BEAT_A1 = (47.600, -122.340, 47.620, -122.320)
BEAT_B1 = (47.580, -122.340, 47.600, -122.320)
INSIDE_A1 = (47.610, -122.330)
INSIDE_B1 = (47.590, -122.330)
OUTSIDE = (47.700, -122.100)


def square(min_lat: float, min_lon: float, max_lat: float, max_lon: float) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [min_lon, min_lat],
                [max_lon, min_lat],
                [max_lon, max_lat],
                [min_lon, max_lat],
                [min_lon, min_lat],
            ]
        ],
    }


def beat_collection(**beats: tuple[float, float, float, float]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"beat": name, "sector": name[0]},
                "geometry": square(*bbox),
            }
            for name, bbox in beats.items()
        ],
    }


def agency_build() -> dict[str, Any]:
    """Beats A1 and B1, addresses on Pine St (A1) and Oak St (B1), two teams, staff, units."""
    from beatbook.accounts import services as account_services
    from beatbook.calls.call_types import call_type_details_seed, call_types_seed
    from beatbook.calls.models import CallType, CallTypeQuestion
    from beatbook.places.models import Beat
    from beatbook.places.services import addresses_import, beats_import
    from beatbook.roster.choices import UnitStatus
    from beatbook.roster.models import Shift, Unit

    # Transactional (browser) tests empty the tables between tests, seed rows included.
    call_types_seed(CallType)
    call_type_details_seed(CallType, CallTypeQuestion)
    beats_import(
        actor=SYSTEM,
        collection=beat_collection(A1=BEAT_A1, B1=BEAT_B1),
        name_property="beat",
        sector_property="sector",
    )
    rows = []
    for i, number in enumerate(range(1500, 1600, 10)):
        rows.append(
            (
                i + 2,
                {
                    "number": str(number),
                    "street": "Pine St",
                    "city": "Seattle",
                    "lat": str(47.610 + i * 0.0002),
                    "lon": str(-122.335 + i * 0.0004),
                },
            )
        )
        rows.append(
            (
                i + 100,
                {
                    "number": str(number + 1),
                    "street": "Oak Street",
                    "city": "Seattle",
                    "lat": str(47.590 - i * 0.0002),
                    "lon": str(-122.335 + i * 0.0004),
                },
            )
        )
    addresses_import(actor=SYSTEM, rows=rows)
    a1, b1 = Beat.objects.get(name="A1"), Beat.objects.get(name="B1")
    north = account_services.team_create(actor=SYSTEM, name="North", beats=[a1])
    south = account_services.team_create(actor=SYSTEM, name="South", beats=[b1])
    people: dict[str, Any] = {"a1": a1, "b1": b1, "north": north, "south": south}
    for username, role, team in [
        ("cso", "cso", north),
        ("cso_other_team", "cso", south),
        ("cso_north_2", "cso", north),
        ("dispatcher", "dispatcher", None),
        ("supervisor", "supervisor", north),
        ("analyst", "analyst", None),
        ("admin", "admin", None),
        ("victim_services", "victim_services", None),
    ]:
        user = account_services.user_create(
            actor=SYSTEM,
            username=username,
            role=role,
            password="correct horse battery 42",
            team=team,
            first_name=username.split("_")[0].title(),
            last_name="Tester",
        )
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        people[username] = user
    now = timezone.now()
    positions = {
        "cso": (47.611, -122.331),
        "cso_other_team": (47.589, -122.331),
        "cso_north_2": (47.618, -122.322),
    }
    for username, (lat, lon) in positions.items():
        user = people[username]
        people[f"{username}_unit"] = Unit.objects.create(
            call_sign=f"U-{username}",
            user=user,
            status=UnitStatus.AVAILABLE,
            lat=lat,
            lon=lon,
            position_at=now,
        )
        Shift.objects.create(
            user=user, starts_at=now - dt.timedelta(hours=2), ends_at=now + dt.timedelta(hours=8)
        )
    return people


def login(client: Client, user: Any, *, verified: bool = True) -> Client:
    """Sign `user` in as if through the login page; `verified` means past the second factor."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        session["otp_device_id"] = device.persistent_id  # type: ignore[union-attr]
        session.save()
    return client


def assert_refused(response: Any, *, allow_404: bool = True) -> None:
    refused = {302, 401, 403} | ({404} if allow_404 else set())
    assert response.status_code in refused, (
        f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} answered "
        f"{response.status_code}, expected a refusal"
    )
    if response.status_code == 302:
        assert response["Location"].startswith(("/accounts/", "/admin/login/")), response[
            "Location"
        ]


def roles_other_than(roles: Iterable[str]) -> list[str]:
    from beatbook.core.roles import Role

    allowed = set(roles)
    return [role.value for role in Role if role.value not in allowed]
