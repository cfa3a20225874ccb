"""Program effectiveness: calls at a place in equal windows before and after an intervention
(a mediation, a watch group starting, a new streetlight), against the rest of the city over
the same days, so that a citywide trend or season is not taken for the program's effect.

The rate ratio after/before has a 95 % interval from the Poisson approximation
(log RR ± 1.96·√(1/a + 1/b)); the ratio of the place's ratio to the rest of the city's is the
difference-in-differences on the log scale, with √(1/a + 1/b + 1/c + 1/d).

Whether calls moved next door rather than stopped is read off the place's surroundings (a
ring as wide again around an address, the beats bordering a beat) with Bowers and Johnson's
weighted displacement quotient (J. Quant. Criminol. 19, 2003), the rest of the city less the
surroundings as its control."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import h3
from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from beatbook.calls.models import CallRecord, CallType
from beatbook.core.dates import days_since
from beatbook.outreach.choices import EventStatus
from beatbook.outreach.models import Event, WatchGroup
from beatbook.outreach.selectors import NEARBY_RADIUS_M
from beatbook.places.exceptions import AddressNotFound
from beatbook.places.geometry import cell_polygon
from beatbook.places.selectors import beat_choices, beats_bordering, geocode

EARTH_RADIUS_M = 6_371_008.8
Z95 = 1.959964


@dataclass(frozen=True)
class Place:
    label: str
    beat_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: int = 0
    block_text: str = ""


@dataclass(frozen=True)
class Ratio:
    value: float | None
    low: float | None
    high: float | None

    @property
    def significant(self) -> bool:
        return self.low is not None and self.high is not None and not self.low <= 1 <= self.high


@dataclass(frozen=True)
class Surroundings:
    """The calls around the place, and what they say about displacement."""

    label: str  # "between 150 and 300 m from …", "in the bordering beats B1, C1"
    before: int
    after: int
    rate_ratio: Ratio
    relative_to_rest: Ratio  # against the rest of the city less the place and these
    # Bowers and Johnson's WDQ: above 0 a diffusion of benefits, below 0 displacement; None
    # when the place did not fall against the control (no effect to weigh it against).
    wdq: float | None
    beat_ids: tuple[int, ...] = ()  # the bordering beats, around a beat
    outer_m: int = 0  # the ring's outer radius, around an address

    def outline(self) -> dict[str, Any]:
        """What the map draws of the surroundings: the bordering beats or the ring's outer
        edge, with their counts."""
        return {
            "beats": list(self.beat_ids),
            "outer_m": self.outer_m,
            "text": f"Around the place, {self.label}: {self.before} before · {self.after} after",
        }

    @property
    def reading(self) -> str:
        """What the quotient says, in words."""
        if self.wdq is None:
            return (
                "The place's calls did not fall against the rest of the city's, so there is "
                "no drop there whose displacement could be weighed."
            )
        if self.wdq > 1:
            return "calls fell around the place by more than at it: a diffusion of benefits."
        if self.wdq > 0:
            return "calls fell around the place too: a diffusion of benefits."
        if self.wdq == 0:
            return "no change around the place beyond the city's trend."
        if self.wdq >= -1:
            return "calls rose around the place: some displacement, less than the drop at it."
        return "calls rose around the place by more than they fell at it: displacement."

    @property
    def caution(self) -> str:
        """The quotient has no interval of its own: where the change around the place is
        within the city's trend, say that it is no evidence either way."""
        if self.wdq is None or self.wdq == 0 or self.relative_to_rest.significant:
            return ""
        return (
            "The change around it is not distinguishable from the trend of the rest of the "
            "city (its interval includes 1), so this is not yet evidence of it."
        )


def weighted_displacement_quotient(
    place: tuple[int, int], around: tuple[int, int], control: tuple[int, int]
) -> float | None:
    """(B_a/C_a − B_b/C_b) ÷ (A_a/C_a − A_b/C_b) for (before, after) counts of the place A,
    its surroundings B and the control C; only where A fell against C (the denominator is
    below zero), else there is no effect whose displacement it could measure."""
    (a_b, a_a), (b_b, b_a), (c_b, c_a) = place, around, control
    if not c_b or not c_a:
        return None
    success = a_a / c_a - a_b / c_b
    if success >= 0:
        return None
    return (b_a / c_a - b_b / c_b) / success


