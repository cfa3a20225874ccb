"""Build the demo agency: real Seattle beats and blocks, invented people, believable rhythms.

Deterministic for a given day: the same seed gives the same calls, people and places.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from beatbook.accounts import services as account_services
from beatbook.accounts.models import Team, User
from beatbook.analytics.effectiveness import metres_between
from beatbook.animals import services as animal_services
from beatbook.animals.models import Shelter
from beatbook.calls import services as call_services
from beatbook.calls.choices import CallSource, CallStatus
from beatbook.calls.models import Call, CallType
from beatbook.calls.records import call_records_backfill
from beatbook.casework.selectors import ADDRESS_RADIUS_M
from beatbook.citations.models import Ordinance
from beatbook.citations.services import citation_issue, ordinances_import
from beatbook.core.actors import PORTAL, SYSTEM
from beatbook.core.models import AuditEntry
from beatbook.core.numbering import number_format, number_reserve_block
from beatbook.core.roles import Role
from beatbook.demo.casework import (
    DISPUTES,
    Dispute,
    directory_demo,
    mediation_demo,
    referrals_demo,
    victims_demo,
)
from beatbook.demo.outreach import (
    alerts_demo,
    beat_watch_demo,
    feedback_demo,
    library_demo,
    outreach_demo,
    volunteers_demo,
)
from beatbook.demo.work import work_history
from beatbook.open311.models import Open311Client
from beatbook.open311.services import client_key_issue
from beatbook.places.addresses import block_text, street_display
from beatbook.places.models import AddressPoint, Beat
from beatbook.places.services import address_rows, addresses_import, beats_import
from beatbook.portal import services as portal_services
from beatbook.property.models import StorageLocation
from beatbook.property.services import item_intake, lost_report_create
from beatbook.records.services import report_approve, report_create, report_submit, report_update
from beatbook.roster.choices import UnitStatus
from beatbook.roster.models import Shift, Unit

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED = 2026
HISTORY_DAYS = 90
CALLS_PER_DAY = 42
# The program's own interventions inside the history, so that the before-and-after figures
# find what an evaluation would: a block watch starts in one beat and the beat's calls thin
# out from that day; disputes at a few addresses are mediated (casework.DISPUTES), and their
# calls stop, thin out or come back. The watch heads off half the beat's calls: about 70 calls
# in 45 days is too few for a third fewer to show every time. With the seed fixed, a demo
# differs only by the weekday it is built on; at 0.35, one weekday in seven (Mondays) found
# the beat at 0.85 of the rest of the city, at 0.5 all seven find 0.73 or less.
WATCH_BEAT, WATCH_DAYS_AGO, WATCH_EFFECT = "N3", 45, 0.5
# The city's calls of the two years before, imported as an agency imports its CAD history on
# its first day: the year-before line, the seasonal baseline and the year-on-year change of
# the dashboards compare against them.
CITY_HISTORY_SOURCE, CITY_HISTORY_DAYS = "demo-city-history", 2 * 365

TEAMS = {
    "North team": ["B", "J", "L", "N", "U"],
    "East team": ["C", "E", "G"],
    "West team": ["D", "K", "M", "Q"],
    "South team": ["O", "R", "S", "F", "W"],
}
FIRST = [
    "Maria",
    "James",
    "Aisha",
    "Tomas",
    "Mei",
    "Daniel",
    "Priya",
    "Kofi",
    "Sofia",
    "Liam",
    "Fatima",
    "Noah",
    "Elena",
    "Samuel",
    "Hana",
    "Marcus",
    "Lucia",
    "Omar",
    "Grace",
    "Ivan",
]
LAST = [
    "Garcia",
    "Okafor",
    "Nguyen",
    "Silva",
    "Chen",
    "Brooks",
    "Patel",
    "Mensah",
    "Rossi",
    "Murphy",
    "Haddad",
    "Kim",
    "Petrova",
    "Adeyemi",
    "Sato",
    "Johnson",
    "Moreno",
    "Farah",
    "Lee",
    "Novak",
]
# Call-type mix of a city CSO program (weights), and how such calls usually end.
TYPE_MIX = {
    "PARKING": 18,
    "NOISE": 12,
    "VEHABND": 8,
    "ANIMAL": 6,
    "THAZ": 6,
    "MVA": 7,
    "PROPFND": 5,
    "PROPLOST": 3,
    "CITASST": 5,
    "WELFARE": 4,
    "VANDAL": 5,
    "TOW": 4,
    "DISVEH": 4,
    "XPATROL": 2,
    "CIVIL": 3,
    "TCEVENT": 1,
    "TCCOLL": 2,
    "WILDLIFE": 2,
    "LARCENY": 3,
    "TRESPASS": 2,
    "PHANDLE": 2,
    "OPEN": 1,
    "INFO": 2,
    "VEHLOCK": 1,
}
DISPOSITIONS = {
    "PARKING": [("citation", 5), ("warning", 3), ("gone_on_arrival", 2), ("advised", 1)],
    "NOISE": [("advised", 6), ("warning", 3), ("unable_to_locate", 2), ("citation", 1)],
    "MVA": [("report", 9), ("assisted", 1)],
    "MVAHR": [("report", 1)],
    "PROPFND": [("report", 6), ("assisted", 3)],
    "PROPLOST": [("report", 1)],
    "VANDAL": [("report", 8), ("referral", 2)],
    "LARCENY": [("report", 1)],
    "WELFARE": [("assisted", 5), ("referral", 3), ("unable_to_locate", 1)],
    "CITASST": [("assisted", 6), ("referral", 3)],
}
ESCALATION_REASONS = [
    "Subject became aggressive",
    "Subject became aggressive.",
    "Weapon seen on scene",
    "Crime in progress",
    "Subject has an outstanding warrant",
    "Subject became aggressive",
    "Injury collision, not minor",
]
# Reasons a CSO only finds on arrival; the others are known when the call comes in.
FOUND_ON_SCENE = {"Subject became aggressive", "Weapon seen on scene"}
DEFAULT_DISPOSITIONS = [("assisted", 4), ("advised", 3), ("report", 1), ("unable_to_locate", 1)]
DESCRIPTIONS = {
    "PARKING": [
        "Car blocking driveway since this morning",
        "Vehicle parked in bus zone",
        "Truck parked across the crosswalk",
        "Car in disabled space without placard",
    ],
    "NOISE": [
        "Loud music from apartment upstairs",
        "Party in backyard, very loud",
        "Construction noise after hours",
        "Car alarm going off for an hour",
    ],
    "VEHABND": [
        "Car with flat tyres not moved in weeks",
        "Van with expired tabs, covered in leaves",
    ],
    "ANIMAL": [
        "Loose dog running in the street",
        "Stray cat colony behind the store",
        "Dog left barking on a balcony all day",
    ],
    "THAZ": [
        "Mattress in the right lane",
        "Traffic signal dark at the intersection",
        "Large pothole, cars swerving",
    ],
    "MVA": [
        "Two cars, minor fender bender, drivers exchanging info",
        "Parked car clipped, other driver waiting",
    ],
    "PROPFND": [
        "Found a wallet on the bus bench",
        "Bicycle left locked for two weeks",
        "Phone found in the park",
    ],
    "CITASST": ["Elderly resident locked out of home", "Tourist lost, needs directions to shelter"],
    "WELFARE": [
        "Neighbour hasn't been seen for days, mail piling up",
        "Person sleeping in doorway in the cold",
    ],
    "VANDAL": ["Graffiti on the school wall", "Bus shelter glass broken overnight"],
}


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    totp_secret: str
    name: str


def _password() -> str:
    return "-".join(secrets.token_urlsafe(6) for _ in range(3))


def _login(user: User, password: str) -> DemoLogin:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return DemoLogin(
        role=user.role,
        username=user.username,
        password=password,
        totp_secret=base64.b32encode(device.bin_key).decode(),
        name=user.get_full_name(),
    )


def demo_exists() -> bool:
    return User.objects.filter(username="dispatcher").exists() and Call.objects.exists()


def demo_build(*, logins_path: Path, progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Build the whole demo agency and write the logins file; returns what was written."""
    rng = random.Random(SEED)
    now = timezone.now().replace(second=0, microsecond=0)
    progress("beats and addresses…")
    demo_places_load()
    progress("teams, people and shifts…")
    logins, csos = _people(rng, now)
    progress(f"{HISTORY_DAYS} days of calls…")
    count, disputed = _history(rng, now, csos)
    progress("two years of the city's calls before that, imported from the former CAD…")
    city = _city_history(now)
    progress("past reports and patrols…")
    work_history(now)
    progress("the live queue…")
    _live(rng, now, csos)
    call_records_backfill()
    _resident_reports(now)
    progress("ordinances, citations and reports…")
    _ordinances()
    _field_records(rng)
    _property_room()
    _animal_control(now)
    progress("community events…")
    outreach_demo(now)
    alerts_demo(now)
    volunteer = volunteers_demo(now)
    watch_beat = Beat.objects.get(name=WATCH_BEAT)
    beat_watch_demo(watch_beat, started_on=timezone.localdate(now) - dt.timedelta(WATCH_DAYS_AGO))
    library_demo()
    feedback_demo(now)
    progress("resource directory and casework…")
    directory_demo(now)
    referrals_demo(now, rng=random.Random(SEED + 2), first=FIRST, last=LAST)
    mediation_demo(now, addresses=disputed)
    victims_demo()
    dispatcher = User.objects.get(username="dispatcher")
    _, token = account_services.api_token_issue(
        actor=SYSTEM, user=dispatcher, name="demo dispatcher token"
    )
    # Role → login at the top level, so scripts can read data["dispatcher"]["password"].
    payload: dict[str, Any] = {
        login.role: {
            "username": login.username,
            "password": login.password,
            "totp_secret": login.totp_secret,
            "name": login.name,
        }
        for login in logins
    }
    payload["tokens"] = {"dispatcher": token}
    open311_client = Open311Client.objects.create(
        name="City service-request app (demo)", contact_email="apps@example.org"
    )
    payload["keys"] = {"open311": client_key_issue(actor=SYSTEM, client=open311_client)}
    payload["history_calls"] = count
    payload["city_history_calls"] = city
    payload["volunteer_path"] = f"portal/volunteer/{volunteer.token}/"
    logins_path.parent.mkdir(parents=True, exist_ok=True)
    logins_path.write_text(json.dumps(payload, indent=2))
    logins_path.chmod(0o600)
    return payload


