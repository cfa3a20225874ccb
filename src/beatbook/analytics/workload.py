"""Workload and balance: where each CSO's hours went (calls, reports, patrol, the rest of the
shift) and how evenly a team's calls are spread.

An hour is counted once, in this order: on a call (dispatched to cleared), writing a report
(draft opened to submitted, at most BEATBOOK_REPORT_WRITING_CAP_MINUTES), on patrol (started
to ended). "Other" is shift time left over: available, travel, breaks, meetings."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from beatbook.accounts.models import User
from beatbook.analytics import intervals as iv
from beatbook.analytics.scope import Scope
from beatbook.calls.models import Call
from beatbook.core.roles import Role
from beatbook.records.models import IncidentReport
from beatbook.roster.models import PatrolLog, Shift

# A CSO whose share of call time is this far from the team's mean is flagged.
IMBALANCE = 0.25


@dataclass
class Workload:
    user_id: int
    name: str
    team: str
    shifts: int = 0
    shift_hours: float = 0.0
    calls: int = 0
    call_hours: float = 0.0
    reports: int = 0
    report_hours: float = 0.0
    patrols: int = 0
    patrol_hours: float = 0.0
    other_hours: float = 0.0
    off_shift_hours: float = 0.0  # work outside any scheduled shift (overtime, late reports)
    load: float | None = None  # call hours per shift hour
    load_vs_team: float | None = None  # load ÷ the team's mean load

    @property
    def worked_hours(self) -> float:
        return self.call_hours + self.report_hours + self.patrol_hours

    @property
    def calls_per_shift(self) -> float | None:
        return self.calls / self.shifts if self.shifts else None

    @property
    def flag(self) -> str:
        if self.load_vs_team is None:
            return ""
        if self.load_vs_team >= 1 + IMBALANCE:
            return "above team"
        if self.load_vs_team <= 1 - IMBALANCE:
            return "below team"
        return ""


@dataclass
class TeamWorkload:
    name: str
    members: list[Workload] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(m.calls for m in self.members)

    @property
    def call_hours(self) -> float:
        return sum(m.call_hours for m in self.members)

    @property
    def report_hours(self) -> float:
        return sum(m.report_hours for m in self.members)

    @property
    def patrol_hours(self) -> float:
        return sum(m.patrol_hours for m in self.members)

    @property
    def other_hours(self) -> float:
        return sum(m.other_hours for m in self.members)

    @property
    def spread(self) -> float | None:
        """Coefficient of variation of the members' loads: 0 is perfectly even."""
        loads = [m.load for m in self.members if m.load is not None]
        if len(loads) < 2 or not statistics.mean(loads):
            return None
        return statistics.pstdev(loads) / statistics.mean(loads)


