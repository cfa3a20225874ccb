"""The demo's resource directory (invented organisations at real Seattle addresses), a few
referrals in every state, a mediation case with its agreement, and victim assistance."""

from __future__ import annotations

import datetime as dt
import uuid

import time_machine
from django.utils import timezone

from beatbook.accounts.models import User
from beatbook.calls.models import Call
from beatbook.casework.services import mediation, victims
from beatbook.core.actors import SYSTEM
from beatbook.demo.outreach import _addresses
from beatbook.places.selectors import geocode
from beatbook.records import services as record_services
from beatbook.resources import hsds
from beatbook.resources.models import Service, TaxonomyTerm
from beatbook.resources.services import referrals
from beatbook.resources.services.directory import directory_load
from beatbook.resources.services.ohana import NEEDS_ES

NEEDS = {
    "101": "Emergency",
    "102": "Food",
    "103": "Housing",
    "104": "Goods",
    "105": "Transit",
    "106": "Health",
    "107": "Money",
    "108": "Care",
    "109": "Education",
    "110": "Work",
    "111": "Legal",
}
# name, organisation, need code, languages, weekly hours (days, opens, closes), eligibility, min age
SERVICES: list[tuple[str, str, str, list[str], tuple[str, str, str], str, int | None]] = [
    (
        "Neighbourhood Food Bank",
        "Northside Community Pantry",
        "102",
        ["Spanish", "Somali"],
        ("MO,TU,WE,TH,FR", "10:00", "18:00"),
        "Anyone living in the city",
        None,
    ),
    (
        "Hot Meals at St. Brendan's",
        "St. Brendan's Outreach",
        "102",
        ["Spanish"],
        ("MO,WE,FR,SA", "11:30", "14:00"),
        "Everyone welcome",
        None,
    ),
    (
        "Emergency Shelter Intake",
        "Harbor Housing Help",
        "103",
        ["Spanish", "Vietnamese"],
        ("MO,TU,WE,TH,FR,SA,SU", "07:00", "22:00"),
        "Adults 18 and over",
        18,
    ),
    (
        "Eviction Prevention Clinic",
        "Harbor Housing Help",
        "103",
        ["Spanish"],
        ("TU,TH", "13:00", "17:00"),
        "Tenants with a notice",
        18,
    ),
    (
        "Walk-in Mental Health Counselling",
        "Cascade Behavioral Health",
        "106",
        ["Spanish", "Amharic"],
        ("MO,TU,WE,TH,FR", "09:00", "17:00"),
        "No insurance needed",
        12,
    ),
    (
        "Recovery Navigation (substance use)",
        "Cascade Behavioral Health",
        "106",
        ["Spanish"],
        ("MO,TU,WE,TH,FR,SA", "08:00", "20:00"),
        "Adults and families",
        16,
    ),
    (
        "Job Readiness and Training",
        "Sound Works Employment",
        "110",
        ["Spanish", "Tagalog"],
        ("MO,TU,WE,TH", "09:00", "16:00"),
        "Job seekers 16 and over",
        16,
    ),
    (
        "Tenant and Neighbour Legal Aid",
        "Puget Legal Aid",
        "111",
        ["Spanish", "Chinese"],
        ("WE", "17:00", "20:00"),
        "Low-income residents",
        18,
    ),
    (
        "Senior Day Centre",
        "Elders Together",
        "108",
        ["Vietnamese", "Chinese"],
        ("MO,TU,WE,TH,FR", "08:30", "16:30"),
        "Adults 60 and over",
        60,
    ),
    (
        "Youth Mentoring Drop-in",
        "Central Youth Alliance",
        "109",
        ["Spanish"],
        ("MO,TU,WE,TH,FR", "15:00", "19:00"),
        "Ages 11 to 18",
        11,
    ),
    (
        "Clothing and Household Closet",
        "St. Brendan's Outreach",
        "104",
        ["Spanish"],
        ("SA", "10:00", "13:00"),
        "Everyone welcome",
        None,
    ),
    (
        "Utility Bill Assistance",
        "Northside Community Pantry",
        "107",
        ["Spanish", "Somali"],
        ("TU,TH", "10:00", "15:00"),
        "Households below 200 % of poverty",
        18,
    ),
]
LANG_CODES = {
    "Spanish": "es",
    "Somali": "so",
    "Vietnamese": "vi",
    "Amharic": "am",
    "Tagalog": "tl",
    "Chinese": "zh",
}


def _uid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"beatbook-demo:{name}"))


