"""Import of the older Ohana API CSVs (the pre-1.0 ancestor of HSDS, as San Mateo County's
directory is published) into the HSDS 3.0 directory.

Each Ohana id becomes a stable UUID, so importing the same files again changes nothing. A bad
row is reported by file and line and left out; the rest is kept."""

from __future__ import annotations

import csv
import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beatbook.core.actors import Actor
from beatbook.resources import hsds
from beatbook.resources.services.directory import Rows, directory_load

OHANA_NAMESPACE = uuid.UUID("6f1d8a52-5a0e-4c0e-9d7c-2b3f0f5b9e11")
TAXONOMY_NAME = "Open Eligibility (Ohana)"

# Ohana's top-level categories, in Spanish for the portal.
NEEDS_ES = {
    "101": "Emergencias",
    "102": "Comida",
    "103": "Vivienda",
    "104": "Artículos",
    "105": "Transporte",
    "106": "Salud",
    "107": "Dinero",
    "108": "Cuidado",
    "109": "Educación",
    "110": "Trabajo",
    "111": "Asuntos legales",
}
# Most Ohana services carry keywords rather than taxonomy ids; these words place them under
# the top-level need a resident would search for.
NEED_WORDS: dict[str, tuple[str, ...]] = {
    "101": ("emergency", "disaster", "crisis"),
    "102": ("meal", "food", "nutrition", "hunger", "wic"),
    "103": ("housing", "shelter", "homeless", "rent"),
    "104": ("clothing", "commodity", "furniture"),
    "105": ("transport",),
    "106": ("health", "medical", "clinic", "dental", "alcohol", "drug", "counsel", "mental"),
    "107": ("financial", "loan", "economic", "benefit"),
    "108": ("adult protection", "day health", "in-home", "family", "child care"),
    "109": ("education", "library", "literacy", "tutor"),
    "110": ("employment", "job", "vocational"),
    "111": ("legal", "immigration", "court"),
}
LANGUAGE_CODES = {
    "spanish": "es",
    "tagalog": "tl",
    "chinese (mandarin)": "zh",
    "chinese (cantonese)": "yue",
    "cantonese": "yue",
    "vietnamese": "vi",
    "korean": "ko",
    "russian": "ru",
    "hindi": "hi",
    "italian": "it",
    "taiwanese": "nan",
    "english": "en",
}
WEEKDAYS = dict(
    zip(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
        strict=True,
    )
)


def ohana_id(table: str, value: str) -> str:
    return str(uuid.uuid5(OHANA_NAMESPACE, f"{table}:{value.strip()}"))


def parse_clock(text: str) -> dt.time:
    """“08:00”, “4:00 PM”, “3pm”, “9am” → a time; anything else is refused."""
    found = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*", text, re.I)
    if not found:
        raise ValueError(f"“{text}” is not a time of day")
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    suffix = (found.group(3) or "").lower().replace(".", "")
    if suffix == "pm" and hour < 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    if not suffix and found.group(2) is None:
        raise ValueError(f"“{text}” is not a time of day")
    try:
        return dt.time(hour, minute)
    except ValueError:
        raise ValueError(f"“{text}” is not a time of day") from None


def parse_date(text: str) -> dt.date:
    for pattern in ("%B %d, %Y", "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date")


def _list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _url(text: str) -> str:
    text = (text or "").strip()
    if text and not re.match(r"^https?://", text):
        text = "http://" + text
    return text


def _email(text: str) -> str:
    text = (text or "").strip()
    return text if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) else ""