def _ordinances() -> None:
    with (DATA_DIR / "ordinances.csv").open(newline="") as lines:
        ordinances_import(actor=SYSTEM, lines=lines)


def _field_records(rng: random.Random) -> None:
    """Today's paperwork: citations written, reports in every review state."""
    csos = list(User.objects.filter(role=Role.CSO).order_by("username")[:6])
    parking = list(Ordinance.objects.filter(kind="parking"))
    live = list(Call.objects.open().order_by("received_at"))
    for i, cso in enumerate(csos):
        citation_issue(
            actor=cso,
            ordinance=parking[i % len(parking)],
            plate=f"DEM{100 + i}",
            plate_state="WA",
            vehicle_make="Toyota",
            address=live[i % len(live)].address_text,
        )
    # A repeat offender: the same plate again, so its fine escalates.
    citation_issue(
        actor=csos[1],
        ordinance=parking[0],
        plate="DEM100",
        plate_state="WA",
        address=live[0].address_text,
    )
    closed = list(
        Call.objects.filter(
            status=CallStatus.CLEARED, disposition="report", assigned_unit__user__in=csos[:3]
        ).select_related("call_type", "assigned_unit__user")[:3]
    )
    supervisor = User.objects.get(username="supervisor")
    for n, call in enumerate(closed):
        author = call.assigned_unit.user  # type: ignore[union-attr]
        report = report_create(actor=author, call=call)
        report_update(
            actor=author,
            report=report,
            narrative=call.description + ". Spoke with both parties; details exchanged.",
        )
        report_submit(actor=author, report=report)
        if n == 0 and author.team_id == supervisor.team_id:
            report_approve(actor=supervisor, report=report)
    demo_cso = User.objects.get(username="cso")
    own = report_create(
        actor=demo_cso,
        kind="information",
        title="Streetlight out on Broadway",
        address="1410 Broadway",
    )
    report_update(
        actor=demo_cso,
        report=own,
        narrative="Light pole 14-22 dark on the east side; public works notified.",
    )
    report_submit(actor=demo_cso, report=own)


