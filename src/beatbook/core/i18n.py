"""Model text in the visitor's language: `<field>_es` when Spanish is active and filled in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """`language` saves a list of a thousand rows from looking it up a thousand times."""
    language = (language or get_language() or "en")[:2]
    if language != "en":
        translated = (
            obj.get(f"{field}_{language}")
            if isinstance(obj, dict)
            else getattr(obj, f"{field}_{language}", "")
        )
        if translated:
            return str(translated)
    return str(obj.get(field, "") if isinstance(obj, dict) else getattr(obj, field, ""))
