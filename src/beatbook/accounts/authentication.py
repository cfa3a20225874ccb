"""API authentication: hashed bearer tokens, or a browser session that passed MFA."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from beatbook.accounts.selectors import api_token_user


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] not in (self.keyword, "Bearer"):
            return None
        found = api_token_user(raw=parts[1])
        if found is None:
            raise exceptions.AuthenticationFailed("Token is unknown, expired or revoked.")
        user, token = found
        # Tokens are issued by an administrator to staff who enrolled MFA: they count as verified.
        user.is_verified = lambda: True  # type: ignore[attr-defined]
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """Django session, CSRF enforced; MFA is checked by the permission class."""


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token bb_…`, issued to staff by an administrator.",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = VerifiedSessionAuthentication
    name = "sessionAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "__Host-sessionid",
            "description": "A signed-in browser session that passed the second factor.",
        }
