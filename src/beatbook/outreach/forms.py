from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beatbook.accounts.models import User
from beatbook.calls.models import CallType
from beatbook.core.i18n import localized
from beatbook.outreach.choices import (
    ConsentMethod,
    EventKind,
    MaterialKind,
    VettingKind,
    VettingResult,
    VolunteerProgram,
)
from beatbook.outreach.models import PartnerOrganisation
from beatbook.outreach.services import ORGANISERS
from beatbook.places.selectors import beat_choices

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


class VolunteerForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField()
    phone = forms.CharField(max_length=40, required=False)
    language = forms.ChoiceField(choices=[("en", "English"), ("es", "Spanish")])


class VettingForm(forms.Form):
    kind = forms.ChoiceField(choices=VettingKind.choices)
    result = forms.ChoiceField(choices=VettingResult.choices)
    completed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=100, required=False)


class ShiftForm(forms.Form):
    program = forms.ChoiceField(choices=VolunteerProgram.choices)
    title = forms.CharField(max_length=150)
    beat = forms.ModelChoiceField(queryset=beat_choices(), required=False)
    meeting_point = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(widget=WHEN, label="Starts")
    ends_at = forms.DateTimeField(widget=WHEN, label="Ends")
    capacity = forms.IntegerField(min_value=1, max_value=50, initial=4)
    leader = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=ORGANISERS).order_by(
            "last_name", "first_name"
        )
    )


class WatchGroupForm(forms.Form):
    name = forms.CharField(max_length=150)
    beat = forms.ModelChoiceField(
        queryset=beat_choices(),
        required=False,
        help_text="The whole beat, or draw a smaller area on the map.",
    )
    area = forms.JSONField(required=False, widget=forms.HiddenInput)
    liaison = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role__in=ORGANISERS).order_by(
            "last_name", "first_name"
        ),
        label="CSO liaison",
    )
    started_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class WatchMemberForm(forms.Form):
    name = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    address = forms.CharField(max_length=200, required=False)
    is_captain = forms.BooleanField(required=False, label="Captain")
    consent_method = forms.ChoiceField(
        choices=[("", "— how did they consent? —"), *ConsentMethod.choices],
        label="Consent to keep their details",
    )
    consent_to_email = forms.BooleanField(required=False, label="Agreed to receive emails")


class WatchMeetingForm(forms.Form):
    held_at = forms.DateTimeField(widget=WHEN, label="When")
    place = forms.CharField(max_length=200)
    attendance = forms.IntegerField(min_value=0, max_value=10_000)
    notes = forms.CharField(widget=forms.Textarea({"rows": 3}), required=False)


class WatchMessageForm(forms.Form):
    subject = forms.CharField(max_length=150)
    body = forms.CharField(widget=forms.Textarea({"rows": 5}), label="Message")


class PatrolLogForm(forms.Form):
    started_at = forms.DateTimeField(widget=WHEN, label=_("Started"))
    ended_at = forms.DateTimeField(widget=WHEN, label=_("Ended"))
    route = forms.CharField(max_length=500, label=_("Streets you walked"))
    notes = forms.CharField(widget=forms.Textarea({"rows": 2}), required=False, label=_("Notes"))


class CallTypeChoiceField(forms.ModelChoiceField):
    """Call types by their name in the visitor's language, as the portal shows them."""

    def label_from_instance(self, obj: CallType) -> str:  # type: ignore[override]
        return localized(obj, "name")


class ObservationForm(forms.Form):
    text = forms.CharField(
        max_length=1000, label=_("What you saw"), widget=forms.Textarea({"rows": 2})
    )
    address = forms.CharField(max_length=200, required=False, label=_("Where (address)"))
    report_as = CallTypeChoiceField(
        queryset=CallType.objects.filter(is_public=True, is_active=True).order_by("name"),
        required=False,
        label=_("Send to dispatch as"),
        empty_label=_("— just note it —"),
    )


SCALE = [(n, str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        label=_("How satisfied are you with how this was handled? (1 = not at all, 5 = very)"),
    )
    trust = forms.TypedChoiceField(
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        label=_(
            "How much do you trust our community service officers? (1 = not at all, 5 = fully)"
        ),
    )
    comment = forms.CharField(
        label=_("Anything else? (optional; please leave out names and phone numbers)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