def _window(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    start, end = scope.bounds()
    return start, min(end, max(start, timezone.now()))


def workload(scope: Scope) -> list[Workload]:
    """One row per CSO with time in the selection, busiest first by call hours. A beat or call
    type filter narrows calls (and, for beats, patrols and reports) but not shifts, so shift
    and "other" hours are only given for an unfiltered selection."""
    start, end = _window(scope)
    staff = User.objects.filter(role=Role.CSO).select_related("team")
    if scope.team_id:
        staff = staff.filter(team_id=scope.team_id)
    people = {u.pk: u for u in staff}
    overlapping = Q(dispatched_at__lt=end) & (Q(closed_at__gt=start) | Q(closed_at=None))
    calls = Call.objects.filter(overlapping, assigned_unit__user__in=people.keys())
    patrols = PatrolLog.objects.filter(
        Q(started_at__lt=end) & (Q(ended_at__gt=start) | Q(ended_at=None)),
        unit__user__in=people.keys(),
    )
    cap = dt.timedelta(minutes=settings.BEATBOOK_REPORT_WRITING_CAP_MINUTES)
    reports = IncidentReport.objects.filter(
        author__in=people.keys(), created_at__lt=end, created_at__gt=start - cap
    )
    if scope.beat_ids:
        calls = calls.filter(beat_id__in=scope.beat_ids)
        patrols = patrols.filter(beat_id__in=scope.beat_ids)
        reports = reports.filter(beat_id__in=scope.beat_ids)
    if scope.call_type_ids:
        calls = calls.filter(call_type_id__in=scope.call_type_ids)
        patrols, reports = (
            patrols.none(),
            reports.filter(call__call_type_id__in=scope.call_type_ids),
        )
    filtered = bool(scope.beat_ids or scope.call_type_ids)

    now = timezone.now()
    spans: dict[str, dict[int, list[iv.Interval]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for user_id, began, ended in calls.values_list(
        "assigned_unit__user_id", "dispatched_at", "closed_at"
    ):
        if began is None:  # excluded by the filter; here for the type checker
            continue
        spans["call"][user_id].append((began, ended or now))
        counts["call"][user_id] += began >= start
    for user_id, began, ended in patrols.values_list("unit__user_id", "started_at", "ended_at"):
        spans["patrol"][user_id].append((began, ended or now))
        counts["patrol"][user_id] += began >= start
    for user_id, began, submitted in reports.values_list("author_id", "created_at", "submitted_at"):
        spans["report"][user_id].append((began, min(submitted or now, began + cap)))
        counts["report"][user_id] += began >= start
    if not filtered:
        for user_id, began, ended in Shift.objects.filter(
            user__in=people.keys(), starts_at__lt=end, ends_at__gt=start
        ).values_list("user_id", "starts_at", "ends_at"):
            spans["shift"][user_id].append((began, ended))
            counts["shift"][user_id] += 1

    names = Counter(u.get_full_name() or u.username for u in people.values())
    rows = []
    for user_id, user in people.items():
        call = iv.clip(spans["call"][user_id], start, end)
        report = iv.subtract(iv.clip(spans["report"][user_id], start, end), call)
        busy = iv.union(call + report)
        patrol = iv.subtract(iv.clip(spans["patrol"][user_id], start, end), busy)
        worked = iv.union(busy + patrol)
        shift = iv.clip(spans["shift"][user_id], start, end)
        if not (worked or shift):
            continue
        row = Workload(
            user_id=user_id,
            name=_name(user, names),
            team=user.team.name if user.team else "No team",
            shifts=counts["shift"][user_id],
            shift_hours=iv.hours(shift),
            calls=counts["call"][user_id],
            call_hours=iv.hours(call),
            reports=counts["report"][user_id],
            report_hours=iv.hours(report),
            patrols=counts["patrol"][user_id],
            patrol_hours=iv.hours(patrol),
        )
        if not filtered:
            row.other_hours = iv.hours(iv.subtract(shift, worked))
            row.off_shift_hours = iv.hours(iv.subtract(worked, shift))
            row.load = row.call_hours / row.shift_hours if row.shift_hours else None
        rows.append(row)
    for team in teams(rows):
        loads = [m.load for m in team.members if m.load is not None]
        mean = statistics.mean(loads) if loads else 0
        for member in team.members:
            if member.load is not None and mean:
                member.load_vs_team = member.load / mean
    return sorted(rows, key=lambda r: (-r.call_hours, r.name))


def _name(user: User, names: Counter[str]) -> str:
    """The CSO's name, with their username when two share it (a supervisor must tell the two
    Maria Garcías apart, in the table and in the CSV)."""
    name = user.get_full_name() or user.username
    return f"{name} ({user.username})" if names[name] > 1 and name != user.username else name


def teams(rows: list[Workload]) -> list[TeamWorkload]:
    grouped: dict[str, TeamWorkload] = {}
    for row in rows:
        grouped.setdefault(row.team, TeamWorkload(row.team)).members.append(row)
    return sorted(grouped.values(), key=lambda t: t.name)