@dataclass
class OhanaImport:
    rows: Rows = field(default_factory=lambda: {})
    rejects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read(folder: Path, name: str) -> list[tuple[int, dict[str, str]]]:
    path = folder / name
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def ohana_rows(folder: Path) -> OhanaImport:
    """Map Ohana CSVs in `folder` to HSDS rows (good rows only; bad ones in `rejects`)."""
    result = OhanaImport()
    tables = hsds.empty_rows()
    result.rows = tables

    def each(name: str, build: Callable[[dict[str, str]], None]) -> None:
        for line, row in _read(folder, name):
            try:
                build(row)
            except (ValueError, KeyError) as exc:
                result.rejects.append(f"{name} line {line}: {exc}")

    def organization(row: dict[str, str]) -> None:
        if not row["name"].strip():
            raise ValueError("the organisation has no name")
        year = re.search(r"\b(1[89]\d\d|20\d\d)\b", row.get("date_incorporated") or "")
        tables["organization"].append(
            {
                "id": ohana_id("organization", row["id"]),
                "name": row["name"].strip(),
                "alternate_name": row.get("alternate_name", ""),
                "description": row.get("description", ""),
                "email": _email(row.get("email", "")),
                "website": _url(row.get("website", "")),
                "tax_status": row.get("tax_status", ""),
                "tax_id": row.get("tax_id", ""),
                "legal_status": row.get("legal_status", ""),
                "year_incorporated": int(year.group(1)) if year else None,
            }
        )

    each("organizations.csv", organization)
    organizations = {row["id"] for row in tables["organization"]}

    def program(row: dict[str, str]) -> None:
        tables["program"].append(
            {
                "id": ohana_id("program", row["id"]),
                "organization_id": ohana_id("organization", row["organization_id"]),
                "name": row["name"],
                "alternate_name": row.get("alternate_name", ""),
                "description": "",
            }
        )

    each("programs.csv", program)

    taxonomy_id = ohana_id("taxonomy", TAXONOMY_NAME)
    codes: set[str] = set()

    def term(row: dict[str, str]) -> None:
        code = row["taxonomy_id"].strip()
        if not code or not row["name"].strip():
            raise ValueError("a taxonomy term needs an id and a name")
        codes.add(code)
        parent = (row.get("parent_id") or "").strip()
        tables["taxonomy_term"].append(
            {
                "id": ohana_id("term", code),
                "code": code,
                "name": row["name"].strip(),
                "name_es": NEEDS_ES.get(code, ""),
                "description": "",
                "parent_id": ohana_id("term", parent) if parent else None,
                "taxonomy_id": taxonomy_id,
            }
        )

    each("taxonomy.csv", term)
    if tables["taxonomy_term"]:
        tables["taxonomy"].append(
            {
                "id": taxonomy_id,
                "name": TAXONOMY_NAME,
                "description": "The service categories of the Ohana API (Open Eligibility).",
            }
        )

    location_orgs: dict[str, str] = {}

    def language_rows(names: str, **owner: str) -> None:
        for name in _list(names):
            tables["language"].append(
                {
                    "id": ohana_id("language", f"{owner}:{name}"),
                    "name": name,
                    "code": LANGUAGE_CODES.get(name.lower(), ""),
                    **owner,
                }
            )

    def location(row: dict[str, str]) -> None:
        org = ohana_id("organization", row["organization_id"])
        if org not in organizations:
            raise ValueError(f"organization {row['organization_id']} is not in organizations.csv")
        lat, lon = row.get("latitude", "").strip(), row.get("longitude", "").strip()
        virtual = row.get("virtual", "").strip().lower() == "true"
        if not virtual and not (lat and lon):
            raise ValueError("a physical location needs its latitude and longitude")
        location_id = ohana_id("location", row["id"])
        location_orgs[row["id"]] = org
        tables["location"].append(
            {
                "id": location_id,
                "organization_id": org,
                "location_type": "virtual" if virtual else "physical",
                "name": row.get("name", ""),
                "alternate_name": row.get("alternate_name", ""),
                "description": row.get("description", "") or row.get("short_desc", ""),
                "transportation": row.get("transportation", ""),
                "url": _url(row.get("website", "")),
                "latitude": float(lat) if lat else None,
                "longitude": float(lon) if lon else None,
                "accessibility_description": ", ".join(_list(row.get("accessibility", ""))),
            }
        )
        language_rows(row.get("languages", ""), location_id=location_id)

    each("locations.csv", location)

    def address(kind: str) -> Callable[[dict[str, str]], None]:
        def build(row: dict[str, str]) -> None:
            if row["location_id"] not in location_orgs:
                raise ValueError(f"location {row['location_id']} is not in locations.csv")
            missing = [
                k
                for k in ("address_1", "city", "state_province", "postal_code")
                if not row.get(k, "").strip()
            ]
            if missing:
                raise ValueError(f"the address has no {', '.join(missing)}")
            tables["address"].append(
                {
                    "id": ohana_id(f"address:{kind}", row["id"]),
                    "location_id": ohana_id("location", row["location_id"]),
                    "address_type": kind,
                    "attention": row.get("attention", ""),
                    "address_1": row["address_1"].strip(),
                    "address_2": row.get("address_2", ""),
                    "city": row["city"].strip(),
                    "state_province": row["state_province"].strip(),
                    "postal_code": row["postal_code"].strip(),
                    "country": (row.get("country") or "US").strip()[:2].upper(),
                }
            )

        return build

    each("addresses.csv", address("physical"))
    each("mail_addresses.csv", address("postal"))

    known_services: set[str] = set()

    def service(row: dict[str, str]) -> None:
        if row["location_id"] not in location_orgs:
            raise ValueError(f"location {row['location_id']} is not in locations.csv")
        if not row["name"].strip():
            raise ValueError("the service has no name")
        status = row.get("status", "active").strip() or "active"
        if status not in ("active", "inactive", "defunct"):
            raise ValueError(f"unknown status “{status}”")
        service_id = ohana_id("service", row["id"])
        known_services.add(row["id"])
        tables["service"].append(
            {
                "id": service_id,
                "organization_id": location_orgs[row["location_id"]],
                "program_id": ohana_id("program", row["program_id"])
                if row.get("program_id")
                else None,
                "name": row["name"].strip(),
                "alternate_name": row.get("alternate_name", ""),
                "description": row.get("description", ""),
                "url": _url(row.get("website", "")),
                "email": _email(row.get("email", "")),
                "status": status,
                "interpretation_services": row.get("interpretation_services", ""),
                "application_process": row.get("application_process", ""),
                "fees_description": row.get("fees", ""),
                "eligibility_description": row.get("eligibility", ""),
            }
        )
        tables["service_at_location"].append(
            {
                "id": ohana_id("service_at_location", row["id"]),
                "service_id": service_id,
                "location_id": ohana_id("location", row["location_id"]),
            }
        )
        language_rows(row.get("languages", ""), service_id=service_id)
        wanted = [code for code in _list(row.get("taxonomy_ids", "")) if code in codes]
        words = (row.get("keywords", "") + " " + row["name"]).lower()
        wanted += [
            code
            for code, hints in NEED_WORDS.items()
            if code in codes and any(h in words for h in hints)
        ]
        for code in dict.fromkeys(wanted):
            tables["attribute"].append(
                {
                    "id": ohana_id("attribute", f"{row['id']}:{code}"),
                    "link_id": service_id,
                    "taxonomy_term_id": ohana_id("term", code),
                }
            )

    each("services.csv", service)

    def owner(row: dict[str, str]) -> dict[str, str]:
        if row.get("service_id"):
            if row["service_id"] not in known_services:
                raise ValueError(f"service {row['service_id']} is not in services.csv")
            return {"service_id": ohana_id("service", row["service_id"])}
        if row.get("location_id"):
            if row["location_id"] not in location_orgs:
                raise ValueError(f"location {row['location_id']} is not in locations.csv")
            return {"location_id": ohana_id("location", row["location_id"])}
        raise ValueError("the row belongs to no service or location")

    def phone(row: dict[str, str]) -> None:
        if not row.get("number", "").strip():
            raise ValueError("the phone has no number")
        if row.get("organization_id") and not row.get("location_id") and not row.get("service_id"):
            org = ohana_id("organization", row["organization_id"])
            if org not in organizations:
                raise ValueError(
                    f"organization {row['organization_id']} is not in organizations.csv"
                )
            owned = {"organization_id": org}
        elif row.get("contact_id") and not (row.get("location_id") or row.get("service_id")):
            raise ValueError("a named contact's own phone is not kept in the directory")
        else:
            owned = owner(row)
        tables["phone"].append(
            {
                "id": ohana_id("phone", row["id"]),
                "number": row["number"].strip(),
                "extension": row.get("extension", ""),
                "type": row.get("number_type", ""),
                "description": row.get("department", ""),
                **owned,
            }
        )

    each("phones.csv", phone)

    def weekly(row: dict[str, str]) -> None:
        day = WEEKDAYS.get(row["weekday"].strip().lower())
        if day is None:
            raise ValueError(f"“{row['weekday']}” is not a weekday")
        opens, closes = parse_clock(row["opens_at"]), parse_clock(row["closes_at"])
        if closes <= opens:
            raise ValueError(f"closes ({row['closes_at']}) before it opens ({row['opens_at']})")
        tables["schedule"].append(
            {
                "id": ohana_id("schedule", row["id"]),
                "freq": "WEEKLY",
                "byday": day,
                "opens_at": opens.strftime("%H:%M"),
                "closes_at": closes.strftime("%H:%M"),
                **owner(row),
            }
        )

    each("regular_schedules.csv", weekly)

    def holiday(row: dict[str, str]) -> None:
        start, end = parse_date(row["start_date"]), parse_date(row["end_date"])
        if start.year < 1900:
            # Ohana writes year 0001 for “every year”; HSDS 3.0 schedules have no yearly rule.
            raise ValueError("a closure repeated every year (year 0001) has no HSDS 3.0 form")
        if end < start:
            raise ValueError("the closure ends before it starts")
        closed = row.get("closed", "").strip().lower() == "true"
        entry: dict[str, Any] = {
            "id": ohana_id("holiday", row["id"]),
            "valid_from": start.isoformat(),
            "valid_to": end.isoformat(),
            "description": "Closed" if closed else "Holiday hours",
            **owner(row),
        }
        if not closed:
            entry["opens_at"] = parse_clock(row["opens_at"]).strftime("%H:%M")
            entry["closes_at"] = parse_clock(row["closes_at"]).strftime("%H:%M")
        tables["schedule"].append(entry)

    each("holiday_schedules.csv", holiday)
    if (folder / "contacts.csv").exists():
        result.notes.append("contacts.csv: named staff contacts are not copied into the directory")
    return result


def ohana_import(*, actor: Actor, folder: Path) -> OhanaImport:
    result = ohana_rows(folder)
    if not result.rows["organization"]:
        raise ValueError(f"{folder} holds no Ohana organizations.csv with rows")
    directory_load(actor=actor, rows=result.rows, source=f"ohana:{folder.name}")
    return result
