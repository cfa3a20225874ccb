from beatbook.core.exceptions import DomainError


class TokenInvalid(DomainError):
    """An API token that is unknown, expired or revoked."""

    code = "token_invalid"
    http_status = 401
