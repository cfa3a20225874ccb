"""The demo's community calendar: partners, upcoming events with sign-ups (a block-party
request waiting for approval among them) and a past workshop with its attendance."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from typing import Any

import time_machine
from django.utils import timezone

from beatbook.accounts.models import User
from beatbook.calls.models import Call
from beatbook.outreach import services
from beatbook.outreach.choices import EventKind
from beatbook.outreach.models import Event, PartnerOrganisation, Volunteer

RESIDENTS = [
    ("Ana Morales", "es", 2),
    ("Tom Becker", "en", 1),
    ("Grace Liu", "en", 3),
    ("Luis Ortega", "es", 1),
    ("Priya Nair", "en", 2),
]


def _addresses(count: int) -> list[str]:
    """Addresses the demo's address table knows, one per beat, from its own calls."""
    seen: dict[int, str] = {}
    for beat_id, address in Call.objects.exclude(address_text="").values_list(
        "beat_id", "address_text"
    ):
        if beat_id not in seen and address[:1].isdigit():
            seen[beat_id] = address
        if len(seen) == count:
            break
    return list(seen.values())


def outreach_demo(now: dt.datetime) -> int:
    cso = User.objects.get(username="cso")
    coordinator = User.objects.get(username="analyst")
    library = PartnerOrganisation.objects.create(
        name="Capitol Hill Branch Library", website="https://example.org/library"
    )
    block_watch = PartnerOrganisation.objects.create(name="Pine Street Block Watch")
    PartnerOrganisation.objects.create(name="Fire Station 25 (community outreach)")
    places = _addresses(4)
    local = timezone.localtime(now)

    def at(days: int, hour: int, hours: int = 2) -> dict[str, Any]:
        start = (local + dt.timedelta(days=days)).replace(hour=hour, minute=0)
        return {"starts_at": start, "ends_at": start + dt.timedelta(hours=hours)}

    fair = services.event_create(
        actor=coordinator,
        kind=EventKind.SAFETY_FAIR,
        title="Fall safety fair",
        title_es="Feria de seguridad de otoño",
        description="Free bike registration, home-security tips and child ID kits.",
        description_es="Registro gratuito de bicicletas, consejos de seguridad y kits de "
        "identificación infantil.",
        venue="Broadway Plaza",
        address="1410 Broadway",
        capacity=120,
        is_public=True,
        registration_open=True,
        partners=[library],
        **at(9, 11, 4),
    )
    meeting = services.event_create(
        actor=cso,
        kind=EventKind.MEETING,
        title="Block watch monthly meeting",
        title_es="Reunión mensual de vigilancia vecinal",
        venue="Community room",
        address=places[0] if places else "1410 Broadway",
        capacity=None,
        is_public=True,
        registration_open=True,
        partners=[block_watch],
        **at(4, 18),
    )
    party = services.event_create(
        actor=cso,
        kind=EventKind.BLOCK_PARTY,
        title="Summer block party",
        title_es="Fiesta de cuadra de verano",
        venue="The street between the two corners",
        address=places[1] if len(places) > 1 else "1410 Broadway",
        capacity=80,
        is_public=True,
        registration_open=True,
        **at(16, 15, 5),
    )
    services.event_create(
        actor=coordinator,
        kind=EventKind.YOUTH_ACTIVITY,
        title="Youth bike rodeo",
        title_es="Rodeo juvenil de bicicletas",
        venue="School playground",
        address=places[2] if len(places) > 2 else "1410 Broadway",
        capacity=40,
        is_public=True,
        registration_open=True,
        **at(12, 10, 3),
    )
    for i, (name, language, size) in enumerate(RESIDENTS):
        email = f"{name.split()[0].lower()}@example.org"
        services.registration_create(
            event=fair, name=name, email=email, party_size=size, language=language
        )
        if i < 2:
            services.registration_create(
                event=meeting, name=name, email=email, party_size=1, language=language
            )
    services.registration_create(
        event=party,
        name="Grace Liu",
        email="grace@example.org",
        party_size=4,
        note="Closing the street 3 pm to 8 pm; neighbours on both sides agree.",
    )
    workshop = services.event_create(
        actor=cso,
        kind=EventKind.WORKSHOP,
        title="Scams aimed at seniors",
        title_es="Estafas dirigidas a personas mayores",
        venue="Senior center",
        address=places[3] if len(places) > 3 else "1410 Broadway",
        capacity=30,
        is_public=True,
        registration_open=True,
        **at(2, 14),
    )
    attendee = services.registration_create(
        event=workshop, name="Tom Becker", email="tom@example.org", party_size=2
    )
    services.registration_attendance_set(actor=cso, registration=attendee, attended=True)
    services.event_walk_ins_set(actor=cso, event=workshop, count=14)
    services.material_record(actor=cso, event=workshop, kind="flyer", quantity=60)
    services.follow_up_add(
        actor=cso,
        event=workshop,
        text="Send the fraud-line leaflet to the senior center",
        assigned_to=cso,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    # The workshop took place last week: the demo moves it into the past after the fact.
    Event.objects.filter(pk=workshop.pk).update(**at(-6, 14))
    return Event.objects.count()


def alerts_demo(now: dt.datetime) -> int:
    """One alert in force (drafted by a CSO, approved by the supervisor) and one waiting."""
    from beatbook.alerts import services as alert_services
    from beatbook.places.models import Beat

    cso = User.objects.get(username="cso")
    supervisor = User.objects.get(username="supervisor")
    beats = list(Beat.objects.order_by("name")[:2])
    closure = alert_services.alert_draft(
        actor=cso,
        beats=beats[:1],
        kind="alert",
        category="Transport",
        event="Road closure",
        headline="Water main repair: street closed this week",
        headline_es="Reparación de tubería: calle cerrada esta semana",
        description="The street is closed to traffic between the two cross streets while the "
        "water main is repaired. Pedestrians can pass on the north sidewalk.",
        description_es="La calle está cerrada al tráfico entre las dos esquinas mientras se "
        "repara la tubería. Los peatones pueden pasar por la acera norte.",
        instruction="Use the parallel avenue; expect delays at rush hour.",
        instruction_es="Use la avenida paralela; espere demoras en hora pico.",
        urgency="Expected",
        severity="Minor",
        certainty="Observed",
        expires_at=now + dt.timedelta(days=4),
    )
    alert_services.alert_submit(actor=cso, alert=closure)
    alert_services.alert_approve(actor=supervisor, alert=closure)
    scams = alert_services.alert_draft(
        actor=cso,
        beats=beats,
        kind="announcement",
        category="Security",
        event="Phone scam",
        headline="Callers pretending to be the police ask for gift cards",
        description="Residents report calls from people claiming to be officers who demand "
        "payment in gift cards. The police never ask for payment by phone.",
        instruction="Hang up and call the non-emergency line.",
        urgency="Expected",
        severity="Moderate",
        certainty="Observed",
        expires_at=now + dt.timedelta(days=14),
    )
    alert_services.alert_submit(actor=cso, alert=scams)
    return 2


def volunteers_demo(now: dt.datetime) -> Volunteer:
    """Three volunteers (one whose background check runs out soon, one not yet trained for
    patrols), patrol and event shifts, and a block watch with its area, members and a meeting."""
    from beatbook.outreach.services import volunteers as volunteer_services
    from beatbook.outreach.services import watch as watch_services
    from beatbook.places.models import Beat

    coordinator = User.objects.get(username="analyst")
    cso = User.objects.get(username="cso")
    today = timezone.localdate()
    people = []
    for name, email, language, patrol_trained, check_days in (
        ("Sam Rivera", "sam@example.org", "en", True, 300),
        ("Lucía Torres", "lucia@example.org", "es", True, 12),
        ("Dev Patel", "dev@example.org", "en", False, 500),
    ):
        person = volunteer_services.volunteer_add(
            actor=coordinator, name=name, email=email, language=language
        )
        kinds = ["background_check", "orientation"] + (
            ["patrol_training"] if patrol_trained else []
        )
        for kind in kinds:
            days = check_days if kind == "background_check" else 365
            volunteer_services.vetting_record(
                actor=coordinator,
                volunteer=person,
                kind=kind,
                result="passed",
                completed_on=today - dt.timedelta(days=60),
                expires_on=today + dt.timedelta(days=days),
                reference=f"BG-{person.pk:04d}" if kind == "background_check" else "",
            )
        people.append(person)
    beat = Beat.objects.order_by("name").first()
    local = timezone.localtime(now)
    for days, hour, title in (
        (1, 18, "Evening patrol"),
        (3, 18, "Evening patrol"),
        (6, 10, "Saturday patrol"),
    ):
        start = (local + dt.timedelta(days=days)).replace(hour=hour, minute=0)
        shift = volunteer_services.shift_create(
            actor=cso,
            program="citizen_patrol",
            title=f"{title}, beat {beat.name if beat else ''}",
            meeting_point="Front steps of the precinct",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            capacity=4,
            leader=cso,
            beat=beat,
        )
        if days == 3:
            volunteer_services.shift_signup(volunteer=people[1], shift=shift)
    fair = Event.objects.filter(kind=EventKind.SAFETY_FAIR).first()
    if fair is not None:
        volunteer_services.shift_create(
            actor=coordinator,
            program="event_support",
            title="Safety fair: bike registration table",
            meeting_point=fair.venue,
            starts_at=fair.starts_at,
            ends_at=fair.ends_at,
            capacity=6,
            leader=coordinator,
            event=fair,
        )
    if beat is not None:
        lat, lon = beat.centroid_lat, beat.centroid_lon
        square = [
            [lon - 0.004, lat - 0.003],
            [lon + 0.004, lat - 0.003],
            [lon + 0.004, lat + 0.003],
            [lon - 0.004, lat + 0.003],
            [lon - 0.004, lat - 0.003],
        ]
        group = watch_services.watch_group_create(
            actor=cso,
            name="Pine Street Block Watch",
            liaison=cso,
            started_on=today - dt.timedelta(days=200),
            area={"type": "Polygon", "coordinates": [square]},
        )
        _watch_members(
            cso,
            group,
            [
                ("Rosa Díaz", "rosa@example.org", True),
                ("Tom Becker", "tom@example.org", False),
                ("Mei Chen", "", False),
            ],
        )
        watch_services.watch_meeting_record(
            actor=cso,
            group=group,
            held_at=now - dt.timedelta(days=20),
            place="Library meeting room",
            attendance=11,
            notes="Package thefts on the 1500 block; agreed to share delivery tips.",
        )
    return people[0]


def _watch_members(cso: User, group: Any, members: list[tuple[str, str, bool]]) -> None:
    """(name, email, captain) each, who signed the consent form (email only with an address)."""
    from beatbook.outreach.services import watch as watch_services

    for name, email, captain in members:
        watch_services.watch_member_add(
            actor=cso,
            group=group,
            name=name,
            email=email,
            is_captain=captain,
            consent_method="signed_form",
            consent_to_email=bool(email),
        )


def beat_watch_demo(beat: Any, *, started_on: dt.date) -> Any:
    """A block watch for a whole beat, started `started_on` (the history thins the beat's
    calls from that day), named after the beat's longest street, with members and a meeting;
    made through the services on the days it happened."""
    from beatbook.outreach.services import watch as watch_services
    from beatbook.places.addresses import street_display
    from beatbook.places.models import AddressPoint

    cso = User.objects.get(username="cso")
    streets = Counter(AddressPoint.objects.filter(beat=beat).values_list("street", flat=True))
    street = street_display(streets.most_common(1)[0][0]) if streets else f"Beat {beat.name}"
    evening = dt.datetime.combine(started_on, dt.time(19), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(evening, tick=False):
        group = watch_services.watch_group_create(
            actor=cso,
            name=f"{street} Block Watch",
            liaison=cso,
            started_on=started_on,
            beat=beat,
        )
        _watch_members(
            cso,
            group,
            [
                ("Grace Whitfield", "grace@example.org", True),
                ("Arturo Reyes", "arturo@example.org", False),
                ("Nadia Haddad", "", False),
                ("Ben Olsen", "ben@example.org", False),
            ],
        )
    with time_machine.travel(evening + dt.timedelta(days=28), tick=False):
        watch_services.watch_meeting_record(
            actor=cso,
            group=group,
            held_at=evening + dt.timedelta(days=28),
            place="Branch library, meeting room",
            attendance=14,
            notes="Porch lights on after dark; a phone tree for cars parked across driveways.",
        )
    return group


ARTICLES = [
    (
        "home_security",
        "Make your home harder to break into",
        "Haga su casa más difícil de robar",
        "Most burglars walk away from a door that takes more than a minute.",
        "La mayoría de los ladrones desisten ante una puerta que tarda más de un minuto.",
        "Use a deadbolt with a 3-inch strike-plate screw on every outside door.\n\n"
        "Light the entrances; a motion light costs less than a lock.\n\n"
        "Ask us for a free home security visit: a CSO walks round with you.",
        "Use un cerrojo con tornillos de 3 pulgadas en cada puerta exterior.\n\n"
        "Ilumine las entradas; una luz con sensor cuesta menos que una cerradura.\n\n"
        "Pida una visita gratuita de seguridad: un agente la recorre con usted.",
    ),
    (
        "senior_scams",
        "Scams aimed at seniors: the three warning signs",
        "Estafas a personas mayores: las tres señales",
        "Urgency, secrecy and gift cards mean a scam.",
        "Urgencia, secreto y tarjetas de regalo significan estafa.",
        "No agency asks for payment in gift cards or cryptocurrency.\n\n"
        "A caller who says 'do not tell your family' is a scammer.\n\n"
        "Hang up and call the non-emergency line; we will check.",
        "Ninguna agencia pide pagos con tarjetas de regalo ni criptomonedas.\n\n"
        "Quien le dice 'no se lo cuente a su familia' es un estafador.\n\n"
        "Cuelgue y llame a la línea de no emergencias; lo verificamos.",
    ),
    (
        "bicycle_theft",
        "Lock your bike so it is still there",
        "Asegure su bicicleta para que siga ahí",
        "Two locks, a fixed rack, and a registered serial number.",
        "Dos candados, un soporte fijo y el número de serie registrado.",
        "Use a U-lock through the frame and the rear wheel.\n\n"
        "Write down the serial number (under the pedals) and register it with us: found bikes "
        "go back to owners we can trace.",
        "Use un candado en U a través del cuadro y la rueda trasera.\n\n"
        "Anote el número de serie (bajo los pedales) y regístrelo con nosotros: devolvemos las "
        "bicicletas encontradas a quienes podemos identificar.",
    ),
    (
        "online_safety",
        "Online safety for families",
        "Seguridad en internet para familias",
        "Privacy settings, strong passwords, and talking with your children.",
        "Privacidad, contraseñas fuertes y hablar con sus hijos.",
        "Turn on two-step sign-in for email and banking.\n\n"
        "Keep children's location sharing to family only.\n\n"
        "Report threats and extortion to us; keep the messages.",
        "Active la verificación en dos pasos en el correo y el banco.\n\n"
        "Comparta la ubicación de los niños solo con la familia.\n\n"
        "Denuncie amenazas y extorsiones; guarde los mensajes.",
    ),
]


def library_demo() -> int:
    from beatbook.alerts import services as alert_services

    cso = User.objects.get(username="cso")
    for topic, title, title_es, summary, summary_es, body, body_es in ARTICLES:
        alert_services.article_save(
            actor=cso,
            topic=topic,
            title=title,
            title_es=title_es,
            summary=summary,
            summary_es=summary_es,
            body=body,
            body_es=body_es,
            is_published=True,
        )
    return len(ARTICLES)


def feedback_demo(now: dt.datetime) -> int:
    """Survey answers for some of the history's closed calls: mostly content, some not,
    each given a day or so after its call closed (the clock is moved for each)."""
    from beatbook.calls.choices import CallStatus
    from beatbook.outreach.services import feedback as feedback_services

    scores = [(5, 5), (4, 4), (5, 4), (3, 3), (4, 5), (2, 3), (5, 5), (4, 3), (1, 2), (4, 4)]
    comments = [  # one per score above, so the words match the numbers
        "Quick and polite.",
        "",
        "",
        "Took a while, but solved.",
        "",
        "Nobody called me back.",
        "",
        "",
        "Nobody came, and the music went on all night.",
        "",
    ]
    # History calls came in by phone; give some the tracking link a resident would have had:
    # every 60th closed call, so the answers spread over the whole history.
    cleared = Call.objects.filter(status=CallStatus.CLEARED).order_by("-received_at")
    calls = [c for c in cleared[1::60] if c.closed_at is not None][:60]
    for call in calls:
        if not call.public_token:
            call.public_token = secrets.token_urlsafe(24)
            Call.objects.filter(pk=call.pk).update(public_token=call.public_token)
    n = 0
    for i, call in enumerate(calls):
        assert call.public_token is not None
        satisfaction, trust = scores[i % len(scores)]
        assert call.closed_at is not None
        answered = min(call.closed_at + dt.timedelta(hours=14 + 7 * (i % 6)), now)
        with time_machine.travel(answered, tick=False):
            feedback_services.feedback_for_call(
                token=call.public_token,
                satisfaction=satisfaction,
                trust=trust,
                comment=comments[i % len(scores)],
                language="es" if i % 4 == 0 else "en",
            )
        n += 1
    return n
