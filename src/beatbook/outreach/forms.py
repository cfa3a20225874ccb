from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beatbook.accounts.models import User
from beatbook.outreach.choices import EventKind, MaterialKind
from beatbook.outreach.models import PartnerOrganisation
from beatbook.outreach.services import ORGANISERS

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.Form):
    kind = forms.ChoiceField(choices=EventKind.choices)
    title = forms.CharField(max_length=150)
    title_es = forms.CharField(max_length=150, required=False, label="Title in Spanish")
    description = forms.CharField(widget=forms.Textarea({"rows": 4}), required=False)
    description_es = forms.CharField(
        widget=forms.Textarea({"rows": 4}), required=False, label="Description in Spanish"
    )
    venue = forms.CharField(max_length=150, help_text="The place people look for, e.g. a park.")
    address = forms.CharField(max_length=200, help_text="A street address in the agency's area.")
    starts_at = forms.DateTimeField(widget=WHEN, label="Starts")
    ends_at = forms.DateTimeField(widget=WHEN, label="Ends")
    capacity = forms.IntegerField(
        min_value=1, required=False, help_text="Seats in all; leave empty for no limit."
    )
    is_public = forms.BooleanField(
        required=False, initial=True, label="Public (on the portal and in the calendar feed)"
    )
    registration_open = forms.BooleanField(
        required=False, initial=True, label="Residents can register"
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=PartnerOrganisation.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The event must end after it starts.")
        return data


class EventCancelForm(forms.Form):
    reason = forms.CharField(max_length=300)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("yes", "Approve"), ("no", "Decline")], coerce=lambda v: v == "yes"
    )
    note = forms.CharField(max_length=300, required=False)


class WalkInsForm(forms.Form):
    walk_ins = forms.IntegerField(min_value=0, max_value=100_000)


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(choices=MaterialKind.choices)
    quantity = forms.IntegerField(min_value=0, max_value=1_000_000)


class FollowUpForm(forms.Form):
    text = forms.CharField(max_length=300)
    assigned_to = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=ORGANISERS).order_by(
            "last_name", "first_name"
        )
    )
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class RegistrationForm(forms.Form):
    """The portal's sign-up form."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=_("Email"), help_text=_("We send your confirmation here. It is never shown.")
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    party_size = forms.IntegerField(
        label=_("How many people, you included"), min_value=1, max_value=10, initial=1
    )
    note = forms.CharField(
        label=_("Anything the organisers should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot
