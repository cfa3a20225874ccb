from __future__ import annotations

from django import forms

from beatbook.records.choices import Confidentiality, PersonRole, PropertyCategory, ReportKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
KINDS = [(k, label) for k, label in ReportKind.choices if k != ReportKind.SUPPLEMENT]


class ReportCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=KINDS)
    title = forms.CharField(max_length=200)
    occurred_at = forms.DateTimeField(
        widget=DATETIME, required=False, help_text="Leave empty for now."
    )
    address = forms.CharField(max_length=200, required=False)
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, max_length=20000
    )


class ReportEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    occurred_at = forms.DateTimeField(widget=DATETIME)
    narrative = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}), required=False, max_length=20000
    )


class PersonForm(forms.Form):
    role = forms.ChoiceField(choices=PersonRole.choices)
    name = forms.CharField(max_length=150)
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(max_length=200, required=False)
    description = forms.CharField(max_length=500, required=False)
    is_confidential = forms.BooleanField(
        required=False,
        label="Confidential (kept out of every public output; masked for other staff)",
    )
    confidentiality_reason = forms.ChoiceField(
        choices=[("", "—"), *Confidentiality.choices], required=False
    )


class VehicleForm(forms.Form):
    plate = forms.CharField(max_length=12, required=False)
    plate_state = forms.CharField(max_length=4, required=False)
    make = forms.CharField(max_length=40, required=False)
    model = forms.CharField(max_length=40, required=False)
    colour = forms.CharField(max_length=30, required=False)
    vin = forms.CharField(max_length=17, required=False)
    damage = forms.CharField(max_length=300, required=False)


class PropertyForm(forms.Form):
    category = forms.ChoiceField(choices=PropertyCategory.choices)
    description = forms.CharField(max_length=300)
    serial_number = forms.CharField(max_length=60, required=False)
    value = forms.DecimalField(max_digits=10, decimal_places=2, required=False, min_value=0)


class AttachmentForm(forms.Form):
    attachment = forms.FileField()


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class SupplementForm(forms.Form):
    narrative = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class RemarksForm(forms.Form):
    remarks = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )


class ReportFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any status"),
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("returned", "Returned"),
            ("approved", "Approved"),
        ],
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *ReportKind.choices])
    q = forms.CharField(required=False, max_length=100, label="Search")
