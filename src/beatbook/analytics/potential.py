"""What CSOs could take: every call on record (a city's imported history as well as the
program's own calls), counted by whether its call type lets a CSO respond, with the time
those calls took and when in the week that work falls.

Denver's STAR evaluation had to infer which calls were eligible from CAD nature codes, by
hand (FIELD-SURVEY.md §2 item 15); here an import's mapping to Beatbook's call types already
says it. A call whose source code the mapping left out has no call type and is counted
apart: it is neither eligible nor not.

A type's minutes per call are measured where the record can say, as the mean time from
dispatch to clear over calls that have both (at least MIN_TIMED of them, each at most
MAX_SPAN: longer spans are records left open, not work): first over the program's own calls
of the type, whatever their dates (how long CSOs take is what sizes a program), else over
the selection's calls (the city's units). Otherwise they are the type's "sworn minutes",
the same figure the program's own diversion counts."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, F, Min, Q, Sum
from django.utils import timezone

from beatbook.analytics import charts
from beatbook.analytics.local_time import HOURS_A_WEEK, hour_of_week
from beatbook.analytics.scope import Scope, records
from beatbook.calls.choices import Responder
from beatbook.calls.models import CallRecord, CallType
from beatbook.calls.records import SOURCE as OWN_SOURCE
from beatbook.places.models import Beat

MIN_TIMED = 20
MAX_SPAN = dt.timedelta(hours=8)
SHIFT_HOURS = 8
MEASURED_OWN = "the program's CSOs, dispatch to close"
MEASURED = "dispatch to clear"
SWORN_MINUTES = "sworn minutes"
NO_BEAT = "No beat"


@dataclass(frozen=True)
class TypePotential:
    call_type_id: int
    label: str
    responder: str
    calls: int
    timed: int  # calls with a dispatch and a clear time, at most MAX_SPAN apart
    timed_hours: float  # dispatch to clear, summed over those
    sworn_minutes: int
    own_timed: int = 0  # the same, over the program's own calls of the type, any date
    own_timed_hours: float = 0.0

    @property
    def eligible(self) -> bool:
        return self.responder != Responder.SWORN

    @property
    def minutes_from(self) -> str:
        if self.own_timed >= MIN_TIMED:
            return MEASURED_OWN
        return MEASURED if self.timed >= MIN_TIMED else SWORN_MINUTES

    @property
    def minutes_per_call(self) -> float:
        if self.minutes_from == MEASURED_OWN:
            return self.own_timed_hours * 60 / self.own_timed
        if self.minutes_from == MEASURED:
            return self.timed_hours * 60 / self.timed
        return float(self.sworn_minutes)

    @property
    def hours(self) -> float:
        return self.calls * self.minutes_per_call / 60


@dataclass(frozen=True)
class Potential:
    days: int
    by_type: list[TypePotential]  # mapped types only, the most hours first
    unmapped: int  # calls whose source code has no Beatbook call type
    imported: int  # calls of an imported history (the rest are the program's own)
    busy: list[list[float]]  # 7 × 24: CSOs busy on average, if they took every eligible call
    by_beat: list[tuple[str, float]]  # where: the eligible calls' hours by beat, most first

    @property
    def mapped(self) -> int:
        return sum(t.calls for t in self.by_type)

    @property
    def eligible(self) -> list[TypePotential]:
        return [t for t in self.by_type if t.eligible]

    @property
    def eligible_calls(self) -> int:
        return sum(t.calls for t in self.eligible)

    @property
    def share(self) -> float | None:
        return self.eligible_calls / self.mapped if self.mapped else None

    @property
    def share_of_all(self) -> float | None:
        """Of every call, those the mapping left out included: the least the share can be."""
        every = self.mapped + self.unmapped
        return self.eligible_calls / every if every else None

    @property
    def hours(self) -> float:
        return sum(t.hours for t in self.eligible)

    @property
    def hours_a_week(self) -> float:
        return self.hours * 7 / self.days

    @property
    def shifts_a_week(self) -> float:
        return self.hours_a_week / SHIFT_HOURS

    @property
    def peak(self) -> tuple[int, int, float] | None:
        """The hour of the week with the most CSOs busy: (weekday 0-6, hour, CSOs), the
        first in the week on a tie; None when no call of the selection is a CSO's to take."""
        busiest = max(
            ((d, h, n) for d, row in enumerate(self.busy) for h, n in enumerate(row)),
            key=lambda cell: (cell[2], -cell[0], -cell[1]),
        )
        return busiest if busiest[2] > 0 else None


TIMED = Q(dispatched_at__isnull=False, cleared_at__gte=F("dispatched_at")) & Q(
    cleared_at__lte=F("dispatched_at") + MAX_SPAN
)


def _span_sum() -> Sum:
    return Sum(F("cleared_at") - F("dispatched_at"), filter=TIMED, output_field=DurationField())


def _own_times() -> dict[int, tuple[int, float]]:
    """Per call type: the program's own timed calls, any date, and their hours."""
    rows = (
        CallRecord.objects.filter(TIMED, source=OWN_SOURCE)
        .values("call_type_id")
        .annotate(timed=Count("pk"), span=_span_sum())
        .order_by()
    )
    return {r["call_type_id"]: (r["timed"], r["span"].total_seconds() / 3600) for r in rows}


