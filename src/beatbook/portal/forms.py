"""The resident's report form, built from the chosen category's questions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beatbook.animals.choices import Sex, Species
from beatbook.calls.choices import QuestionDatatype
from beatbook.calls.models import CallType, CallTypeQuestion
from beatbook.core.i18n import localized
from beatbook.core.nibrs import PropertyCategory

QUESTION_PREFIX = "q_"


def _question_field(question: CallTypeQuestion) -> forms.Field:
    label = localized(question, "description")
    help_text = localized(question, "datatype_description")
    choices = [(v["key"], localized(v, "name")) for v in question.values]
    common: dict[str, Any] = {"label": label, "required": question.required, "help_text": help_text}
    match question.datatype:
        case QuestionDatatype.TEXT:
            return forms.CharField(
                max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
        case QuestionDatatype.NUMBER:
            return forms.DecimalField(max_digits=10, decimal_places=2, **common)
        case QuestionDatatype.DATETIME:
            return forms.DateTimeField(
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
            )
        case QuestionDatatype.SINGLEVALUELIST:
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        case QuestionDatatype.MULTIVALUELIST:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
    return forms.CharField(max_length=200, **common)


class ReportForm(forms.Form):
    """Location, description, contact; the category's questions are added per instance."""

    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Describe what you see. Do not include other people's names."),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_(
            "For example 1510 Pine St. Or place a pin on the map, or use your phone's location."
        ),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    name = forms.CharField(label=_("Your name (optional)"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail for updates (optional)"), required=False)
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)
    # Robots fill every field; people never see this one.
    website = forms.CharField(
        required=False,
        max_length=200,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, call_type: CallType, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call_type = call_type
        self.notices = []
        for question in call_type.questions.all():
            if not question.variable:
                self.notices.append(localized(question, "description"))
                continue
            self.fields[QUESTION_PREFIX + question.code] = _question_field(question)

    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(QUESTION_PREFIX)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_pin = data.get("lat") is not None and data.get("lon") is not None
        if not has_pin and not (data.get("address") or "").strip():
            raise forms.ValidationError(
                _("Tell us where: type an address, place a pin, or use your location.")
            )
        return data

    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if not name.startswith(QUESTION_PREFIX) or value in (None, "", []):
                continue
            code = name[len(QUESTION_PREFIX) :]
            answers[code] = (
                value.isoformat()
                if hasattr(value, "isoformat")
                else (str(value) if not isinstance(value, list) else value)
            )
        return answers


class SupportForm(forms.Form):
    email = forms.EmailField(label=_("E-mail for updates (optional)"), required=False)


class FindMyCsoForm(forms.Form):
    address = forms.CharField(label=_("Your address"), max_length=200)


class LostReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What kind of item?"), choices=[])
    description = forms.CharField(
        label=_("Describe it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Colour, brand, anything inside. Staff use this to recognise it; it is never published."
        ),
    )
    lost_on = forms.DateField(
        label=_("When did you lose it?"), widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(
        label=_("Where, as near as you know (optional)"), max_length=200, required=False
    )
    owner_name = forms.CharField(label=_("Your name"), max_length=150)
    owner_email = forms.EmailField(label=_("E-mail for news (optional)"), required=False)
    owner_phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.value, c.label) for c in PropertyCategory if c.value != "73"]


class LostPetForm(forms.Form):
    species = forms.ChoiceField(
        label=_("What animal?"), choices=[c for c in Species.choices if c[0] != Species.WILDLIFE]
    )
    breed = forms.CharField(label=_("Breed (optional)"), max_length=80, required=False)
    colour = forms.CharField(label=_("Colour"), max_length=80)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    name = forms.CharField(label=_("Its name (optional)"), max_length=60, required=False)
    microchip = forms.CharField(
        label=_("Microchip number (optional)"),
        max_length=20,
        required=False,
        help_text=_("From the vet's or the chip registry's papers. It finds a pet fastest."),
    )
    tag_number = forms.CharField(
        label=_("Licence or tag number (optional)"), max_length=40, required=False
    )
    description = forms.CharField(
        label=_("Anything else that would help us recognise it"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Collar, markings, behaviour. Staff use this; it is never published."),
    )
    lost_on = forms.DateField(
        label=_("When did it go missing?"), widget=forms.DateInput(attrs={"type": "date"})
    )
    address = forms.CharField(
        label=_("Where, as near as you know (optional)"), max_length=200, required=False
    )
    owner_name = forms.CharField(label=_("Your name"), max_length=150)
    owner_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    owner_email = forms.EmailField(label=_("E-mail"), required=False)
