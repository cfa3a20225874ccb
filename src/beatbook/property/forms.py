from __future__ import annotations

from django import forms

from beatbook.core.nibrs import PropertyCategory
from beatbook.property.choices import DisposalMethod, ItemKind
from beatbook.property.models import StorageLocation


class IntakeForm(forms.Form):
    kind = forms.ChoiceField(choices=ItemKind.choices)
    category = forms.ChoiceField(choices=PropertyCategory.choices)
    description = forms.CharField(max_length=500)
    serial_number = forms.CharField(max_length=60, required=False)
    value = forms.DecimalField(max_digits=10, decimal_places=2, required=False, min_value=0)
    address = forms.CharField(max_length=200, required=False, help_text="Where it was found.")
    location = forms.ModelChoiceField(
        queryset=StorageLocation.objects.filter(is_active=True), label="Storage location"
    )
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    to = forms.IntegerField(required=False)
    location = forms.ModelChoiceField(
        queryset=StorageLocation.objects.filter(is_active=True), required=False
    )
    reason = forms.CharField(max_length=500, required=False)
    owner_name = forms.CharField(max_length=150, required=False)
    identity_checked = forms.CharField(max_length=150, required=False)
    method = forms.ChoiceField(choices=[("", "—"), *DisposalMethod.choices], required=False)