@dataclass(frozen=True)
class Comparison:
    place: Place
    date: dt.date
    days: int  # each side; fewer than asked when the date is that recent
    days_asked: int
    before: int
    after: int
    rest_before: int
    rest_after: int
    rate_ratio: Ratio
    rest_ratio: Ratio
    relative_to_rest: Ratio  # the place's ratio ÷ the rest of the city's
    weeks: list[tuple[int, int]]  # (weeks from the date, calls), -n … n-1
    by_type: list[tuple[str, int, int]]  # (type, before, after)
    cells: list[tuple[str, int, int]]  # (H3 cell, before, after), for the map
    unplaced: int  # calls counted by their block alone (no coordinates), not on the map
    around: Surroundings | None  # None for a beat that borders none


def rate_ratio(after: int, before: int) -> Ratio:
    if not after or not before:
        return Ratio(after / before if before else None, None, None)
    log, se = math.log(after / before), math.sqrt(1 / after + 1 / before)
    return Ratio(after / before, math.exp(log - Z95 * se), math.exp(log + Z95 * se))


def ratio_of_ratios(a: int, b: int, c: int, d: int) -> Ratio:
    """(a/b) ÷ (c/d)."""
    if not (a and b and c and d):
        return Ratio(None, None, None)
    log = math.log(a / b) - math.log(c / d)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return Ratio(math.exp(log), math.exp(log - Z95 * se), math.exp(log + Z95 * se))


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def _at_place(qs: QuerySet[CallRecord], place: Place) -> QuerySet[CallRecord]:
    if place.beat_id is not None:
        return qs.filter(beat_id=place.beat_id)
    assert place.lat is not None
    assert place.lon is not None
    dlat = place.radius_m / 111_000
    dlon = dlat / max(math.cos(math.radians(place.lat)), 0.01)
    near = Q(
        lat__gte=place.lat - dlat,
        lat__lte=place.lat + dlat,
        lon__gte=place.lon - dlon,
        lon__lte=place.lon + dlon,
    )
    # Histories without coordinates (San Diego's) still count by their block.
    same_block = Q(lat=None, block_text__iexact=place.block_text) if place.block_text else Q()
    return qs.filter(near | same_block) if place.block_text else qs.filter(near)


def compare(
    place: Place, date: dt.date, days: int, call_type_ids: tuple[int, ...] = ()
) -> Comparison:
    """Calls at the place in the `days` before the date and the `days` from it. Both windows
    stay equal: when fewer days have passed since the date, both shrink to those (counting
    90 days before against the 20 since would read as a drop that is only the calendar)."""
    asked, days = days, max(min(days, days_since(date)), 0)
    tz = timezone.get_current_timezone()
    pivot = dt.datetime.combine(date, dt.time.min, tzinfo=tz)
    start, end = pivot - dt.timedelta(days=days), pivot + dt.timedelta(days=days)
    window = CallRecord.objects.filter(received_at__gte=start, received_at__lt=end)
    if call_type_ids:
        window = window.filter(call_type_id__in=call_type_ids)
    rows = _at_place(window, place).values_list("pk", "received_at", "lat", "lon", "call_type_id")
    site = [
        (at, type_id, lat, lon)
        for _, at, lat, lon, type_id in rows
        if place.beat_id is not None
        or lat is None
        or lon is None
        or metres_between(place.lat or 0, place.lon or 0, lat, lon) <= place.radius_m
    ]
    before = sum(at < pivot for at, *_ in site)
    after = len(site) - before
    all_before, all_after = _counts_either_side(window, pivot)
    rest_before, rest_after = all_before - before, all_after - after
    around = _surroundings(
        place, window, pivot, place_counts=(before, after), rest=(rest_before, rest_after)
    )
    n_weeks = math.ceil(days / 7)
    weekly: Counter[int] = Counter(
        math.floor((at - pivot).total_seconds() / (7 * 86400)) for at, *_ in site
    )
    names = dict(CallType.objects.values_list("pk", "name"))
    types_before = Counter(names.get(t, "Other") for at, t, *_ in site if at < pivot)
    types_after = Counter(names.get(t, "Other") for at, t, *_ in site if at >= pivot)
    by_type = sorted(
        ((name, types_before[name], types_after[name]) for name in types_before | types_after),
        key=lambda r: (-(r[1] + r[2]), r[0]),
    )
    return Comparison(
        place=place,
        date=date,
        days=days,
        days_asked=asked,
        before=before,
        after=after,
        rest_before=rest_before,
        rest_after=rest_after,
        rate_ratio=rate_ratio(after, before),
        rest_ratio=rate_ratio(rest_after, rest_before),
        relative_to_rest=ratio_of_ratios(after, before, rest_after, rest_before),
        weeks=[(w, weekly[w]) for w in range(-n_weeks, n_weeks)],
        by_type=by_type,
        cells=_cells(place, [(at >= pivot, lat, lon) for at, _, lat, lon in site]),
        unplaced=sum(lat is None or lon is None for *_, lat, lon in site),
        around=around,
    )


