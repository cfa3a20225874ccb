"""The one redaction step for everything the public sees (portal, Open311, public map)."""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\w)(\+?\d[\d\s().-]{6,}\d)(?!\w)")
REPLACEMENT = "[removed]"


def scrub_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Remove e-mail addresses, phone numbers and the given personal names from free text."""
    text = EMAIL.sub(REPLACEMENT, text)
    text = PHONE.sub(REPLACEMENT, text)
    for name in names:
        # The whole name first, then its parts (a list, not a set: order matters).
        for part in dict.fromkeys([name.strip(), *name.split()]):
            if len(part) >= 3:
                text = re.sub(rf"\b{re.escape(part)}\b", REPLACEMENT, text, flags=re.IGNORECASE)
    return text
