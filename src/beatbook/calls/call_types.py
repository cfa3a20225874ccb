"""The call types a CSO program starts with, mapped to APCO ANS 2.103 common incident types.

(code, name, APCO code, priority 1-4, target minutes to on scene, responder, referral division,
public). Agencies edit them in the admin; this list only seeds a new database.
"""

from typing import Any

SEED_CALL_TYPES: list[tuple[str, str, str, int, int, str, str, bool]] = [
    ("NOISE", "Noise complaint", "NOISE", 3, 45, "cso", "code_enforcement", True),
    ("PARKING", "Parking complaint", "PARKING", 4, 60, "cso", "traffic_enforcement", True),
    ("VEHABND", "Abandoned vehicle", "VEHABND", 4, 480, "cso", "traffic_enforcement", True),
    ("DISVEH", "Disabled vehicle", "DISVEH", 2, 20, "cso", "traffic_enforcement", False),
    ("VEHASST", "Motorist assist", "VEHASST", 3, 30, "cso", "", False),
    ("VEHLOCK", "Vehicle lock-out", "VEHLOCK", 4, 60, "cso", "", False),
    ("TOW", "Tow request", "TOW", 4, 60, "cso", "traffic_enforcement", False),
    ("THAZ", "Traffic hazard (debris, signal out)", "THAZ", 2, 15, "cso", "public_works", True),
    ("MVA", "Non-injury collision report", "MVA", 2, 20, "cso", "traffic_enforcement", False),
    ("MVAHR", "Hit and run, cold report", "MVAHR", 3, 60, "cso", "traffic_enforcement", False),
    ("TCCOLL", "Traffic control at a collision", "MVA", 1, 10, "cso", "traffic_enforcement", False),
    ("TCEVENT", "Traffic control at an event", "ADMIN", 3, 30, "cso", "traffic_enforcement", False),
    (
        "ANIMAL",
        "Animal complaint (stray, at large)",
        "ANIMAL",
        3,
        45,
        "cso",
        "animal_services",
        True,
    ),
    ("BITE", "Animal bite report", "BITE", 2, 30, "either", "animal_services", False),
    ("WILDLIFE", "Wildlife problem", "WILDLIFE", 4, 120, "cso", "animal_services", True),
    ("PROPFND", "Found property", "PROPFND", 4, 120, "cso", "", True),
    ("PROPLOST", "Lost property report", "PROPLOST", 4, 240, "cso", "", True),
    ("WELFARE", "Welfare check", "WELFARE", 2, 20, "either", "social_services", False),
    ("CITASST", "Citizen assist", "CITASST", 3, 45, "cso", "social_services", False),
    ("VANDAL", "Vandalism or graffiti, cold report", "VANDAL", 4, 240, "cso", "public_works", True),
    ("LARCENY", "Theft, cold report", "LARCENY", 4, 240, "cso", "", False),
    ("SHOPLIFT", "Shoplift, suspect gone", "SHOPLIFT", 3, 60, "either", "", False),
    ("TRESPASS", "Trespass", "TRESPASS", 3, 45, "either", "", False),
    ("OPEN", "Unsecured building", "OPEN", 3, 45, "cso", "", False),
    ("XPATROL", "Extra patrol request", "ADMIN", 4, 1440, "cso", "", True),
    ("INFO", "Information call", "INFO", 4, 120, "cso", "", False),
    ("CIVIL", "Civil matter or code complaint", "CIVIL", 4, 240, "cso", "code_enforcement", True),
    ("PUBWKS", "Public works or utility problem", "PUBWKS", 3, 120, "cso", "public_works", True),
    ("WIRES", "Wires down", "WIRES", 1, 10, "either", "public_works", False),
    ("SMOKING", "Smoking violation", "SMOKING", 4, 120, "cso", "code_enforcement", False),
    ("PHANDLE", "Panhandling", "PHANDLE", 4, 120, "cso", "social_services", False),
    ("INTOX", "Intoxicated person", "INTOX", 2, 20, "either", "social_services", False),
    ("FIREWRKS", "Illegal fireworks", "FIREWRKS", 3, 45, "either", "", True),
    ("DISORD", "Disturbance", "DISORD", 2, 15, "sworn", "", False),
    ("SUSP", "Suspicious circumstances", "SUSP", 2, 20, "sworn", "", False),
    ("PERSUSP", "Suspicious person", "PERSUSP", 2, 20, "sworn", "", False),
    ("RECKDRV", "Reckless driver", "RECKDRV", 2, 10, "sworn", "", False),
    ("PERMISS", "Missing person", "PERMISS", 1, 15, "sworn", "", False),
]


