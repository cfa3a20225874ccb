"""Password rules beyond Django's: refuse the agency's own words (R04)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError


class ContextWordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        words = [w.lower() for w in settings.BEATBOOK_CONTEXT_WORDS]
        words += [w.lower() for w in settings.BEATBOOK_AGENCY_NAME.split() if len(w) > 3]
        lowered = password.lower()
        for word in words:
            if word and word in lowered and len(password) - len(word) < 8:
                raise ValidationError(
                    f"Passwords built around “{word}” are easy to guess; choose another.",
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return "Your password cannot be built around the agency's or program's name."
