"""Street-address text: canonical forms for matching, display forms, and block-level text."""

from __future__ import annotations

import re
from dataclasses import dataclass

SUFFIXES = {
    "STREET": "ST",
    "STR": "ST",
    "AVENUE": "AV",
    "AVE": "AV",
    "AVN": "AV",
    "BOULEVARD": "BLVD",
    "BLV": "BLVD",
    "DRIVE": "DR",
    "ROAD": "RD",
    "PLACE": "PL",
    "WAY": "WY",
    "COURT": "CT",
    "LANE": "LN",
    "TERRACE": "TER",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "CIRCLE": "CIR",
    "SQUARE": "SQ",
}
DIRECTIONS = {
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
}
DISPLAY_SUFFIX = {
    "ST": "St",
    "AV": "Ave",
    "BLVD": "Blvd",
    "DR": "Dr",
    "RD": "Rd",
    "PL": "Pl",
    "WY": "Way",
    "CT": "Ct",
    "LN": "Ln",
    "TER": "Ter",
    "PKWY": "Pkwy",
    "HWY": "Hwy",
    "CIR": "Cir",
    "SQ": "Sq",
}
_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH)$")
_ADDRESS = re.compile(r"^\s*(\d+)\s*[-A-Z]?\s+(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedAddress:
    number: int | None
    street: str


def street_canonical(text: str) -> str:
    """'4th Avenue South' → '4 AV S': the form address points are stored and matched in."""
    tokens = re.sub(r"[^\w\s]", " ", text.upper()).split()
    out: list[str] = []
    for token in tokens:
        ordinal = _ORDINAL.match(token)
        if ordinal:
            token = ordinal.group(1)
        token = SUFFIXES.get(token, token)
        token = DIRECTIONS.get(token, token)
        out.append(token)
    return " ".join(out)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def street_display(canonical: str) -> str:
    """'NE 45 ST' → 'NE 45th St'."""
    words = []
    for token in canonical.split():
        if token.isdigit():
            words.append(_ordinal(int(token)))
        elif token in DIRECTIONS.values():
            words.append(token)
        elif token in DISPLAY_SUFFIX:
            words.append(DISPLAY_SUFFIX[token])
        else:
            words.append(token.capitalize())
    return " ".join(words)


def address_parse(text: str) -> ParsedAddress:
    match = _ADDRESS.match(text)
    if match:
        return ParsedAddress(int(match.group(1)), street_canonical(match.group(2)))
    return ParsedAddress(None, street_canonical(text))


def block_text(number: int | None, street: str) -> str:
    """The public form of an address: '1200 block of Oak St' (never the house number)."""
    if number is None:
        return street_display(street)
    return f"{number // 100 * 100} block of {street_display(street)}"
