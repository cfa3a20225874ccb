"""Domain errors: each carries a stable `code` and the HTTP status it maps to."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused an operation; the message is meant for the user."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    """The record does not exist, or the viewer may not know that it does."""

    code = "not_found"
    http_status = 404

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


class PermissionDenied(DomainError):
    """The actor's role may not perform this operation."""

    code = "permission_denied"
    http_status = 403


class InvalidTransition(DomainError):
    """A life-cycle step that the record's current state does not allow."""

    code = "invalid_transition"
    http_status = 409


class ValidationFailed(DomainError):
    """Input that is well-formed but breaks a rule (outside the agency's area, unknown type)."""

    code = "validation_failed"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message, code=code)
        self.field = field


def validate(obj: Any) -> None:
    """Run the model's own checks and report a failure as a ValidationFailed for people."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean()
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        first_field, messages = next(iter(fields.items()))
        label = "" if first_field == "__all__" else f"{first_field.replace('_', ' ')}: "
        raise ValidationFailed(
            label + " ".join(messages), field=None if first_field == "__all__" else first_field
        ) from None