def call_types_seed(call_type_model: Any) -> None:
    """Create or refresh the seed types; the migration passes its historical model."""
    for code, name, apco, priority, target, responder, division, public in SEED_CALL_TYPES:
        call_type_model.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "apco_code": apco,
                "priority": priority,
                "target_minutes": target,
                "responder": responder,
                "referral_division": division,
                "is_public": public,
            },
        )


# Public categories: Spanish name, description (English, Spanish), Open311 group, keywords.
PUBLIC_DETAILS: dict[str, tuple[str, str, str, str, str]] = {
    "NOISE": (
        "Queja por ruido",
        "Loud music, parties, construction out of hours.",
        "Música alta, fiestas, obras fuera de horario.",
        "nuisance",
        "noise,music,party",
    ),
    "PARKING": (
        "Queja de estacionamiento",
        "A vehicle blocking a driveway, hydrant or crossing.",
        "Un vehículo que bloquea una entrada, un hidrante o un cruce.",
        "vehicles",
        "parking,driveway,blocked",
    ),
    "VEHABND": (
        "Vehículo abandonado",
        "A vehicle left unmoved for days.",
        "Un vehículo que no se ha movido en días.",
        "vehicles",
        "abandoned,car,vehicle",
    ),
    "THAZ": (
        "Peligro en la vía",
        "Debris in the road, a dark signal, a dangerous pothole.",
        "Escombros en la calle, un semáforo apagado, un bache peligroso.",
        "streets",
        "debris,signal,pothole",
    ),
    "ANIMAL": (
        "Animal suelto o en problemas",
        "A loose, stray or injured animal.",
        "Un animal suelto, callejero o herido.",
        "animals",
        "dog,cat,stray",
    ),
    "WILDLIFE": (
        "Problema con fauna silvestre",
        "Raccoons, coyotes or other wildlife.",
        "Mapaches, coyotes u otra fauna silvestre.",
        "animals",
        "wildlife,raccoon",
    ),
    "PROPFND": (
        "Objeto encontrado",
        "You found something someone lost.",
        "Encontró algo que alguien perdió.",
        "property",
        "found,wallet,phone",
    ),
    "PROPLOST": (
        "Objeto perdido",
        "You lost something in the city.",
        "Perdió algo en la ciudad.",
        "property",
        "lost,wallet,phone",
    ),
    "VANDAL": (
        "Vandalismo o grafiti",
        "Graffiti or damage to public or private property.",
        "Grafiti o daños a propiedad pública o privada.",
        "streets",
        "graffiti,vandalism,damage",
    ),
    "XPATROL": (
        "Solicitud de patrulla",
        "Ask for more CSO patrols in your area.",
        "Pida más patrullas de agentes comunitarios en su zona.",
        "safety",
        "patrol,safety",
    ),
    "CIVIL": (
        "Queja de ordenanza",
        "Overgrown lots, junk in yards, code complaints.",
        "Terrenos descuidados, basura en patios, infracciones de ordenanzas.",
        "nuisance",
        "code,ordinance,junk",
    ),
    "PUBWKS": (
        "Problema de obras públicas",
        "Broken streetlight, sidewalk or utility problem.",
        "Alumbrado roto, acera dañada o problema de servicios.",
        "streets",
        "streetlight,sidewalk,utility",
    ),
    "FIREWRKS": (
        "Fuegos artificiales ilegales",
        "Illegal fireworks being set off.",
        "Se están lanzando fuegos artificiales ilegales.",
        "nuisance",
        "fireworks",
    ),
}


def _v(*items: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"key": key, "name": name, "name_es": name_es} for key, name, name_es in items]


