from __future__ import annotations

from typing import Any

from beatbook.calls import services as call_services
from beatbook.calls.models import Call
from beatbook.calls.tests.factories import intake
from beatbook.casework.models import MediationCase
from beatbook.casework.services.mediation import mediation_open

NEIGHBOURS = [
    {
        "name": "Ada Upstairs",
        "role": "tenant at 1520",
        "phone": "206-555-0111",
        "contact_preference": "phone",
    },
    {
        "name": "Bo Downstairs",
        "role": "tenant at 1520",
        "email": "bo@example.org",
        "contact_preference": "email",
    },
]


def noise_call_on_scene(agency: dict[str, Any]) -> Call:
    call = intake(
        agency["dispatcher"],
        code="NOISE",
        description="Music every night from upstairs",
        address="1520 Pine St",
        lat=None,
        lon=None,
    )
    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    call_services.call_on_scene(actor=agency["cso"], call=call)
    return call


def case_open(agency: dict[str, Any], **kwargs: Any) -> MediationCase:
    values: dict[str, Any] = {
        "dispute_type": "noise",
        "summary": "Late music, stomping",
        "address": "1520 Pine St",
        "parties": NEIGHBOURS,
    }
    values.update(kwargs)
    return mediation_open(actor=agency["cso"], **values)
