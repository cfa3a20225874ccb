from __future__ import annotations

from typing import Any

from django import forms

from beatbook.accounts.models import User
from beatbook.casework.choices import (
    CaseStatus,
    ContactPreference,
    DisputeType,
    FollowUpOutcome,
    SessionOutcome,
    VictimStepKind,
)
from beatbook.core.roles import Role
from beatbook.outreach.models import PartnerOrganisation

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MediationCaseForm(forms.Form):
    dispute_type = forms.ChoiceField(choices=DisputeType.choices)
    summary = forms.CharField(widget=forms.Textarea({"rows": 3}), max_length=4000)
    address = forms.CharField(
        max_length=200, help_text="Where the dispute is, e.g. the shared fence."
    )
    mediator = forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=[Role.CSO, Role.SUPERVISOR], is_active=True),
        required=False,
        help_text="A CSO mediates, or choose a partner organisation.",
    )
    partner = forms.ModelChoiceField(
        queryset=PartnerOrganisation.objects.filter(is_active=True), required=False
    )
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)
    referral = forms.IntegerField(required=False, widget=forms.HiddenInput)
    clear_call = forms.BooleanField(
        required=False,
        initial=True,
        label="Clear the call with disposition “Mediation case opened”",
    )


class PartyForm(forms.Form):
    name = forms.CharField(max_length=150, required=False)
    role = forms.CharField(max_length=80, required=False, help_text="e.g. neighbour at 1510")
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    contact_preference = forms.ChoiceField(choices=ContactPreference.choices, label="Reach by")
    language = forms.ChoiceField(choices=[("en", "English"), ("es", "Español")])
    interpreter_needed = forms.BooleanField(required=False)


PartyFormSet = forms.formset_factory(PartyForm, extra=3, max_num=6)


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(widget=WHEN, label="When")
    place = forms.CharField(max_length=200, help_text="e.g. Community Center, room 2")


class SessionOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in SessionOutcome.choices if c[0]])
    notes = forms.CharField(widget=forms.Textarea({"rows": 2}), required=False, max_length=4000)


class AgreementForm(forms.Form):
    agreement_text = forms.CharField(
        widget=forms.Textarea({"rows": 6}), max_length=20000, label="What the parties agreed"
    )


class SignedAgreementForm(forms.Form):
    signed_pdf = forms.FileField(label="Signed agreement (PDF scan)")


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in FollowUpOutcome.choices if c[0]])
    note = forms.CharField(required=False, max_length=2000)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s, CaseStatus(s).label)
            for s in (CaseStatus.NO_AGREEMENT, CaseStatus.DECLINED, CaseStatus.CLOSED)
        ]
    )
    note = forms.CharField(required=False, max_length=500)


class VictimStepForm(forms.Form):
    kind = forms.ChoiceField(choices=VictimStepKind.choices, label="Step")
    detail = forms.CharField(
        max_length=300, required=False, help_text="e.g. which notice, which resource"
    )
    done_on = forms.DateField(widget=DAY, required=False, label="Done on (empty: today)")
    due_on = forms.DateField(widget=DAY, required=False, label="Or due on (follow-ups)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("done_on") and data.get("due_on"):
            self.add_error("due_on", "A step is either done or due, not both.")
        return data


class ReleaseConsentForm(forms.Form):
    scope = forms.CharField(max_length=300, help_text="What may be released, and to whom.")
    until = forms.DateField(widget=DAY, label="Consent valid until")


class AssignForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(
            role__in=[Role.CSO, Role.SUPERVISOR, Role.VICTIM_SERVICES], is_active=True
        )
    )
