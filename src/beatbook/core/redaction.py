"""The one redaction step for everything the public sees (portal, Open311, public map)."""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\w)(\+?\d[\d\s().-]{6,}\d)(?!\w)")
REPLACEMENT = "[removed]"


def scrub_text(text: str, *, names: Iterable[str] = ()) -> str:
    """Remove e-mail addresses, phone numbers and the given personal names from free text.

    Public lists scrub a thousand descriptions a page, so: the e-mail pattern (which tries
    every run of word characters) only where there is an "@", and each name as one pattern
    (the whole name first, then its parts: alternatives are tried in that order)."""
    if "@" in text:
        text = EMAIL.sub(REPLACEMENT, text)
    text = PHONE.sub(REPLACEMENT, text)
    for name in names:
        parts = [p for p in dict.fromkeys([name.strip(), *name.split()]) if len(p) >= 3]
        if parts:
            pattern = "|".join(rf"\b{re.escape(part)}\b" for part in parts)
            text = re.sub(pattern, REPLACEMENT, text, flags=re.IGNORECASE)
    return text
