from __future__ import annotations

from typing import Any

from django import forms

from beatbook.calls.choices import CallSource, Disposition, Division
from beatbook.calls.models import CallType


class CallTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CallType) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.code}) · P{obj.priority}"


class LocationFieldsMixin(forms.Form):
    address = forms.CharField(
        max_length=200,
        required=False,
        help_text="Street address, e.g. 1510 Pine St. Or drop a pin.",
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_pin = data.get("lat") is not None and data.get("lon") is not None
        if not has_pin and not (data.get("address") or "").strip():
            raise forms.ValidationError("Give an address or drop a pin on the map.")
        return data


class CallIntakeForm(LocationFieldsMixin):
    call_type = CallTypeChoiceField(queryset=CallType.objects.filter(is_active=True))
    source = forms.ChoiceField(
        choices=[(CallSource.PHONE, "Phone"), (CallSource.WALK_IN, "Walk-in")],
        initial=CallSource.PHONE,
    )
    description = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    caller_name = forms.CharField(max_length=150, required=False)
    caller_phone = forms.CharField(max_length=40, required=False)

    field_order = [
        "call_type",
        "source",
        "description",
        "address",
        "lat",
        "lon",
        "caller_name",
        "caller_phone",
    ]


class FieldCallForm(LocationFieldsMixin):
    call_type = CallTypeChoiceField(queryset=CallType.objects.filter(is_active=True))
    description = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class DispatchForm(forms.Form):
    unit_id = forms.IntegerField()


class ClearForm(forms.Form):
    disposition = forms.ChoiceField(choices=Disposition.choices)
    note = forms.CharField(max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)


class ReferForm(forms.Form):
    division = forms.ChoiceField(choices=Division.choices)
    note = forms.CharField(max_length=500, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    is_public = forms.BooleanField(required=False, label="Show to the resident")


class MergeForm(forms.Form):
    into_id = forms.IntegerField()


class CallFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), ("open", "Open")])
    call_type = forms.CharField(required=False, max_length=16)
    beat = forms.CharField(required=False, max_length=50)
    q = forms.CharField(required=False, max_length=100, label="Search")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
