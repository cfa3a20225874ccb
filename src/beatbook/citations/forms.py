from __future__ import annotations

from typing import Any

from django import forms

from beatbook.citations.models import Ordinance


class CitationIssueForm(forms.Form):
    ordinance = forms.ModelChoiceField(queryset=Ordinance.objects.none())
    is_warning = forms.BooleanField(required=False, label="Written warning (no fine)")
    plate = forms.CharField(max_length=12, required=False)
    plate_state = forms.CharField(max_length=4, required=False, initial="WA")
    vehicle_make = forms.CharField(max_length=40, required=False, label="Make")
    vehicle_colour = forms.CharField(max_length=30, required=False, label="Colour")
    person_name = forms.CharField(
        max_length=150, required=False, help_text="For ordinance citations to a person."
    )
    address = forms.CharField(max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    notes = forms.CharField(max_length=500, required=False)
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, ordinances: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ordinance"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ordinances


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500)


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        choices=[("yes", "Uphold"), ("no", "Dismiss")], coerce=lambda v: v == "yes"
    )


class CitationFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            ("issued", "Issued"),
            ("paid", "Paid"),
            ("contested", "Contested"),
            ("upheld", "Upheld"),
            ("dismissed", "Dismissed"),
            ("void", "Void"),
        ],
    )
    kind = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any kind"),
            ("parking", "Parking"),
            ("traffic", "Traffic"),
            ("ordinance", "Ordinance"),
        ],
    )
    plate = forms.CharField(required=False, max_length=12)
    q = forms.CharField(required=False, max_length=100, label="Search")