def _counts_either_side(calls: QuerySet[CallRecord], pivot: dt.datetime) -> tuple[int, int]:
    """The calls before the pivot and from it, in one pass."""
    counts = calls.aggregate(before=Count("pk", filter=Q(received_at__lt=pivot)), total=Count("pk"))
    return counts["before"], counts["total"] - counts["before"]


def _surroundings(
    place: Place,
    window: QuerySet[CallRecord],
    pivot: dt.datetime,
    *,
    place_counts: tuple[int, int],
    rest: tuple[int, int],
) -> Surroundings | None:
    if place.beat_id is not None:
        neighbours = beats_bordering(place.beat_id)
        if not neighbours:
            return None
        label = "in the bordering beats " + ", ".join(b.name for b in neighbours)
        ids = tuple(b.pk for b in neighbours)
        shape: dict[str, Any] = {"beat_ids": ids}
        before, after = _counts_either_side(window.filter(beat_id__in=ids), pivot)
    else:
        assert place.lat is not None
        assert place.lon is not None
        outer = place.radius_m * 2
        label = f"between {place.radius_m} and {outer} m from it"
        shape = {"outer_m": outer}
        ring = Place(label, lat=place.lat, lon=place.lon, radius_m=outer)
        times = [
            at
            for at, lat, lon in _at_place(window, ring).values_list("received_at", "lat", "lon")
            if lat is not None
            and lon is not None
            and place.radius_m < metres_between(place.lat, place.lon, lat, lon) <= outer
        ]
        before = sum(at < pivot for at in times)
        after = len(times) - before
    control = (rest[0] - before, rest[1] - after)
    return Surroundings(
        label=label,
        before=before,
        after=after,
        rate_ratio=rate_ratio(after, before),
        relative_to_rest=ratio_of_ratios(after, before, control[1], control[0]),
        wdq=weighted_displacement_quotient(place_counts, (before, after), control),
        **shape,
    )


def _cells(
    place: Place, calls: list[tuple[bool, float | None, float | None]]
) -> list[tuple[str, int, int]]:
    """Calls before and after per H3 cell: where they fell and whether they moved. A beat is
    drawn in the cells the analytics store (res 9, ~0.1 km²); a radius around an address in
    cells a seventh of that (res 10, ~65 m across), or it would be one or two cells."""
    resolution = 9 if place.beat_id is not None or place.radius_m > 500 else 10
    counts: dict[str, list[int]] = {}
    for after, lat, lon in calls:
        if lat is not None and lon is not None:
            cell = counts.setdefault(h3.latlng_to_cell(lat, lon, resolution), [0, 0])
            cell[after] += 1
    return sorted((cell, before, after) for cell, (before, after) in counts.items())


FEWER = ("#c6dbef", "#6baed6", "#2171b5")  # fewer calls after, light to dark
MORE = ("#fdd0a2", "#fd8d3c", "#d94801")
SAME = "#d9d9d9"