def _property_room() -> None:
    """Shelves, and the found property of the live queue booked in."""
    shelves = [
        StorageLocation.objects.create(code=f"PR-{room}-{n:02d}", room=f"Room {room}", shelf=str(n))
        for room in ("A", "B")
        for n in range(1, 4)
    ]
    cso = User.objects.get(username="cso")
    found = Call.objects.filter(call_type__code="PROPFND").order_by("-received_at").first()
    items = [
        ("found", "25", "Black backpack with a laptop", found),
        ("found", "75", "Phone in a red case, screen cracked", None),
        ("safekeeping", "04", "Blue road bike, unlocked, owner in hospital", None),
        ("evidence", "77", "Spray-paint cans from the school wall", None),
    ]
    for i, (kind, category, description, call) in enumerate(items):
        item_intake(
            actor=cso,
            kind=kind,
            category=category,
            description=description,
            location=shelves[i % len(shelves)],
            call=call,
            address="" if call else "1410 Broadway",
        )
    # Two residents' lost reports: one the matcher pairs with the phone on the shelf.
    today = timezone.localdate()
    for category, description, address in (
        ("75", "Phone with a red case, the screen is cracked", "1400 Broadway"),
        ("25", "Green umbrella and a grey tote bag", "Pike Place Market"),
    ):
        lost_report_create(
            actor=PORTAL,
            category=category,
            description=description,
            lost_on=today - dt.timedelta(days=1),
            address=address,
            owner_name="Sam Okafor" if category == "75" else "Lee Park",
            owner_email="sam@example.org" if category == "75" else "",
        )


