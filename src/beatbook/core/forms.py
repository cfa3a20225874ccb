"""Helpers shared by the apps' HTML forms."""

from __future__ import annotations

from django import forms

from beatbook.core.exceptions import DomainError


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: on its field when it names one, else on top."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, exc.message)