def cells_geojson(cells: list[tuple[str, int, int]]) -> dict[str, Any]:
    """The cells as hexagons shaded by their change: blue where calls fell after the date,
    orange where they rose, darker the larger the change against the largest one."""
    largest = max((abs(after - before) for _, before, after in cells), default=0)
    features = []
    for cell, before, after in cells:
        change = after - before
        level = min(math.ceil(3 * abs(change) / largest) - 1, 2) if change else 0
        colour = SAME if not change else (MORE if change > 0 else FEWER)[level]
        features.append(
            {
                "type": "Feature",
                "geometry": cell_polygon(cell),
                "properties": {"before": before, "after": after, "colour": colour},
            }
        )
    return {"type": "FeatureCollection", "features": features}


class EffectivenessForm(forms.Form):
    # What a link from a mediation case, a watch group or an event leaves out; the form
    # shows the values it uses rather than empty fields.
    DEFAULTS = {"radius": 150, "days": 90}

    beat = forms.ModelChoiceField(
        queryset=beat_choices(), required=False, empty_label="No beat (an address)"
    )
    address = forms.CharField(
        required=False, max_length=200, help_text="Or an address: calls within the radius count."
    )
    radius = forms.IntegerField(
        label="Radius (m)", min_value=25, max_value=2000, initial=150, required=False
    )
    date = forms.DateField(
        label="Intervention date", widget=forms.DateInput(attrs={"type": "date"})
    )
    days = forms.IntegerField(
        label="Days before and after", min_value=7, max_value=365, initial=90, required=False
    )
    call_type = forms.ModelChoiceField(
        queryset=CallType.objects.order_by("name"),
        required=False,
        label="Call type",
        empty_label="All call types",
    )

    def clean_date(self) -> dt.date:
        date: dt.date = self.cleaned_data["date"]
        if days_since(date) < 1:
            raise forms.ValidationError(
                "Choose a day before today: there are no whole days after it to compare yet."
            )
        return date

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        if data is not None:
            data = data.copy()
            for name, value in self.DEFAULTS.items():
                if not data.get(name):
                    data[name] = str(value)
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        beat, address = data.get("beat"), (data.get("address") or "").strip()
        if bool(beat) == bool(address):
            raise forms.ValidationError("Choose a beat or give an address (one of the two).")
        if address:
            try:
                match = geocode(text=address)
            except AddressNotFound as exc:
                self.add_error("address", str(exc))
                return data
            radius = data["radius"]
            data["place"] = Place(
                label=f"within {radius} m of {match.address_text}",
                lat=match.lat,
                lon=match.lon,
                radius_m=radius,
                block_text=match.block_text,
            )
        elif beat is not None:
            data["place"] = Place(label=f"in beat {beat.name}", beat_id=beat.pk)
        return data

    def comparison(self) -> Comparison:
        data = self.cleaned_data
        types = (data["call_type"].pk,) if data.get("call_type") else ()
        return compare(data["place"], data["date"], data["days"], types)


@dataclass(frozen=True)
class Intervention:
    """Something the program started at a place on a date, ready to compare."""

    kind: str
    name: str
    place: str
    date: dt.date
    query: str  # the comparison form's query string


def recent_interventions(*, limit: int = 10) -> list[Intervention]:
    """The program's latest interventions with a place anyone on the analytics pages may see:
    watch groups with a beat, from the day they started, and outreach events held, at their
    public address. Mediation agreements are left out (their address is a resident's; the
    referrals and mediation page compares each one without showing it)."""
    today = timezone.localdate()
    found = [
        Intervention(
            "Watch group started",
            group.name,
            f"beat {group.beat.name}",
            group.started_on,
            urlencode({"beat": group.beat.pk, "date": group.started_on.isoformat()}),
        )
        for group in WatchGroup.objects.filter(beat__isnull=False, started_on__lte=today)
        .select_related("beat")
        .defer("beat__geometry")
        .order_by("-started_on", "-id")[:limit]
        if group.beat is not None
    ]
    for event in (
        Event.objects.filter(starts_at__lte=timezone.now())
        .exclude(status=EventStatus.CANCELLED)
        .order_by("-starts_at", "-id")[:limit]
    ):
        day = timezone.localtime(event.starts_at).date()
        query = {"address": event.address_text, "radius": NEARBY_RADIUS_M, "date": day.isoformat()}
        found.append(Intervention("Event held", event.title, event.venue, day, urlencode(query)))
    return sorted(found, key=lambda i: i.date, reverse=True)[:limit]
