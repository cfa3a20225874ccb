"""Ranking the available units for a call: one query for the roster, one numpy pass to score.

The score is the distance in km (25 when the position is unknown) plus 2 per active call
and 0.2 per call today, less 0.5 when the unit's team covers the call's beat; ties go to
the call sign, so the ranking is the same on every run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from beatbook.accounts.models import Team
from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call
from beatbook.core.geo import EARTH_RADIUS_M
from beatbook.roster.choices import UnitStatus
from beatbook.roster.models import Shift, Unit

UNKNOWN_POSITION_KM = 25.0
PER_ACTIVE_CALL = 2.0
PER_CALL_TODAY = 0.2
COVERING_TEAM_BONUS = 0.5


@dataclass(frozen=True)
class Roster:
    """The on-duty, available units as parallel arrays, sorted by call sign."""

    pk: np.ndarray
    call_sign: list[str]
    name: list[str]
    lat: np.ndarray  # radians; NaN where the position is unknown
    lon: np.ndarray
    active: np.ndarray
    today: np.ndarray
    covers: np.ndarray  # bool: the unit's team covers the call's beat

    def __len__(self) -> int:
        return len(self.call_sign)


@dataclass(frozen=True)
class Ranking:
    order: np.ndarray  # indices into the roster, best first
    score: np.ndarray
    distance_m: np.ndarray  # NaN where the position is unknown


def _calls_per_unit(condition: Q) -> Coalesce:
    counted = (
        Call.objects.filter(condition, assigned_unit=OuterRef("pk"))
        .order_by()
        .values("assigned_unit")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def available_roster(*, beat_id: int, at: dt.datetime | None = None) -> Roster:
    """Every available unit whose user is on shift now, with its load, in one query."""
    now = at or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    on_shift = Shift.objects.filter(user=OuterRef("user"), starts_at__lte=now, ends_at__gt=now)
    covering = Team.beats.through.objects.filter(team=OuterRef("user__team"), beat_id=beat_id)
    rows = sorted(
        Unit.objects.filter(Exists(on_shift), status=UnitStatus.AVAILABLE, user__is_active=True)
        .annotate(
            active=_calls_per_unit(Q(status__in=CallStatus.active_values())),
            today=_calls_per_unit(Q(dispatched_at__gte=start_of_day)),
            covers=Exists(covering),
        )
        .order_by()  # sorted here, by Python's string order, which the tie-break relies on
        .values_list(
            "call_sign",
            "pk",
            "user__first_name",
            "user__last_name",
            "lat",
            "lon",
            "active",
            "today",
            "covers",
        )
    )
    nan = float("nan")
    return Roster(
        pk=np.array([r[1] for r in rows], dtype=np.int64),
        call_sign=[r[0] for r in rows],
        name=[f"{r[2]} {r[3]}".strip() for r in rows],
        lat=np.radians(np.array([nan if r[4] is None else r[4] for r in rows], dtype=float)),
        lon=np.radians(np.array([nan if r[5] is None else r[5] for r in rows], dtype=float)),
        active=np.array([r[6] for r in rows], dtype=np.int64),
        today=np.array([r[7] for r in rows], dtype=np.int64),
        covers=np.array([r[8] for r in rows], dtype=bool),
    )


def rank_units(roster: Roster, *, lat: float, lon: float, limit: int) -> Ranking:
    """The best `limit` units for a call at (lat, lon) in degrees."""
    phi, lmb = np.radians(lat), np.radians(lon)
    half_chord = (
        np.sin((roster.lat - phi) / 2) ** 2
        + np.cos(phi) * np.cos(roster.lat) * np.sin((roster.lon - lmb) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(half_chord))
    km = np.where(np.isnan(distance), UNKNOWN_POSITION_KM, distance / 1000)
    score = np.round(
        km
        + PER_ACTIVE_CALL * roster.active
        + PER_CALL_TODAY * roster.today
        - COVERING_TEAM_BONUS * roster.covers,
        2,
    )
    # The roster is sorted by call sign, so a stable sort breaks ties by call sign.
    order = np.argsort(score, kind="stable")[:limit]
    return Ranking(order=order, score=score, distance_m=distance)