def hours_spread(minutes: float) -> list[float]:
    """The hours a call of `minutes` keeps a CSO busy in, from a random minute of the hour
    it came in: the expected share of an hour it takes in that hour, the next, and so on
    (40 minutes: 0.44 of the first hour and 0.22 of the next; they add up to 40/60).

    Busy-before-x, averaged over a start uniform in the hour, is (H(x) - H(x - 60)) / 60,
    where H integrates min(max(t, 0), minutes)."""

    def integral(t: float) -> float:
        if t <= 0:
            return 0.0
        if t <= minutes:
            return t * t / 2
        return minutes * minutes / 2 + minutes * (t - minutes)

    def busy_before(x: float) -> float:
        return (integral(x) - integral(x - 60)) / 60

    hours = math.ceil(minutes / 60) + 1
    return [(busy_before(60 * (k + 1)) - busy_before(60 * k)) / 60 for k in range(hours)]


def _weekdays(scope: Scope) -> list[int]:
    """How many Mondays, Tuesdays … the scope's dates hold."""
    counts = [0] * 7
    for offset in range(scope.days):
        counts[(scope.start + dt.timedelta(days=offset)).weekday()] += 1
    return counts


def potential(scope: Scope) -> Potential:
    """Counted in the database by type and hour of the week (a few thousand groups however
    many calls; the types' totals are their hours' sums), then by type and beat."""
    default = settings.BEATBOOK_SWORN_MINUTES_DEFAULT
    cells = list(
        records(scope)
        .annotate(hour=hour_of_week("received_at"))
        .values("call_type_id", "hour")
        .annotate(
            calls=Count("pk"),
            imported=Count("pk", filter=~Q(source=OWN_SOURCE)),
            timed=Count("pk", filter=TIMED),
            span=_span_sum(),
        )
        .order_by()
    )
    own = _own_times()
    calls: Counter[int | None] = Counter()
    timed: Counter[int | None] = Counter()
    timed_hours: defaultdict[int | None, float] = defaultdict(float)
    for cell in cells:
        calls[cell["call_type_id"]] += cell["calls"]
        timed[cell["call_type_id"]] += cell["timed"]
        if cell["span"]:
            timed_hours[cell["call_type_id"]] += cell["span"].total_seconds() / 3600
    types = {t.pk: t for t in CallType.objects.filter(pk__in=[k for k in calls if k])}
    by_type = [
        TypePotential(
            call_type_id=pk,
            label=call_type.name,
            responder=call_type.responder,
            calls=calls[pk],
            timed=timed[pk],
            timed_hours=timed_hours[pk],
            sworn_minutes=default if call_type.sworn_minutes is None else call_type.sworn_minutes,
            own_timed=own.get(pk, (0, 0.0))[0],
            own_timed_hours=own.get(pk, (0, 0.0))[1],
        )
        for pk, call_type in types.items()
    ]
    by_type.sort(key=lambda t: (-t.hours, t.label))
    minutes = {t.call_type_id: t.minutes_per_call for t in by_type if t.eligible}
    weekdays = _weekdays(scope)
    spreads = {pk: hours_spread(m) for pk, m in minutes.items()}
    busy = [[0.0] * 24 for _ in range(7)]
    for cell in cells:
        if cell["call_type_id"] in minutes:
            start = cell["hour"]
            day = start // 24
            for offset, share in enumerate(spreads[cell["call_type_id"]]):
                at = (start + offset) % HOURS_A_WEEK  # Sunday night runs into Monday
                busy[at // 24][at % 24] += cell["calls"] * share / weekdays[day]
    return Potential(
        days=scope.days,
        by_type=by_type,
        unmapped=calls[None],
        imported=sum(cell["imported"] for cell in cells),
        busy=busy,
        by_beat=_hours_by_beat(scope, minutes),
    )


def _hours_by_beat(scope: Scope, minutes: dict[int, float]) -> list[tuple[str, float]]:
    """The hours of the calls a CSO may take, by beat ("No beat" for calls without one)."""
    hours: defaultdict[str, float] = defaultdict(float)
    names = dict(Beat.objects.values_list("pk", "name"))
    rows = (
        records(scope)
        .filter(call_type_id__in=list(minutes))
        .values("beat_id", "call_type_id")
        .annotate(calls=Count("pk"))
        .order_by()
    )
    for row in rows:
        beat = names.get(row["beat_id"], NO_BEAT)
        hours[beat] += row["calls"] * minutes[row["call_type_id"]] / 60
    return sorted(hours.items(), key=lambda item: (-item[1], item[0]))


def imported_history_starts() -> dt.date | None:
    """The first day of the imported history on record, if there is one."""
    first = CallRecord.objects.exclude(source=OWN_SOURCE).aggregate(first=Min("received_at"))
    return timezone.localdate(first["first"]) if first["first"] else None


def potential_figures(could: Potential) -> dict[str, Any]:
    """What the diversion page and the monthly report show of `could`: the figures, their
    wording and the three charts (hours by type and by beat, CSOs busy by hour of the week)."""
    peak = could.peak
    return {
        "potential": could,
        "potential_share_text": charts.percent(could.share, signed=False),
        "potential_share_of_all_text": charts.percent(could.share_of_all, signed=False),
        "potential_peak_text": f"{charts.DAYS[peak[0]]} {peak[1]:02d}:00" if peak else "—",
        "potential_peak_busy": peak[2] if peak else None,
        "shift_hours": SHIFT_HOURS,
        "chart_potential_types": charts.bars(
            [(t.label, round(t.hours, 1)) for t in could.eligible],
            "CSO-hours by type, the calls CSOs may take",
        ),
        "chart_potential_beats": charts.bars(
            [(beat, round(hours, 1)) for beat, hours in could.by_beat],
            "CSO-hours by beat, the calls CSOs may take",
        ),
        "chart_potential_busy": charts.heatmap(
            could.busy, "CSOs busy on average by hour of the week", "CSOs busy", digits=1
        ),
    }
