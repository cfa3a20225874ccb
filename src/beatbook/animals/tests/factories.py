from __future__ import annotations

from typing import Any

from beatbook.animals import services
from beatbook.animals.models import AnimalCase, Shelter
from beatbook.calls import services as call_services
from beatbook.calls.tests.factories import intake


def shelter(name: str = "Seattle Animal Shelter", **kwargs: Any) -> Shelter:
    kwargs.setdefault("phone", "206-386-7387")
    kwargs.setdefault("address", "2061 15th Ave W")
    return Shelter.objects.get_or_create(name=name, defaults=kwargs)[0]


def stray_case(agency: dict[str, Any], *, code: str = "ANIMAL", **animal: Any) -> AnimalCase:
    """A stray-dog call taken at the desk, sent to the CSO, opened as a case, dog described."""
    call = intake(agency["dispatcher"], code=code, description="Brown dog loose near the school")
    call_services.call_dispatch(actor=agency["dispatcher"], call=call, unit=agency["cso_unit"])
    case = services.case_open(actor=agency["cso"], call=call)
    fields = {"species": "dog", "breed": "Labrador mix", "colour": "brown", "sex": "m"}
    fields.update(animal)
    services.animal_record(actor=agency["cso"], case=case, **fields)
    case.refresh_from_db()
    return case
