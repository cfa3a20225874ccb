"""Canary (R40): distinctive names, phones and e-mails of callers and residents never appear
in any portal page, Open311 response or public map data, nor do their hashes."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from beatbook.calls import services as call_services
from beatbook.calls.models import Call
from beatbook.calls.tests.factories import intake
from beatbook.core.actors import SYSTEM
from beatbook.open311.models import Open311Client
from beatbook.open311.services import client_key_issue

pytestmark = pytest.mark.django_db

CANARIES = [
    "Zephyrine Quillfeather",
    "Quillfeather",
    "206-555-0177",
    "2065550177",
    "zephyrine.q@example.org",
    "Barnaby Oxtongue",
    "206-555-0166",
    "barnaby.ox@example.org",
]


def hashed(text: str) -> list[str]:
    data = text.encode()
    return [
        hashlib.md5(data).hexdigest(),  # noqa: S324  (VAWA: hashed forms count as PII)
        hashlib.sha1(data).hexdigest(),  # noqa: S324
        hashlib.sha256(data).hexdigest(),
    ]


def test_no_personal_data_reaches_any_public_output(agency: dict[str, Any]) -> None:
    desk = intake(
        agency["dispatcher"],
        code="NOISE",
        description="Zephyrine Quillfeather (206-555-0177) says music is loud",
        caller_name="Zephyrine Quillfeather",
        caller_phone="206-555-0177",
        caller_email="zephyrine.q@example.org",
    )
    call_services.call_note_add(
        actor=agency["dispatcher"],
        call=desk,
        text="Call back Zephyrine on 2065550177",
        is_public=False,
    )
    portal = Client()
    portal.post(
        "/portal/report/VEHABND/",
        {
            "description": "My neighbour Barnaby Oxtongue left it, call me 206-555-0166 or "
            "barnaby.ox@example.org",
            "address": "1534 Pine St",
            "q_DAYS": "gt7",
            "name": "Barnaby Oxtongue",
            "email": "barnaby.ox@example.org",
            "phone": "206-555-0166",
            "idempotency_key": "canary",
        },
    )
    resident = Call.objects.get(source="portal")
    call_services.call_note_add(
        actor=agency["cso"],
        call=resident,
        is_public=True,
        text="Spoke with Barnaby Oxtongue at 206-555-0166",
    )
    client = Open311Client.objects.create(name="canary app")
    key = client_key_issue(actor=SYSTEM, client=client)
    Client().post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "PARKING",
            "address_string": "1512 Pine St",
            "attribute[PROBLEM][]": "driveway",
            "first_name": "Zephyrine",
            "last_name": "Quillfeather",
            "email": "zephyrine.q@example.org",
            "phone": "206-555-0177",
            "description": "Zephyrine Quillfeather's driveway blocked",
        },
    )
    assert Call.objects.count() == 3

    anonymous = Client()
    pages = [
        "/portal/",
        "/es/portal/",
        "/portal/reports/",
        "/portal/reports.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/portal/track/{resident.public_token}/",
        f"/es/portal/track/{resident.public_token}/",
        "/portal/find-my-cso/?address=1534+Pine+St",
        f"/portal/nearby/?type=VEHABND&lat={resident.lat}&lon={resident.lon}",
        f"/portal/nearby/?type=NOISE&lat={desk.lat}&lon={desk.lon}",
    ]
    for call in Call.objects.all():
        pages += [
            f"/portal/reports/{call.number}/",
            f"/open311/v2/requests/{call.number}.json",
            f"/open311/v2/requests/{call.number}.xml",
        ]
    bodies = {}
    for page in pages:
        response = anonymous.get(page)
        assert response.status_code in (200, 404), page
        bodies[page] = response.content.decode()
    assert any("1500 block of Pine St" in body for body in bodies.values())
    for page, body in bodies.items():
        for canary in CANARIES:
            assert canary.lower() not in body.lower(), (page, canary)
            for digest in hashed(canary):
                assert digest not in body, (page, canary)
    # The tracking page still tells the resident what happened, scrubbed.
    assert "Spoke with [removed] at [removed]" in bodies[f"/portal/track/{resident.public_token}/"]