def directory_demo(now: dt.datetime) -> int:
    today = timezone.localdate(now)
    addresses = _addresses(len(SERVICES))
    taxonomy = _uid("taxonomy")
    rows = hsds.empty_rows()
    rows["taxonomy"].append(
        {"id": taxonomy, "name": "Open Eligibility (Ohana)", "description": "Service categories"}
    )
    for code, name in NEEDS.items():
        rows["taxonomy_term"].append(
            {
                "id": _uid(f"term-{code}"),
                "code": code,
                "name": name,
                "name_es": NEEDS_ES[code],
                "description": "",
                "taxonomy_id": taxonomy,
            }
        )
    orgs: dict[str, str] = {}
    for index, (
        name,
        org,
        need,
        languages,
        (days, opens, closes),
        eligibility,
        min_age,
    ) in enumerate(SERVICES):
        if org not in orgs:
            orgs[org] = _uid(f"org-{org}")
            rows["organization"].append(
                {
                    "id": orgs[org],
                    "name": org,
                    "description": f"{org} serves the city's residents.",
                    "email": f"intake@{org.split()[0].lower()}.example.org",
                }
            )
        service_id, location_id = _uid(f"svc-{name}"), _uid(f"loc-{name}")
        address = addresses[index % len(addresses)]
        place = geocode(text=address)
        # Most entries were confirmed recently; two have gone stale, so the coordinator sees them.
        verified = today - dt.timedelta(days=400 if index in (3, 10) else 20 + index * 7)
        rows["service"].append(
            {
                "id": service_id,
                "organization_id": orgs[org],
                "name": name,
                "status": "active",
                "description": f"{name}. Call ahead or walk in during opening hours.",
                "eligibility_description": eligibility,
                "minimum_age": min_age,
                "application_process": "Walk in, or call and ask for intake.",
                "fees_description": "Free",
                "assured_date": verified.isoformat(),
                "email": f"intake@{org.split()[0].lower()}.example.org",
            }
        )
        rows["attribute"].append(
            {
                "id": _uid(f"attr-{name}"),
                "link_id": service_id,
                "taxonomy_term_id": _uid(f"term-{need}"),
            }
        )
        rows["location"].append(
            {
                "id": location_id,
                "organization_id": orgs[org],
                "location_type": "physical",
                "name": f"{org} — {place.address_text}",
                "latitude": place.lat,
                "longitude": place.lon,
            }
        )
        rows["address"].append(
            {
                "id": _uid(f"addr-{name}"),
                "location_id": location_id,
                "address_1": place.address_text,
                "city": "Seattle",
                "state_province": "WA",
                "postal_code": "98101",
                "country": "US",
                "address_type": "physical",
            }
        )
        rows["service_at_location"].append(
            {"id": _uid(f"sal-{name}"), "service_id": service_id, "location_id": location_id}
        )
        rows["phone"].append(
            {
                "id": _uid(f"phone-{name}"),
                "service_id": service_id,
                "number": f"206-555-02{index:02d}",
                "type": "voice",
            }
        )
        for day in days.split(","):
            rows["schedule"].append(
                {
                    "id": _uid(f"sch-{name}-{day}"),
                    "service_id": service_id,
                    "freq": "WEEKLY",
                    "byday": day,
                    "opens_at": opens,
                    "closes_at": closes,
                }
            )
        for language in ["English", *languages]:
            rows["language"].append(
                {
                    "id": _uid(f"lang-{name}-{language}"),
                    "service_id": service_id,
                    "name": language,
                    "code": LANG_CODES.get(language, "en"),
                }
            )
    directory_load(actor=SYSTEM, rows=rows, source="demo")
    return len(SERVICES)


def referrals_demo() -> int:
    cso = User.objects.get(username="cso")
    calls = list(
        Call.objects.filter(status="cleared", call_type__code__in=["WELFARE", "NOISE"]).order_by(
            "-received_at"
        )[:5]
    )
    plan = [
        ("Marta Flores", "102", "Neighbourhood Food Bank", "served"),
        ("James Okoro", "103", "Emergency Shelter Intake", "accepted"),
        ("Li Wen", "106", "Walk-in Mental Health Counselling", "sent"),
        ("Denise Park", "110", "Job Readiness and Training", "unable_to_reach"),
        ("Oscar Ruiz", "103", "Eviction Prevention Clinic", "declined"),
    ]
    for index, (name, need, service_name, status) in enumerate(plan):
        referral = referrals.referral_create(
            actor=cso,
            resident_name=name,
            resident_phone=f"206-555-03{index:02d}",
            need=TaxonomyTerm.objects.get(code=need),
            service=Service.objects.get(name=service_name),
            consent_scopes=["contact_share", "provider_contact"],
            consent_method="verbal",
            contact_method="provider_email",
            call=calls[index] if index < len(calls) else None,
        )
        if status != "sent":
            if status == "served":
                referrals.referral_status_set(
                    actor=referrals.provider_actor(referral), referral=referral, status="accepted"
                )
            referrals.referral_status_set(
                actor=referrals.provider_actor(referral),
                referral=referral,
                status=status,
                note="Demo answer",
            )
    return len(plan)


