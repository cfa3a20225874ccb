"""The demo's resource directory (invented organisations at real Seattle addresses), the
program's referrals over its history in every state, its mediations (agreements that held,
one partly kept, one broken, one declined, one to come), and victim assistance."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from typing import Any

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


# Which calls show a need a CSO refers on, and to what: call type → (the share of its cleared
# calls that end in a referral, [(need code, service), …]). A welfare check finds an elder
# alone or someone in crisis; a panhandler, someone without a bed tonight.
REFERRAL_PLAN: dict[str, tuple[float, list[tuple[str, str]]]] = {
    "WELFARE": (
        0.3,
        [
            ("106", "Walk-in Mental Health Counselling"),
            ("108", "Senior Day Centre"),
            ("102", "Neighbourhood Food Bank"),
            ("103", "Emergency Shelter Intake"),
        ],
    ),
    "PHANDLE": (
        0.3,
        [
            ("103", "Emergency Shelter Intake"),
            ("102", "Hot Meals at St. Brendan's"),
            ("106", "Recovery Navigation (substance use)"),
            ("110", "Job Readiness and Training"),
        ],
    ),
    "CIVIL": (
        0.2,
        [("111", "Tenant and Neighbour Legal Aid"), ("103", "Eviction Prevention Clinic")],
    ),
    "CITASST": (
        0.1,
        [
            ("107", "Utility Bill Assistance"),
            ("104", "Clothing and Household Closet"),
            ("102", "Neighbourhood Food Bank"),
        ],
    ),
    "TRESPASS": (
        0.15,
        [("103", "Emergency Shelter Intake"), ("106", "Recovery Navigation (substance use)")],
    ),
}
# What became of them, as a program sees it (weights): most are served, some never reached.
REFERRAL_ENDINGS = [
    ("served", 46),
    ("unable_to_reach", 15),
    ("declined", 11),
    ("withdrawn", 4),
    ("unanswered", 8),  # the provider never answered: the CSO's follow-up list has it
    ("accepted", 16),  # accepted, the service still to happen
]
DECLINE_NOTES = [
    "No space this week; we gave the resident two other numbers.",
    "Outside our service area.",
    "The resident is already with us through another program.",
]
UNREACHED_NOTES = ["Three calls, no answer, voicemail full.", "The number was out of service."]


def referrals_demo(
    now: dt.datetime, *, rng: random.Random, first: list[str], last: list[str]
) -> int:
    """The program's referrals over its history: made from the calls that showed a need,
    on the day each closed, by the CSO who took it; each provider answering a few days later
    (an answer still to come is left unanswered). Every step goes through the real services
    with the clock moved, so numbers, updates and histories are what they would be."""
    calls = list(
        Call.objects.filter(
            status="cleared",
            call_type__code__in=REFERRAL_PLAN,
            assigned_unit__isnull=False,
        )
        .select_related("call_type", "assigned_unit__user")
        .order_by("closed_at")
    )
    needs = {t.code: t for t in TaxonomyTerm.objects.filter(code__in=NEEDS)}
    services = {s.name: s for s in Service.objects.all()}
    steps: list[tuple[dt.datetime, int, Any]] = []  # (when, order, what), run in time order
    made = 0
    for call in calls:
        share, options = REFERRAL_PLAN[call.call_type.code]
        if rng.random() >= share or call.closed_at is None or call.assigned_unit is None:
            continue
        need, service_name = rng.choice(options)
        at = call.closed_at + dt.timedelta(minutes=rng.randrange(2, 40))
        if at >= now:
            continue
        made += 1
        steps.append(
            (
                at,
                made,
                {
                    "call": call,
                    "cso": call.assigned_unit.user,
                    "name": f"{rng.choice(first)} {rng.choice(last)}",
                    "phone": f"206-555-{3000 + made:04d}",
                    "need": needs[need],
                    "service": services[service_name],
                    "contact": rng.choice(["provider_email", "provider_email", "resident_calls"]),
                    "ending": rng.choices(
                        [e for e, _ in REFERRAL_ENDINGS], [w for _, w in REFERRAL_ENDINGS]
                    )[0],
                    "answer_days": rng.lognormvariate(0.3, 0.7),
                    "served_days": rng.uniform(1, 12),
                    "note": rng.choice(DECLINE_NOTES),
                    "unreached": rng.choice(UNREACHED_NOTES),
                },
            )
        )
    for at, _, plan in sorted(steps, key=lambda s: (s[0], s[1])):
        _referral_history(now, at, plan)
    return made


def _referral_history(now: dt.datetime, made_at: dt.datetime, plan: dict[str, Any]) -> None:
    """One referral and as much of its answer as has happened by `now`."""
    with time_machine.travel(made_at, tick=False):
        referral = referrals.referral_create(
            actor=plan["cso"],
            resident_name=plan["name"],
            resident_phone=plan["phone"],
            need=plan["need"],
            service=plan["service"],
            consent_scopes=["contact_share", "provider_contact"],
            consent_method="verbal",
            contact_method=plan["contact"],
            call=plan["call"],
        )
    ending = plan["ending"]
    answered_at = made_at + dt.timedelta(days=plan["answer_days"])
    if ending == "unanswered" or answered_at >= now:
        return
    provider = referrals.provider_actor(referral)
    if ending == "withdrawn":  # the resident took consent back, through the CSO
        answers = [(answered_at, plan["cso"], "withdrawn", "The resident asked us to stop.")]
    elif ending in ("served", "accepted"):
        answers = [(answered_at, provider, "accepted", "")]
        if ending == "served":
            served_at = answered_at + dt.timedelta(days=plan["served_days"])
            answers.append((served_at, provider, "served", "Seen and helped."))
    else:
        note = plan["note"] if ending == "declined" else plan["unreached"]
        answers = [(answered_at, provider, ending, note)]
    for at, actor, status, note in answers:
        if at >= now:
            return
        with time_machine.travel(at, tick=False):
            referral = referrals.referral_status_set(
                actor=actor, referral=referral, status=status, note=note
            )


@dataclass(frozen=True)
class Dispute:
    """A neighbour dispute the program mediated, and the calls at its address that made it a
    case: a call of `call_type` every `every` days from the start of the history until the
    agreement (at about `hour`), then one on each day of `since` (days after it)."""

    beat: str
    kind: str
    call_type: str
    agreed_days_ago: int
    every: int
    since: tuple[int, ...]
    hour: int
    summary: str
    parties: list[dict[str, str]]
    agreement: str
    follow_up: tuple[str, str]  # the 30-day follow-up's outcome and note, once it is due


# One dispute a beat: the history finds each one's address by its beat.
DISPUTES = [
    Dispute(
        beat="N2",
        kind="noise",
        call_type="NOISE",
        agreed_days_ago=40,
        every=6,
        since=(16,),
        hour=22,
        summary="Late-night music and stomping between two units; calls most weeks.",
        parties=[
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
        ],
        agreement=(
            "Music off by 22:00 Sunday to Thursday and 23:30 on Friday and Saturday. "
            "Rugs in the upper hallway. Text before parties."
        ),
        follow_up=("holding", "Both say it is quiet; one late party, and they texted first."),
    ),
    Dispute(
        beat="B2",
        kind="parking",
        call_type="PARKING",
        agreed_days_ago=66,
        every=5,
        since=(9, 37),
        hour=7,
        summary="Two households park across a shared driveway; tow requests most weeks.",
        parties=[
            {
                "name": "Gloria Reyes",
                "role": "neighbour, north house",
                "phone": "206-555-0404",
                "contact_preference": "text",
            },
            {
                "name": "Tom Becker",
                "role": "neighbour, south house",
                "phone": "206-555-0405",
                "contact_preference": "phone",
            },
        ],
        agreement="The driveway stays clear from 6:30 to 9:00; visitors park on the street side.",
        follow_up=("partly", "Mostly kept; one blocked morning, settled between them."),
    ),
    Dispute(
        beat="K3",
        kind="noise",
        call_type="NOISE",
        agreed_days_ago=52,
        every=7,
        since=(15, 22, 29, 36, 43, 50),
        hour=21,
        summary="A band rehearsing in a garage three nights a week; the house behind calls.",
        parties=[
            {
                "name": "Kevin Osei",
                "role": "band member, garage",
                "phone": "206-555-0406",
                "contact_preference": "phone",
            },
            {
                "name": "Ana Lucero",
                "role": "neighbour behind",
                "email": "ana.lucero@example.org",
                "contact_preference": "email",
            },
        ],
        agreement="Rehearsals end by 21:00, garage door shut, two weeknights at most.",
        follow_up=("broken", "Rehearsals are back to late nights; both want a second session."),
    ),
    Dispute(
        beat="E1",
        kind="landlord_tenant",
        call_type="CIVIL",
        agreed_days_ago=24,
        every=6,
        since=(),
        hour=15,
        summary="A tenant withholding rent over repairs; shouting matches on the landing.",
        parties=[
            {
                "name": "Frank Miller",
                "role": "landlord",
                "phone": "206-555-0407",
                "contact_preference": "phone",
            },
            {
                "name": "Sara Tesfaye",
                "role": "tenant",
                "phone": "206-555-0408",
                "contact_preference": "text",
                "language": "am",
            },
        ],
        agreement="Repairs by the 15th with a written schedule; rent paid in full once done.",
        follow_up=("holding", ""),
    ),
    Dispute(
        beat="R2",
        kind="pets",
        call_type="ANIMAL",
        agreed_days_ago=12,
        every=5,
        since=(5,),
        hour=10,
        summary="A dog left barking in a yard all day and getting through the fence.",
        parties=[
            {
                "name": "Brian Cole",
                "role": "dog owner",
                "phone": "206-555-0409",
                "contact_preference": "phone",
            },
            {
                "name": "Mei Lin",
                "role": "neighbour",
                "phone": "206-555-0410",
                "contact_preference": "text",
                "language": "zh",
            },
        ],
        agreement="The fence mended this week; the dog indoors when nobody is home.",
        follow_up=("holding", ""),
    ),
]


def mediation_demo(now: dt.datetime, *, addresses: dict[str, str]) -> int:
    """Each of DISPUTES settled on its day at its address in `addresses` (beat → where the
    history put its calls), the 30-day follow-up done where it is due; a dispute that ended
    when a party declined; and a parking dispute with a session to come.

    The settled cases go through the real services on the days they happened (the clock is
    moved for each step), so their histories, numbers and follow-ups are what they would be."""
    cso = User.objects.get(username="cso")
    for dispute in sorted(DISPUTES, key=lambda d: -d.agreed_days_ago):
        _settled(now, cso, dispute, addresses[dispute.beat])
    declined_at = now - dt.timedelta(days=20)
    with time_machine.travel(declined_at, tick=False):
        declined = mediation.mediation_open(
            actor=cso,
            dispute_type="youth_groups",
            summary="Teenagers gathering on a building's steps at night; the manager calls.",
            parties=[
                {"name": "Building manager", "role": "manager", "phone": "206-555-0411"},
                {"name": "Parent of one of the group", "role": "parent", "phone": "206-555-0412"},
            ],
            address=_addresses(3)[2],
        )
    with time_machine.travel(declined_at + dt.timedelta(days=4), tick=False):
        mediation.case_close(
            actor=cso,
            case=declined,
            status="declined",
            note="The manager would rather post rules; youth centre hours given to the parent.",
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
    return len(DISPUTES) + 2


def _settled(now: dt.datetime, cso: User, dispute: Dispute, address: str) -> None:
    agreed_at = timezone.localtime(now - dt.timedelta(days=dispute.agreed_days_ago)).replace(
        hour=18, minute=30
    )
    call = (
        Call.objects.filter(
            address_text=address,
            call_type__code=dispute.call_type,
            received_at__lt=agreed_at - dt.timedelta(days=1),  # closed before the session
        )
        .order_by("-received_at")
        .first()
    )
    opened_at = call.closed_at if call and call.closed_at else agreed_at - dt.timedelta(days=5)
    with time_machine.travel(opened_at + dt.timedelta(minutes=5), tick=False):
        case = mediation.mediation_open(
            actor=cso,
            dispute_type=dispute.kind,
            summary=dispute.summary,
            parties=dispute.parties,
            address=address,
            call=call,
        )
        session = mediation.session_schedule(
            actor=cso, case=case, starts_at=agreed_at, place="Community Center, room 2"
        )
    with time_machine.travel(agreed_at + dt.timedelta(hours=1), tick=False):
        mediation.session_record(
            actor=cso, session=session, outcome="held", notes="Both came; calm."
        )
        mediation.agreement_record(actor=cso, case=case, text=dispute.agreement)
    follow_up = case.follow_ups.get(days_after=30)
    done_at = agreed_at + dt.timedelta(days=31, hours=-2)
    if done_at < now:
        outcome, note = dispute.follow_up
        with time_machine.travel(done_at, tick=False):
            mediation.follow_up_record(actor=cso, follow_up=follow_up, outcome=outcome, note=note)


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