def _animal_control(now: dt.datetime) -> None:
    """Partner shelters; a stray at the shelter that a resident has reported lost, a bite under
    observation, a raccoon job and a cat returned in the field."""
    shelter = Shelter.objects.create(
        name="Seattle Animal Shelter",
        address="2061 15th Ave W, Seattle",
        phone="206-386-7387",
        email="shelter@example.org",
    )
    Shelter.objects.create(name="PAWS Wildlife Center", address="Lynnwood", phone="425-787-2500")
    cso = User.objects.get(username="cso")
    dispatcher = User.objects.get(username="dispatcher")

    def from_call(code: str) -> Call | None:
        return Call.objects.filter(call_type__code=code).order_by("-received_at").first()

    stray = animal_services.case_open(
        actor=dispatcher, call=from_call("ANIMAL"), kind="stray", address="1410 Broadway"
    )
    animal_services.animal_record(
        actor=cso, case=stray, species="dog", breed="Labrador mix", colour="brown", sex="m"
    )
    animal_services.case_capture(actor=cso, case=stray, note="Leashed by the bus stop")
    animal_services.case_transport(actor=cso, case=stray, shelter=shelter)
    animal_services.case_impound(actor=cso, case=stray, shelter_reference="A-26-4410")
    animal_services.lost_animal_report_create(
        actor=PORTAL,
        species="dog",
        breed="Labrador",
        colour="brown",
        sex="mn",
        name="Biscuit",
        lost_on=timezone.localdate() - dt.timedelta(days=1),
        address="1400 Broadway",
        owner_name="Rosa Díaz",
        owner_email="rosa@example.org",
        language="es",
    )
    bite = animal_services.case_open(
        actor=dispatcher,
        call=from_call("BITE"),
        kind="bite",
        summary="Small white dog bit a man walking past its yard",
        address="1400 Broadway",
    )
    animal_services.animal_record(
        actor=cso, case=bite, species="dog", breed="Terrier", colour="white", sex="f"
    )
    animal_services.bite_record(
        actor=cso,
        case=bite,
        victim_name="Jordan Lee",
        bitten_at=now - dt.timedelta(days=8),
        body_part="left hand",
        vaccination="expired",
        quarantine_place="home",
    )
    animal_services.case_open(
        actor=dispatcher,
        call=from_call("WILDLIFE"),
        kind="wildlife",
        summary="Raccoon family under the porch",
        address="1410 Broadway",
    )
    cat = animal_services.case_open(
        actor=cso, kind="stray", summary="Grey cat with a collar tag", address="1420 Broadway"
    )
    animal_services.animal_record(
        actor=cso, case=cat, species="cat", colour="grey", tag_number="SEA-C-2231", name="Mochi"
    )
    animal_services.case_capture(actor=cso, case=cat)
    animal_services.owner_record(actor=cso, case=cat, name="Ann Lee", phone="206-555-0101")
    animal_services.case_return(actor=cso, case=cat, identity_checked="tag + driver licence")


def demo_places_load() -> None:
    """Seattle's patrol beats and 4,010 of its hundred-block addresses (data/README.md)."""
    collection = json.loads((DATA_DIR / "seattle_beats.geojson").read_text())
    beats_import(
        actor=SYSTEM, collection=collection, name_property="beat", sector_property="sector"
    )
    with (DATA_DIR / "seattle_addresses.csv").open(newline="") as lines:
        addresses_import(actor=SYSTEM, rows=address_rows(lines))


