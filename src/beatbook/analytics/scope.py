"""What a dashboard is looking at: a date range, beats (or a team's beats) and call types.
Every figure and every CSV takes the same scope, so what is exported is what is drawn."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from beatbook.accounts.models import Team
from beatbook.calls.models import CallRecord, CallType
from beatbook.places.selectors import beat_choices


@dataclass(frozen=True)
class Scope:
    start: dt.date
    end: dt.date  # inclusive
    beat_ids: tuple[int, ...] = ()
    call_type_ids: tuple[int, ...] = ()
    team_id: int | None = None
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def mondays(self) -> list[dt.date]:
        """The Monday of each week the dates touch, first to last (a week's figures are
        keyed by its Monday, as TruncWeek gives it)."""
        monday = self.start - dt.timedelta(days=self.start.weekday())
        return [monday + dt.timedelta(days=7 * i) for i in range((self.end - monday).days // 7 + 1)]

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end


def week_start(value: dt.date | dt.datetime) -> dt.date:
    """A TruncWeek value as a date: PostgreSQL gives a datetime, SQLite a date."""
    return value.date() if isinstance(value, dt.datetime) else value


class ScopeForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    beat = forms.ModelChoiceField(queryset=beat_choices(), required=False, empty_label="All beats")
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="All teams"
    )
    call_type = forms.ModelChoiceField(
        queryset=CallType.objects.order_by("name"),
        required=False,
        label="Call type",
        empty_label="All call types",
    )

    MAX_DAYS = 3 * 366

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=89)
        if start > end:
            raise forms.ValidationError("The start date is after the end date.")
        if (end - start).days >= self.MAX_DAYS:
            raise forms.ValidationError("Choose at most three years at a time.")
        data["start"], data["end"] = start, end
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        beats: tuple[int, ...] = ()
        labels = {}
        team_id = data["team"].pk if data.get("team") else None
        if data.get("beat"):
            beats, labels["beat"] = (data["beat"].pk,), f"beat {data['beat'].name}"
        elif data.get("team"):
            beats = tuple(data["team"].beats.values_list("pk", flat=True)) or (0,)
            labels["team"] = data["team"].name
        types: tuple[int, ...] = ()
        if data.get("call_type"):
            types, labels["call_type"] = (data["call_type"].pk,), data["call_type"].name
        return Scope(data["start"], data["end"], beats, types, team_id, labels)


class DashboardForm(ScopeForm):
    """The dashboard's selection, and how its hot spots are tested."""

    hot_spot_test = forms.ChoiceField(
        choices=[("", "Normal (z)"), ("permutations", "Permutations")],
        required=False,
        label="Hot-spot test",
    )

    def permutation_test(self) -> bool:
        return self.cleaned_data.get("hot_spot_test") == "permutations"


def records(scope: Scope) -> QuerySet[CallRecord]:
    start, end = scope.bounds()
    qs = CallRecord.objects.filter(received_at__gte=start, received_at__lt=end)
    if scope.beat_ids:
        qs = qs.filter(beat_id__in=scope.beat_ids)
    if scope.call_type_ids:
        qs = qs.filter(call_type_id__in=scope.call_type_ids)
    return qs
