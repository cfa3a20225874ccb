"""A small directory near the test agency's streets, built through the HSDS loader."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

from beatbook.core.actors import SYSTEM
from beatbook.resources.services.directory import directory_load, directory_package_zip


def uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.test.beatbook"))


def directory_build(**service_overrides: Any) -> dict[str, str]:
    """Two needs (Food, Housing), a food bank 300 m from Pine St that speaks Spanish and is open
    weekdays 9–17, and a housing office 2.5 km away open only on Saturdays."""
    taxonomy = uid("taxonomy")
    rows: dict[str, list[dict[str, Any]]] = {
        "organization": [
            {"id": uid("org-food"), "name": "Pine Street Pantry Society", "description": ""},
            {"id": uid("org-housing"), "name": "Harbor Housing Help", "description": "Rent help"},
        ],
        "program": [],
        "taxonomy": [{"id": taxonomy, "name": "Needs", "description": "Test needs"}],
        "taxonomy_term": [
            {
                "id": uid("food"),
                "code": "102",
                "name": "Food",
                "name_es": "Comida",
                "description": "",
                "taxonomy_id": taxonomy,
            },
            {
                "id": uid("pantry"),
                "code": "102-01",
                "name": "Food Pantry",
                "description": "",
                "taxonomy_id": taxonomy,
                "parent_id": uid("food"),
            },
            {
                "id": uid("housing"),
                "code": "103",
                "name": "Housing",
                "name_es": "Vivienda",
                "description": "",
                "taxonomy_id": taxonomy,
            },
        ],
        "service": [
            {
                "id": uid("svc-food"),
                "organization_id": uid("org-food"),
                "name": "Neighbourhood Food Bank",
                "description": "Groceries once a week, no questions asked.",
                "status": "active",
                "email": "intake@pantry.example.org",
                "eligibility_description": "Anyone living in the city",
                "assured_date": "2026-11-01",
                **service_overrides,
            },
            {
                "id": uid("svc-housing"),
                "organization_id": uid("org-housing"),
                "name": "Eviction Prevention Clinic",
                "description": "Help with back rent and notices.",
                "status": "active",
                "minimum_age": 18,
            },
            {
                "id": uid("svc-closed"),
                "organization_id": uid("org-food"),
                "name": "Old Soup Kitchen",
                "status": "defunct",
            },
        ],
        "attribute": [
            {"id": uid("a1"), "link_id": uid("svc-food"), "taxonomy_term_id": uid("pantry")},
            {"id": uid("a2"), "link_id": uid("svc-housing"), "taxonomy_term_id": uid("housing")},
            {"id": uid("a3"), "link_id": uid("svc-closed"), "taxonomy_term_id": uid("food")},
        ],
        "location": [
            {
                "id": uid("loc-food"),
                "location_type": "physical",
                "name": "Pantry hall",
                "organization_id": uid("org-food"),
                "latitude": 47.6125,
                "longitude": -122.333,
            },
            {
                "id": uid("loc-housing"),
                "location_type": "physical",
                "name": "Harbor office",
                "organization_id": uid("org-housing"),
                "latitude": 47.5885,
                "longitude": -122.31,
            },
        ],
        "address": [
            {
                "id": uid("addr-food"),
                "location_id": uid("loc-food"),
                "address_1": "1540 Pine St",
                "city": "Seattle",
                "state_province": "WA",
                "postal_code": "98101",
                "country": "US",
                "address_type": "physical",
            },
        ],
        "service_at_location": [
            {"id": uid("sal-food"), "service_id": uid("svc-food"), "location_id": uid("loc-food")},
            {
                "id": uid("sal-housing"),
                "service_id": uid("svc-housing"),
                "location_id": uid("loc-housing"),
            },
            {
                "id": uid("sal-closed"),
                "service_id": uid("svc-closed"),
                "location_id": uid("loc-food"),
            },
        ],
        "phone": [
            {"id": uid("ph-food"), "service_id": uid("svc-food"), "number": "206-555-0100"},
            {
                "id": uid("ph-housing"),
                "location_id": uid("loc-housing"),
                "number": "206-555-0101",
                "extension": "2",
            },
        ],
        "schedule": [
            *[
                {
                    "id": uid(f"sch-food-{day}"),
                    "service_id": uid("svc-food"),
                    "freq": "WEEKLY",
                    "byday": day,
                    "opens_at": "09:00",
                    "closes_at": "17:00",
                }
                for day in ("MO", "TU", "WE", "TH", "FR")
            ],
            {
                "id": uid("sch-housing"),
                "location_id": uid("loc-housing"),
                "freq": "WEEKLY",
                "byday": "SA",
                "opens_at": "10:00",
                "closes_at": "14:00",
            },
        ],
        "language": [
            {
                "id": uid("lang-food-es"),
                "service_id": uid("svc-food"),
                "name": "Spanish",
                "code": "es",
            },
            {
                "id": uid("lang-housing-vi"),
                "location_id": uid("loc-housing"),
                "name": "Vietnamese",
                "code": "vi",
            },
        ],
    }
    directory_load(actor=SYSTEM, rows=rows, source="test")
    return {
        "food": uid("svc-food"),
        "housing": uid("svc-housing"),
        "closed": uid("svc-closed"),
        "need_food": uid("food"),
        "need_housing": uid("housing"),
    }


def package_with_tables(**extra_tables: str) -> bytes:
    """The directory's own HSDS package plus other tables of the full profile (name → CSV),
    as a county 211 export would carry them."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(directory_package_zip())) as source,
        zipfile.ZipFile(buffer, "w") as archive,
    ):
        for name in source.namelist():
            archive.writestr(name, source.read(name))
        for table, text in extra_tables.items():
            archive.writestr(f"{table}.csv", text)
    return buffer.getvalue()


def referral_made(actor: Any, ids: dict[str, str], **overrides: Any) -> Any:
    """A referral to the directory's food bank (`directory_build`'s ids) the resident will
    follow up by phone, through the real service; any argument can be overridden."""
    from beatbook.resources.models import Service, TaxonomyTerm
    from beatbook.resources.services.referrals import referral_create

    values: dict[str, Any] = {
        "resident_name": "R",
        "resident_phone": "206-555-0101",
        "need": TaxonomyTerm.objects.get(pk=ids["need_food"]),
        "service": Service.objects.get(pk=ids["food"]),
        "consent_scopes": ["provider_contact"],
        "consent_method": "verbal",
        "contact_method": "resident_calls",
    }
    return referral_create(actor=actor, **{**values, **overrides})