def _people(rng: random.Random, now: dt.datetime) -> tuple[list[DemoLogin], list[User]]:
    teams: dict[str, Team] = {}
    for name, sectors in TEAMS.items():
        team = account_services.team_create(
            actor=SYSTEM, name=name, beats=list(Beat.objects.filter(sector__in=sectors))
        )
        team.contact_phone = f"206-555-01{len(teams) + 10}"
        team.contact_email = f"{name.split()[0].lower()}.cso@example.org"
        team.save(update_fields=["contact_phone", "contact_email"])
        teams[name] = team
    team_list = list(teams.values())
    logins: list[DemoLogin] = []
    csos: list[User] = []
    for i in range(20):
        username = "cso" if i == 0 else f"cso{i + 1:02d}"
        password = _password()
        user = account_services.user_create(
            actor=SYSTEM,
            username=username,
            role=Role.CSO,
            password=password,
            team=team_list[i % 4],
            first_name=FIRST[i],
            last_name=LAST[i],
            email=f"{username}@example.org",
            badge_number=f"C{101 + i}",
        )
        csos.append(user)
        Unit.objects.create(
            call_sign=f"CSO-{i + 1:02d}", user=user, status=UnitStatus.OUT_OF_SERVICE
        )
        if i == 0:
            logins.append(_login(user, password))
    staff: list[tuple[str, str, str, str, Team | None]] = [
        ("dispatcher", Role.DISPATCHER, "Dana", "Reyes", None),
        ("supervisor", Role.SUPERVISOR, "Sam", "Whitaker", team_list[0]),
        ("analyst", Role.ANALYST, "Alex", "Morgan", None),
        ("admin", Role.ADMIN, "Robin", "Castillo", None),
        ("advocate", Role.VICTIM_SERVICES, "Val", "Okafor", None),
    ]
    for username, role, first, last, staff_team in staff:
        password = _password()
        staff_user = account_services.user_create(
            actor=SYSTEM,
            username=username,
            role=role,
            password=password,
            team=staff_team,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
        )
        logins.append(_login(staff_user, password))
    _shifts(now, csos)
    return logins, csos


def _shifts(now: dt.datetime, csos: list[User]) -> None:
    today = timezone.localtime(now).replace(hour=0, minute=0)
    shifts = []
    for day in range(-HISTORY_DAYS, 8):
        start_day = today + dt.timedelta(days=day)
        for i, user in enumerate(csos):
            if (day + i) % 7 in (5, 6):  # two days off a week, staggered
                continue
            start = start_day + dt.timedelta(hours=7 if i % 2 == 0 else 13)
            shifts.append(Shift(user=user, starts_at=start, ends_at=start + dt.timedelta(hours=10)))
    # Whatever hour the demo starts, twelve CSOs are on duty now so the board has units to send.
    for user in csos[:12]:
        shifts.append(
            Shift(
                user=user,
                starts_at=now - dt.timedelta(hours=2),
                ends_at=now + dt.timedelta(hours=8),
            )
        )
    Shift.objects.bulk_create(shifts)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


HOUR_WEIGHTS = [
    1,
    0.6,
    0.4,
    0.3,
    0.3,
    0.5,
    1.2,
    2.2,
    3.2,
    3.8,
    4.0,
    4.2,
    4.4,
    4.4,
    4.3,
    4.5,
    4.8,
    5.0,
    4.6,
    4.0,
    3.4,
    2.8,
    2.0,
    1.4,
]
WEEKDAY_FACTOR = [1.0, 1.05, 1.05, 1.1, 1.25, 1.3, 0.9]


