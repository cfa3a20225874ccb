from __future__ import annotations

from django import forms

from beatbook.animals.choices import (
    CaseKind,
    Outcome,
    QuarantinePlace,
    QuarantineResult,
    Sex,
    Species,
    Vaccination,
)
from beatbook.animals.models import Shelter

_CLOSE_OUTCOMES = [
    (v, label)
    for v, label in Outcome.choices
    if v not in (Outcome.RETURNED_TO_OWNER, Outcome.RETURNED_IN_FIELD)
]


class CaseOpenForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "From the call type"), *CaseKind.choices], required=False
    )
    summary = forms.CharField(max_length=1000, required=False, widget=forms.Textarea({"rows": 2}))
    address = forms.CharField(max_length=200, required=False, help_text="When there is no call.")
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AnimalForm(forms.Form):
    species = forms.ChoiceField(choices=Species.choices)
    breed = forms.CharField(max_length=80, required=False)
    colour = forms.CharField(max_length=80, required=False)
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.UNKNOWN)
    name = forms.CharField(max_length=60, required=False, label="Name (from tag or owner)")
    markings = forms.CharField(max_length=300, required=False)
    tag_number = forms.CharField(max_length=40, required=False, label="Tag or licence")
    microchip = forms.CharField(max_length=20, required=False)
    vaccination = forms.ChoiceField(choices=Vaccination.choices, initial=Vaccination.UNKNOWN)
    vaccination_expires = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class OwnerForm(forms.Form):
    name = forms.CharField(max_length=150)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(max_length=200, required=False)
    language = forms.ChoiceField(choices=[("en", "English"), ("es", "Español")], initial="en")


class StepForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)
    shelter = forms.ModelChoiceField(
        queryset=Shelter.objects.filter(is_active=True), required=False
    )
    shelter_reference = forms.CharField(max_length=40, required=False)
    identity_checked = forms.CharField(max_length=150, required=False)
    by_phone_note = forms.CharField(max_length=500, required=False)
    outcome = forms.ChoiceField(choices=[("", "—"), *_CLOSE_OUTCOMES], required=False)
    result = forms.ChoiceField(
        choices=[c for c in QuarantineResult.choices if c[0]], required=False
    )


class BiteForm(forms.Form):
    victim_name = forms.CharField(max_length=150)
    victim_phone = forms.CharField(max_length=40, required=False)
    victim_is_minor = forms.BooleanField(required=False, label="Victim is under 18")
    bitten_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    body_part = forms.CharField(max_length=80, label="Where on the body")
    skin_broken = forms.BooleanField(required=False, initial=True)
    medical_care = forms.BooleanField(required=False, label="Sought medical care")
    vaccination = forms.ChoiceField(choices=Vaccination.choices, label="Animal's rabies status")
    certificate = forms.CharField(max_length=60, required=False, label="Vaccination certificate")
    quarantine_place = forms.ChoiceField(choices=QuarantinePlace.choices)
    quarantine_days = forms.IntegerField(min_value=1, max_value=180, required=False)