# Per-type questions: (code, datatype, required, variable, description, description_es,
# datatype_description, datatype_description_es, values). Together they use all six Open311
# datatypes.
QUESTIONS: dict[
    str, list[tuple[str, str, bool, bool, str, str, str, str, list[dict[str, str]]]]
] = {
    "VEHABND": [
        (
            "NOTICE",
            "string",
            False,
            False,
            "A vehicle can be tagged once it has not moved for 72 hours.",
            "Un vehículo puede ser marcado cuando lleva 72 horas sin moverse.",
            "",
            "",
            [],
        ),
        (
            "PLATE",
            "string",
            False,
            True,
            "Licence plate, if you can see it",
            "Matrícula, si la puede ver",
            "Letters and numbers",
            "Letras y números",
            [],
        ),
        (
            "DAYS",
            "singlevaluelist",
            True,
            True,
            "How long has it been there?",
            "¿Cuánto tiempo lleva ahí?",
            "",
            "",
            _v(
                ("lt3", "Less than 3 days", "Menos de 3 días"),
                ("3to7", "3 to 7 days", "De 3 a 7 días"),
                ("gt7", "More than a week", "Más de una semana"),
            ),
        ),
        ("COLOUR", "string", False, True, "Colour and make", "Color y marca", "", "", []),
    ],
    "NOISE": [
        (
            "SOURCE",
            "singlevaluelist",
            True,
            True,
            "What is making the noise?",
            "¿Qué produce el ruido?",
            "",
            "",
            _v(
                ("music", "Music or a party", "Música o fiesta"),
                ("construction", "Construction", "Obras"),
                ("vehicle", "A vehicle or alarm", "Un vehículo o alarma"),
                ("animal", "An animal", "Un animal"),
                ("other", "Something else", "Otra cosa"),
            ),
        ),
        (
            "STARTED",
            "datetime",
            False,
            True,
            "When did it start?",
            "¿Cuándo empezó?",
            "Date and time",
            "Fecha y hora",
            [],
        ),
    ],
    "PARKING": [
        (
            "PLATE",
            "string",
            False,
            True,
            "Licence plate, if you can see it",
            "Matrícula, si la puede ver",
            "",
            "",
            [],
        ),
        (
            "PROBLEM",
            "multivaluelist",
            True,
            True,
            "What is it blocking?",
            "¿Qué está bloqueando?",
            "Choose all that apply",
            "Elija todas las que correspondan",
            _v(
                ("driveway", "A driveway", "Una entrada de garaje"),
                ("hydrant", "A fire hydrant", "Un hidrante"),
                ("crossing", "A crosswalk", "Un paso de peatones"),
                ("disabled", "A disabled space", "Un lugar para discapacitados"),
                ("bikelane", "A bike lane", "Un carril bici"),
            ),
        ),
    ],
    "ANIMAL": [
        (
            "KIND",
            "singlevaluelist",
            True,
            True,
            "What animal?",
            "¿Qué animal?",
            "",
            "",
            _v(("dog", "Dog", "Perro"), ("cat", "Cat", "Gato"), ("other", "Other", "Otro")),
        ),
        (
            "COUNT",
            "number",
            False,
            True,
            "How many animals?",
            "¿Cuántos animales?",
            "A number",
            "Un número",
            [],
        ),
        (
            "STATE",
            "multivaluelist",
            False,
            True,
            "What do you see?",
            "¿Qué observa?",
            "",
            "",
            _v(
                ("loose", "Running loose", "Suelto"),
                ("injured", "Injured", "Herido"),
                ("aggressive", "Aggressive", "Agresivo"),
            ),
        ),
    ],
    "PROPFND": [
        ("ITEM", "string", True, True, "What did you find?", "¿Qué encontró?", "", "", []),
        (
            "DETAILS",
            "text",
            False,
            True,
            "Anything else (do not describe unique marks)",
            "Algo más (no describa marcas únicas)",
            "",
            "",
            [],
        ),
    ],
    "PROPLOST": [
        ("ITEM", "string", True, True, "What did you lose?", "¿Qué perdió?", "", "", []),
        (
            "LOST_AT",
            "datetime",
            False,
            True,
            "When did you last have it?",
            "¿Cuándo lo tuvo por última vez?",
            "Date and time",
            "Fecha y hora",
            [],
        ),
    ],
    "THAZ": [
        (
            "HAZARD",
            "singlevaluelist",
            True,
            True,
            "What is the hazard?",
            "¿Cuál es el peligro?",
            "",
            "",
            _v(
                ("debris", "Debris in the road", "Escombros en la calle"),
                ("signal", "Traffic signal out", "Semáforo apagado"),
                ("pothole", "Pothole", "Bache"),
                ("other", "Other", "Otro"),
            ),
        ),
    ],
}


def call_type_details_seed(call_type_model: Any, question_model: Any) -> None:
    """Spanish names, descriptions and questions of the public types (migration 0004, tests)."""
    for code, (name_es, desc, desc_es, group, keywords) in PUBLIC_DETAILS.items():
        call_type_model.objects.filter(code=code).update(
            name_es=name_es,
            description=desc,
            description_es=desc_es,
            group=group,
            keywords=keywords,
        )
    for code, questions in QUESTIONS.items():
        call_type = call_type_model.objects.filter(code=code).first()
        if call_type is None:
            continue
        for order, (
            qcode,
            datatype,
            required,
            variable,
            desc,
            desc_es,
            dtdesc,
            dtdesc_es,
            values,
        ) in enumerate(questions, start=1):
            question_model.objects.update_or_create(
                call_type=call_type,
                code=qcode,
                defaults={
                    "order": order,
                    "datatype": datatype,
                    "required": required,
                    "variable": variable,
                    "description": desc,
                    "description_es": desc_es,
                    "datatype_description": dtdesc,
                    "datatype_description_es": dtdesc_es,
                    "values": values,
                },
            )