def _history(rng: random.Random, now: dt.datetime, csos: list[User]) -> tuple[int, dict[str, str]]:
    """The closed calls of the last HISTORY_DAYS; returns how many, and the address of each
    dispute the demo's mediations settle (by its beat)."""
    types = {t.code: t for t in CallType.objects.all()}
    addresses = list(AddressPoint.objects.exclude(beat=None).select_related("beat"))
    # A few repeat locations (a bar strip, a park) draw many more calls, as in any city.
    hot = rng.sample(addresses, 12)
    disputed = {
        dispute.beat: min(
            (a for a in addresses if a.beat and a.beat.name == dispute.beat and a not in hot),
            key=lambda a: (a.street, a.number),
        )
        for dispute in DISPUTES
    }
    # The dispute's own calls are all of its type near its address (within the radius the
    # before-and-after counts), so that "quiet since the agreement" is the agreement's doing.
    disputed_type = {
        a.pk: dispute.call_type
        for dispute in DISPUTES
        for a in addresses
        if metres_between(a.lat, a.lon, disputed[dispute.beat].lat, disputed[dispute.beat].lon)
        <= ADDRESS_RADIUS_M
    }
    units_by_team: dict[int, list[Unit]] = {}
    for unit in Unit.objects.select_related("user"):
        units_by_team.setdefault(unit.user.team_id, []).append(unit)  # type: ignore[arg-type]
    team_of_beat = {
        beat.pk: team.pk
        for team in Team.objects.prefetch_related("beats")
        for beat in team.beats.all()
    }
    today = timezone.localtime(now).replace(hour=0, minute=0)
    watch_started = today - dt.timedelta(days=WATCH_DAYS_AGO)
    planned: list[tuple[dt.datetime, CallType, AddressPoint]] = []
    mix = list(TYPE_MIX.items())
    for day in range(HISTORY_DAYS, 0, -1):
        start = today - dt.timedelta(days=day)
        n = int(CALLS_PER_DAY * WEEKDAY_FACTOR[start.weekday()] * rng.uniform(0.85, 1.15))
        for _ in range(n):
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            at = start + dt.timedelta(
                hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
            )
            code = _weighted(rng, mix)
            place = rng.choice(hot) if rng.random() < 0.12 else rng.choice(addresses)
            if disputed_type.get(place.pk) == code:
                continue
            watched = place.beat is not None and place.beat.name == WATCH_BEAT
            if watched and at >= watch_started and rng.random() < WATCH_EFFECT:
                continue  # a call the block watch's eyes and porch lights headed off
            planned.append((at, types[code], place))
    for dispute in DISPUTES:
        planned += _dispute_calls(rng, today, dispute, types[dispute.call_type], disputed)
    planned.sort(key=lambda p: p[0])
    by_year: dict[int, int] = {}
    for at, _, _ in planned:
        by_year[at.year] = by_year.get(at.year, 0) + 1
    next_number = {
        year: number_reserve_block(prefix="CFS", year=year, count=count)
        for year, count in by_year.items()
    }
    centroids = _block_centroids(addresses)
    calls: list[Call] = []
    for at, call_type, place in planned:
        number = number_format(prefix="CFS", year=at.year, value=next_number[at.year])
        next_number[at.year] += 1
        calls.append(
            _closed_call(
                centroids,
                rng,
                number,
                at,
                call_type,
                place,
                units_by_team.get(team_of_beat.get(place.beat_id or 0, 0), []),
            )
        )
    with transaction.atomic():
        Call.objects.bulk_create(calls, batch_size=1000)
        AuditEntry.objects.bulk_create(_history_rows(calls), batch_size=2000)
    return len(calls), {
        beat: f"{place.number} {street_display(place.street)}" for beat, place in disputed.items()
    }


def _city_history(now: dt.datetime) -> int:
    """CITY_HISTORY_DAYS of calls up to the day before the program's own history, about as
    many a day, imported on the imports page from the former CAD's export."""
    from beatbook.demo.former_cad import former_cad_import  # it takes this module's rhythms

    run = former_cad_import(
        days=CITY_HISTORY_DAYS,
        per_day=CALLS_PER_DAY,
        end=timezone.localdate(now) - dt.timedelta(days=HISTORY_DAYS),
        seed=SEED + 1,
    )
    if run.source != CITY_HISTORY_SOURCE or run.status != run.Status.DONE:
        raise RuntimeError(f"The former CAD's export did not import: {run.message}")
    return run.rows_imported


def _dispute_calls(
    rng: random.Random,
    today: dt.datetime,
    dispute: Dispute,
    call_type: CallType,
    places: dict[str, AddressPoint],
) -> list[tuple[dt.datetime, CallType, AddressPoint]]:
    """The calls at a dispute's address: one every few days until the agreement (from the
    first of the history), then those of `dispute.since`."""
    agreed = today - dt.timedelta(days=dispute.agreed_days_ago)
    days = [
        agreed - dt.timedelta(days=d)
        for d in range(3, HISTORY_DAYS - dispute.agreed_days_ago, dispute.every)
    ]
    days += [agreed + dt.timedelta(days=d) for d in dispute.since]
    place = places[dispute.beat]
    return [
        (day + dt.timedelta(hours=dispute.hour, minutes=rng.randrange(110)), call_type, place)
        for day in days
    ]


