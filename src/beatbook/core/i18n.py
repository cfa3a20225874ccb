"""Model text in the visitor's language: `<field>_es` when Spanish is active and filled in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language


def localized(obj: Any, field: str) -> str:
    language = (get_language() or "en")[:2]
    if language != "en":
        translated = (
            obj.get(f"{field}_{language}")
            if isinstance(obj, dict)
            else getattr(obj, f"{field}_{language}", "")
        )
        if translated:
            return str(translated)
    return str(obj.get(field, "") if isinstance(obj, dict) else getattr(obj, field, ""))
