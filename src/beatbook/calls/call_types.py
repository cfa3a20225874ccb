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