def _block_centroids(addresses: list[AddressPoint]) -> dict[tuple[str, int], tuple[float, float]]:
    """Where the public sees a call at each address: the middle of its hundred block."""
    blocks: dict[tuple[str, int], list[AddressPoint]] = {}
    for point in addresses:
        blocks.setdefault((point.street, point.number // 100), []).append(point)
    return {
        key: (
            round(sum(p.lat for p in pts) / len(pts), 6),
            round(sum(p.lon for p in pts) / len(pts), 6),
        )
        for key, pts in blocks.items()
    }


def _closed_call(
    centroids: dict[tuple[str, int], tuple[float, float]],
    rng: random.Random,
    number: str,
    at: dt.datetime,
    call_type: CallType,
    place: AddressPoint,
    units: list[Unit],
) -> Call:
    queue_delay = {1: 2, 2: 5, 3: 12, 4: 25}[call_type.priority]
    dispatched = at + dt.timedelta(minutes=rng.lognormvariate(math.log(queue_delay), 0.6) + 0.5)
    en_route = dispatched + dt.timedelta(minutes=rng.uniform(0.5, 3))
    on_scene = en_route + dt.timedelta(minutes=rng.lognormvariate(math.log(9), 0.45))
    cleared = on_scene + dt.timedelta(minutes=rng.lognormvariate(math.log(22), 0.5))
    outcome = rng.random()
    call = Call(
        number=number,
        call_type=call_type,
        source=rng.choices(
            [CallSource.PHONE, CallSource.WALK_IN, CallSource.FIELD], weights=[80, 5, 15]
        )[0],
        priority=call_type.priority,
        description=rng.choice(DESCRIPTIONS.get(call_type.code, [call_type.name])),
        caller_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        caller_phone=f"206-555-01{rng.randrange(100):02d}",
        address_text=f"{place.number} {street_display(place.street)}",
        block_text=block_text(place.number, place.street),
        lat=place.lat,
        lon=place.lon,
        beat=place.beat,
        h3_cell=place.h3_cell,
        block_lat=centroids[(place.street, place.number // 100)][0],
        block_lon=centroids[(place.street, place.number // 100)][1],
        received_at=at,
        queued_at=at,
    )
    if outcome < 0.03:
        # Picked by call number, not the generator, so the rest of the history stays the same.
        reason = ESCALATION_REASONS[int(number[-4:]) % len(ESCALATION_REASONS)]
        call.status, call.escalation_reason = CallStatus.ESCALATED, reason
        call.closed_at = dispatched
        if reason.rstrip(".") in FOUND_ON_SCENE and units:
            # What a CSO finds on arrival: sworn officers take over from the scene.
            call.assigned_unit = units[int(number[-4:]) % len(units)]
            call.dispatched_at, call.en_route_at, call.on_scene_at = dispatched, en_route, on_scene
            call.closed_at = on_scene + dt.timedelta(minutes=4 + int(number[-2:]) % 9)
        return call
    if outcome < 0.07 and call_type.referral_division:
        call.status, call.referral_division = CallStatus.REFERRED, call_type.referral_division
        call.referral_note, call.closed_at = "Referred per call type", dispatched
        return call
    call.assigned_unit = rng.choice(units) if units else None
    call.dispatched_at, call.en_route_at, call.on_scene_at = dispatched, en_route, on_scene
    call.closed_at, call.status = cleared, CallStatus.CLEARED
    call.disposition = _weighted(rng, DISPOSITIONS.get(call_type.code, DEFAULT_DISPOSITIONS))
    return call


def _history_rows(calls: list[Call]) -> list[AuditEntry]:
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Call)
    rows = []
    for call in calls:
        steps = [
            (call.received_at, "received"),
            (call.queued_at, "queued"),
            (call.dispatched_at, "dispatched"),
            (call.en_route_at, "marked en route"),
            (call.on_scene_at, "marked on scene"),
        ]
        final = {
            CallStatus.CLEARED: "cleared",
            CallStatus.ESCALATED: "escalated",
            CallStatus.REFERRED: "referred",
        }[call.status]  # type: ignore[index]
        steps.append((call.closed_at, final))
        for at, verb in steps:
            if at is None:
                continue
            data: dict[str, Any] = {}
            if verb == "dispatched" and call.assigned_unit:
                data = {"unit": call.assigned_unit.call_sign}
            if verb == "cleared":
                data = {"disposition": call.disposition}
            rows.append(
                AuditEntry(
                    at=at,
                    actor_label="demo history",
                    verb=verb,
                    content_type=content_type,
                    object_id=str(call.pk),
                    object_label=call.number,
                    data=data,
                )
            )
    return rows


LIVE_CALLS = [
    ("NOISE", "531 Pine St", "Loud music and shouting from the 3rd floor since 10pm"),
    ("PARKING", "1920 2nd Ave", "Delivery truck blocking the bike lane"),
    ("ANIMAL", "4210 University Way NE", "Loose husky running between cars, friendly"),
    ("THAZ", "9210 Rainier Ave S", "Shopping cart and debris in the southbound lane"),
    ("VEHABND", "1120 8th Ave", "Grey sedan, no plates, hasn't moved in three weeks"),
    ("PROPFND", "1410 Broadway", "Found a backpack with a laptop at the bus stop"),
    ("CITASST", "910 E Thomas St", "Older man locked out, needs help reaching his daughter"),
    ("MVA", "1010 NE 45th St", "Minor collision, no injuries, drivers exchanging details"),
    ("NOISE", "540 Pine St", "Music very loud next door, same building as earlier call"),
    ("WELFARE", "520 S Weller St", "Man with a knife yelling at people outside the store"),
]


def _live(rng: random.Random, now: dt.datetime, csos: list[User]) -> None:
    dispatcher = User.objects.get(username="dispatcher")
    on_duty = list(Unit.objects.on_duty().select_related("user", "user__team"))
    for unit in on_duty:
        beats = list(unit.user.team.beats.all()) if unit.user.team else []
        beat = rng.choice(beats) if beats else None
        if beat is not None:
            unit.lat = beat.centroid_lat + rng.uniform(-0.002, 0.002)
            unit.lon = beat.centroid_lon + rng.uniform(-0.002, 0.002)
            unit.position_at = now
        unit.status = UnitStatus.AVAILABLE
        unit.save(update_fields=["lat", "lon", "position_at", "status"])
    calls = []
    for minutes_ago, (code, address, text) in zip(
        [52, 41, 33, 27, 22, 18, 12, 8, 5, 2], LIVE_CALLS, strict=True
    ):
        call = call_services.call_intake(
            actor=dispatcher,
            call_type=CallType.objects.get(code=code),
            source=CallSource.PHONE,
            description=text,
            address=address,
            caller_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            caller_phone=f"206-555-01{rng.randrange(100):02d}",
            received_at=now - dt.timedelta(minutes=minutes_ago),
        )
        calls.append(call)
    # Three calls are already being worked, by units other than the demo CSO.
    workers = [u for u in on_duty if u.user.username != "cso"]
    for call, unit, steps in zip(calls[:3], workers[:3], (1, 2, 3), strict=False):
        call = call_services.call_dispatch(actor=dispatcher, call=call, unit=unit)
        if steps >= 2:
            call = call_services.call_en_route(actor=unit.user, call=call)
        if steps >= 3:
            call_services.call_on_scene(actor=unit.user, call=call)
    demo_cso_unit = Unit.objects.get(user__username="cso")
    call_services.call_dispatch(actor=dispatcher, call=calls[5], unit=demo_cso_unit)


def demo_logins(payload: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The role → login entries of a demo-logins file (its other keys are tokens and counts)."""
    return {role: payload[role] for role in Role.values if role in payload}


RESIDENT_REPORTS: list[tuple[str, str, str, str, dict[str, Any], str]] = [
    (
        "VEHABND",
        "en",
        "2130 4th Ave",
        "White van with flat tyres, hasn't moved in weeks",
        {"DAYS": "gt7", "PLATE": "DEMO123", "COLOUR": "White Ford"},
        "resident.one@example.org",
    ),
    (
        "NOISE",
        "es",
        "910 E Thomas St",
        "Música muy alta en el patio trasero todas las noches",
        {"SOURCE": "music"},
        "residente.dos@example.org",
    ),
    (
        "ANIMAL",
        "en",
        "530 S Weller St",
        "Small brown dog wandering near the bus stop",
        {"KIND": "dog", "COUNT": "1", "STATE": ["loose"]},
        "",
    ),
]


def _resident_reports(now: dt.datetime) -> None:
    """A few reports from the portal, so the tracking links and public map have something."""
    for i, (code, language, address, text, answers, email) in enumerate(RESIDENT_REPORTS):
        portal_services.report_submit(
            ip="127.0.0.1",
            idempotency_key=f"demo-{i}",
            call_type=CallType.objects.get(code=code),
            description=text,
            lat=None,
            lon=None,
            address=address,
            answers=answers,
            photos=[],
            name="",
            email=email,
            phone="",
            language=language,
        )
