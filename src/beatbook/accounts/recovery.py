"""Recovery codes: 10 characters from a 32-letter alphabet (50 bits), shown once."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 10
CODES_PER_SET = 10


def recovery_code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def recovery_code_normalise(token: str) -> str:
    return "".join(ch for ch in token.upper() if ch.isalnum())


def recovery_code_digest(token: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, recovery_code_normalise(token).encode(), hashlib.sha256).hexdigest()


def looks_like_recovery_code(token: str) -> bool:
    return len(recovery_code_normalise(token)) == CODE_LENGTH and not token.strip().isdigit()
