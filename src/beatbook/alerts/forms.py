from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beatbook.alerts.choices import (
    AlertKind,
    Category,
    Certainty,
    PreventionTopic,
    Severity,
    Urgency,
)
from beatbook.places.selectors import beat_choices


class AlertForm(forms.Form):
    kind = forms.ChoiceField(choices=AlertKind.choices)
    category = forms.ChoiceField(choices=Category.choices)
    event = forms.CharField(max_length=100, help_text="What is happening, e.g. “Road closure”.")
    headline = forms.CharField(max_length=160)
    headline_es = forms.CharField(max_length=160, required=False, label="Headline in Spanish")
    description = forms.CharField(widget=forms.Textarea({"rows": 4}))
    description_es = forms.CharField(
        widget=forms.Textarea({"rows": 4}), required=False, label="Description in Spanish"
    )
    instruction = forms.CharField(
        widget=forms.Textarea({"rows": 2}), required=False, help_text="What residents should do."
    )
    instruction_es = forms.CharField(
        widget=forms.Textarea({"rows": 2}), required=False, label="Instruction in Spanish"
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.EXPECTED)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MINOR)
    certainty = forms.ChoiceField(choices=Certainty.choices, initial=Certainty.LIKELY)
    beats = forms.ModelMultipleChoiceField(
        queryset=beat_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for the whole agency.",
    )
    expires_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        label="Expires",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("headline_es") and not data.get("description_es"):
            self.add_error("description_es", "Give the Spanish description with the headline.")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(max_length=300)


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    beats = forms.ModelMultipleChoiceField(
        queryset=beat_choices(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Neighbourhoods (beats)"),
        help_text=_("Leave all unticked to get every alert."),
    )
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot


class ArticleForm(forms.Form):
    topic = forms.ChoiceField(choices=PreventionTopic.choices)
    title = forms.CharField(max_length=150)
    title_es = forms.CharField(max_length=150, required=False, label="Title in Spanish")
    summary = forms.CharField(max_length=300)
    summary_es = forms.CharField(max_length=300, required=False, label="Summary in Spanish")
    body = forms.CharField(widget=forms.Textarea({"rows": 10}), help_text="Plain text.")
    body_es = forms.CharField(
        widget=forms.Textarea({"rows": 10}), required=False, label="Text in Spanish"
    )
    is_published = forms.BooleanField(required=False, label="Published on the portal")
