from django import forms

from beatbook.roster.choices import UnitStatus


class PositionForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90)
    lon = forms.FloatField(min_value=-180, max_value=180)


class OptionalPositionForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    lon = forms.FloatField(min_value=-180, max_value=180, required=False)


class UnitStatusForm(forms.Form):
    status = forms.ChoiceField(choices=UnitStatus.choices)


class PatrolStartForm(forms.Form):
    beat = forms.CharField(max_length=50)


class PatrolEndForm(forms.Form):
    notes = forms.CharField(max_length=4000, required=False)


class CheckpointForm(OptionalPositionForm):
    label = forms.CharField(max_length=120)
    note = forms.CharField(max_length=2000, required=False)
