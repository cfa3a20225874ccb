"""The imports page's upload form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from beatbook.calls.importing.uploads import Upload, shipped_mappings


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ImportUploadForm(forms.Form):
    calls = forms.FileField(
        label="Calls file (CSV)",
        help_text="The city's calls-for-service export, as its CAD system writes it.",
    )
    mapping = forms.ChoiceField(
        required=False,
        label="Mapping",
        help_text="How the file's columns and codes read; or upload a mapping file below.",
    )
    mapping_file = forms.FileField(
        required=False,
        label="Or a mapping file (TOML)",
        help_text="For a city not listed: a mapping to start from is linked below.",
    )
    tables = MultipleFileField(
        required=False,
        label="Code tables (CSV)",
        help_text="The files the mapping names under [lookups], e.g. call type descriptions.",
    )
    update = forms.BooleanField(
        required=False,
        label="Update rows imported before",
        help_text="After correcting the mapping: rows already here take this file's values "
        "where they differ. Without it they are left as they are.",
    )

    check_only = forms.BooleanField(
        required=False,
        label="Only check it: import nothing yet",
        help_text="Reads and maps every row and shows what the import would do (rows, rejects, "
        "codes the mapping leaves without a value); import it from there, or correct the "
        "mapping and check again.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping = self.fields["mapping"]
        assert isinstance(mapping, forms.ChoiceField)
        mapping.choices = [("", "—"), *shipped_mappings()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mapping") and data.get("mapping_file"):
            raise forms.ValidationError("Choose a mapping or upload one, not both.")
        if not data.get("mapping") and not data.get("mapping_file"):
            self.add_error("mapping", "Choose a mapping or upload a mapping file.")
        return data

    def upload(self) -> Upload:
        data = self.cleaned_data
        return Upload(
            calls=data["calls"],
            mapping_name=data.get("mapping") or "",
            mapping_file=data.get("mapping_file"),
            tables=tuple(data.get("tables") or ()),
            update=bool(data.get("update")),
            check_only=bool(data.get("check_only")),
        )