def mediation_demo(now: dt.datetime, *, address: str, agreed_days_ago: int) -> int:
    """A noise dispute settled `agreed_days_ago` days ago at `address` (where the history put
    its calls), its 30-day follow-up done; and a parking dispute with a session to come.

    The settled case goes through the real services on the days it happened (the clock is
    moved for each step), so its history, number and follow-ups are what they would be."""
    cso = User.objects.get(username="cso")
    agreed_at = timezone.localtime(now - dt.timedelta(days=agreed_days_ago)).replace(
        hour=18, minute=30
    )
    call = (
        Call.objects.filter(
            address_text=address,
            call_type__code="NOISE",
            received_at__lt=agreed_at - dt.timedelta(days=1),  # closed before the session
        )
        .order_by("-received_at")
        .first()
    )
    parties = [
        {
            "name": "Helen Brandt",
            "role": "owner, upper unit",
            "phone": "206-555-0401",
            "contact_preference": "phone",
        },
        {
            "name": "Marco Silva",
            "role": "tenant, lower unit",
            "email": "marco.silva@example.org",
            "contact_preference": "email",
            "language": "es",
        },
    ]
    opened_at = call.closed_at if call and call.closed_at else agreed_at - dt.timedelta(days=5)
    with time_machine.travel(opened_at + dt.timedelta(minutes=5), tick=False):
        agreed = mediation.mediation_open(
            actor=cso,
            dispute_type="noise",
            summary="Late-night music and stomping between two units; calls most weeks.",
            parties=parties,
            address=address,
            call=call,
        )
        session = mediation.session_schedule(
            actor=cso, case=agreed, starts_at=agreed_at, place="Community Center, room 2"
        )
    with time_machine.travel(agreed_at + dt.timedelta(hours=1), tick=False):
        mediation.session_record(
            actor=cso, session=session, outcome="held", notes="Both came; calm."
        )
        mediation.agreement_record(
            actor=cso,
            case=agreed,
            text=(
                "Music off by 22:00 Sunday to Thursday and 23:30 on Friday and Saturday. "
                "Rugs in the upper hallway. Text before parties."
            ),
        )
    follow_up = agreed.follow_ups.get(days_after=30)
    with time_machine.travel(agreed_at + dt.timedelta(days=31, hours=-2), tick=False):
        mediation.follow_up_record(
            actor=cso,
            follow_up=follow_up,
            outcome="holding",
            note="Both say it is quiet; one late party, and they texted first.",
        )
    open_case = mediation.mediation_open(
        actor=cso,
        dispute_type="parking",
        summary="Neighbours block each other's driveway.",
        parties=[
            {
                "name": "Ruth Kim",
                "role": "neighbour",
                "phone": "206-555-0402",
                "contact_preference": "text",
            },
            {
                "name": "Dev Patel",
                "role": "neighbour",
                "phone": "206-555-0403",
                "contact_preference": "phone",
            },
        ],
        address=_addresses(2)[1],
    )
    mediation.session_schedule(
        actor=cso,
        case=open_case,
        starts_at=now + dt.timedelta(days=3),
        place="Library meeting room",
    )
    return 2


def victims_demo() -> int:
    cso = User.objects.get(username="cso")
    report = record_services.report_create(
        actor=cso, kind="incident", title="Harassment at a bus stop"
    )
    person = record_services.report_person_add(
        actor=cso,
        report=report,
        role="victim",
        name="Jordan Demo-Victim",
        phone="206-555-0198",
        is_confidential=True,
        confidentiality_reason="stalking",
    )
    assistance = victims.victim_assistance_open(
        actor=cso, person=person, assigned=[User.objects.get(username="advocate")]
    )
    victims.victim_step_record(
        actor=cso,
        assistance=assistance,
        kind="rights_notice",
        detail="Victim rights card (English)",
    )
    victims.victim_step_record(
        actor=cso,
        assistance=assistance,
        kind="resource_offered",
        service=Service.objects.get(name="Walk-in Mental Health Counselling"),
    )
    victims.victim_step_record(
        actor=cso,
        assistance=assistance,
        kind="follow_up",
        due_on=timezone.localdate() + dt.timedelta(days=2),
    )
    return 1
