from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beatbook.resources.choices import (
    REFERRAL_TRANSITIONS,
    ConsentMethod,
    ConsentScope,
    ContactMethod,
    ReferralStatus,
    ServiceStatus,
)
from beatbook.resources.models import Service, TaxonomyTerm
from beatbook.resources.selectors import language_choices, need_label, needs


class ServiceSearchForm(forms.Form):
    """What residents and CSOs search by; every field is optional."""

    need = forms.ChoiceField(label=_("What do you need?"), required=False)
    near = forms.CharField(
        label=_("Near (street address)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    within_km = forms.ChoiceField(
        label=_("Within"),
        required=False,
        choices=[
            ("", _("any distance")),
            ("2", "2 km"),
            ("5", "5 km"),
            ("10", "10 km"),
            ("25", "25 km"),
        ],
    )
    language = forms.ChoiceField(label=_("Language spoken"), required=False)
    age = forms.IntegerField(
        label=_("Age of the person"), required=False, min_value=0, max_value=120
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    words = forms.CharField(label=_("Words"), required=False, max_length=100)

    def __init__(self, *args: Any, language_code: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.need_terms = {str(t.pk): t for t in needs()}
        need_choices = [("", _("Anything"))] + [
            (key, need_label(term, language_code)) for key, term in self.need_terms.items()
        ]
        self.fields["need"].choices = need_choices  # type: ignore[attr-defined]
        language_field = self.fields["language"]
        language_field.choices = [("", _("Any")), *language_choices()]  # type: ignore[attr-defined]

    def need_term(self) -> TaxonomyTerm | None:
        return self.need_terms.get(self.cleaned_data.get("need") or "")


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(status="active"), widget=forms.HiddenInput
    )
    need = forms.ModelChoiceField(queryset=TaxonomyTerm.objects.filter(parent__isnull=True))
    resident_name = forms.CharField(max_length=150, label="Resident's name")
    resident_phone = forms.CharField(max_length=40, required=False, label="Phone")
    resident_email = forms.EmailField(required=False, label="Email")
    resident_language = forms.ChoiceField(
        choices=[("en", "English"), ("es", "Español")], label="Language"
    )
    consent_scopes = forms.MultipleChoiceField(
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="The resident agreed to",
    )
    consent_method = forms.ChoiceField(choices=ConsentMethod.choices, label="Consent given")
    contact_method = forms.ChoiceField(
        choices=ContactMethod.choices, label="How the provider is contacted"
    )
    note = forms.CharField(
        widget=forms.Textarea({"rows": 3}),
        required=False,
        max_length=4000,
        help_text="Shared with the provider only if the resident agreed to share what happened.",
    )
    call = forms.IntegerField(required=False, widget=forms.HiddenInput)
    report = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReferralStatusForm(forms.Form):
    """The next steps the referral's current status allows."""

    status = forms.ChoiceField(choices=[])
    note = forms.CharField(max_length=1000, required=False)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = REFERRAL_TRANSITIONS.get(current, frozenset())
        choices = [(v, label) for v, label in ReferralStatus.choices if v in allowed]
        self.fields["status"].choices = choices  # type: ignore[attr-defined]


class DirectoryImportForm(forms.Form):
    file = forms.FileField(help_text="An HSDS 3.0 JSON document, or a zipped tabular data package.")


class ServiceEditForm(forms.Form):
    """A coordinator's form for one directory entry (HSDS fields, in plain words)."""

    name = forms.CharField(max_length=250)
    organization_name = forms.CharField(max_length=250, label="Organisation")
    status = forms.ChoiceField(choices=ServiceStatus.choices)
    needs = forms.ModelMultipleChoiceField(
        queryset=TaxonomyTerm.objects.filter(parent__isnull=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    description = forms.CharField(widget=forms.Textarea({"rows": 3}), required=False)
    eligibility_description = forms.CharField(label="Who can use it", required=False)
    minimum_age = forms.IntegerField(required=False, min_value=0, max_value=120)
    maximum_age = forms.IntegerField(required=False, min_value=0, max_value=120)
    fees_description = forms.CharField(label="Cost", required=False)
    application_process = forms.CharField(label="How to get it", required=False)
    address = forms.CharField(
        max_length=200, required=False, help_text="A street address in the agency's area."
    )
    phones = forms.CharField(required=False, help_text="Separate several with commas.")
    hours = forms.CharField(
        required=False, help_text="e.g. “Mon-Fri 09:00-17:00; Sat 10:00-14:00”."
    )
    languages = forms.CharField(required=False, help_text="e.g. “English, Spanish, Somali”.")
    url = forms.URLField(required=False, label="Website", assume_scheme="https")
    email = forms.EmailField(required=False)
    alert = forms.CharField(required=False, help_text="A short notice, e.g. “Closed for repairs”.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", "The maximum age is below the minimum.")
        return data
