"""Reads on calls: scoping by role and team, the board, duplicates and recommendations."""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call, CallPhoto, CallRecord, CallType, CallTypeQuestion
from beatbook.calls.ranking import available_roster, rank_units
from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.geo import (
    EARTH_RADIUS_M,
    flat_distance_limit,
    flat_distance_params,
    flat_distance_sql,
)
from beatbook.core.history import history_for
from beatbook.core.live import live_version
from beatbook.core.models import AuditEntry
from beatbook.core.permissions import actor_role
from beatbook.core.reference import ReferenceCopy
from beatbook.core.roles import READ_ALL_ROLES, Role
from beatbook.core.sql import columns, db_datetime, fetch_instances, plan_cached, table
from beatbook.places.geometry import cells_covering
from beatbook.roster.models import EmergencyAlarm, Shift, Unit

CALL_RELATED = (
    "call_type",
    "beat",
    "assigned_unit",
    "assigned_unit__user",
    "possible_duplicate_of",
    "merged_into",
)


def call_scope(*, viewer: Actor) -> QuerySet[Call]:
    """The one place where who-may-see-which-call is written."""
    calls: QuerySet[Call] = Call.objects.all()
    role = actor_role(viewer)
    if role == "system" or role in READ_ALL_ROLES:
        return calls
    if role == Role.CSO:
        mine = Q(assigned_unit__user=viewer) | Q(created_by=viewer)
        team_id = getattr(viewer, "team_id", None)
        if team_id:
            mine |= Q(beat__teams__id=team_id)
        return calls.filter(mine).distinct()
    return calls.none()


@dataclass(frozen=True)
class CallFilters:
    status: list[str] = field(default_factory=list)
    call_type: str = ""
    beat: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    open_only: bool = False
    text: str = ""


def call_list(*, viewer: Actor, filters: CallFilters | None = None) -> QuerySet[Call]:
    calls = call_scope(viewer=viewer).select_related(*CALL_RELATED)
    f = filters or CallFilters()
    if f.status:
        calls = calls.filter(status__in=f.status)
    if f.open_only:
        calls = calls.filter(status__in=CallStatus.open_values())
    if f.call_type:
        calls = calls.filter(call_type__code=f.call_type)
    if f.beat:
        calls = calls.filter(beat__name=f.beat)
    if f.since:
        calls = calls.filter(received_at__gte=f.since)
    if f.until:
        calls = calls.filter(received_at__lt=f.until)
    if f.text:
        calls = calls.filter(
            Q(number__icontains=f.text)
            | Q(description__icontains=f.text)
            | Q(address_text__icontains=f.text)
        )
    return calls


def call_get(*, viewer: Actor, call_id: int) -> Call:
    call = call_scope(viewer=viewer).select_related(*CALL_RELATED).filter(pk=call_id).first()
    if call is None:
        raise NotFound("No such call.")
    return call


def call_get_optional(*, viewer: Actor, call_id: object) -> Call | None:
    """The call a page was opened from (`?call=…`), or None when the id is missing, malformed
    or names a call the viewer may not see."""
    if not call_id or not str(call_id).isdigit():
        return None
    return (
        call_scope(viewer=viewer).select_related(*CALL_RELATED).filter(pk=int(str(call_id))).first()
    )


def call_get_by_number(*, viewer: Actor, number: str) -> Call:
    call = call_scope(viewer=viewer).select_related(*CALL_RELATED).filter(number=number).first()
    if call is None:
        raise NotFound("No such call.")
    return call


def call_history(*, call: Call) -> QuerySet[AuditEntry]:
    return history_for(call)


def call_type_list(*, active_only: bool = True) -> QuerySet[CallType]:
    types = CallType.objects.all()
    return types.filter(is_active=True) if active_only else types


def _call_types_load() -> dict[str, CallType]:
    return {t.code: t for t in CallType.objects.prefetch_related("questions")}


# Every intake reads its type and the type's questions (core/reference.py says why a copy).
CALL_TYPES = ReferenceCopy(_call_types_load, models=(CallType, CallTypeQuestion))


def call_type_by_code(code: str) -> CallType | None:
    """The call type with `code`, its questions loaded, active or not."""
    return CALL_TYPES.get().get(code)


def public_call_type_by_code(code: str) -> CallType | None:
    """The active call type with `code` that residents may report, or None."""
    call_type = call_type_by_code(code)
    return call_type if call_type and call_type.is_public and call_type.is_active else None


def call_type_get(*, code: str) -> CallType:
    call_type = call_type_by_code(code)
    if call_type is None or not call_type.is_active:
        raise NotFound(f"No active call type {code!r}.")
    return call_type


_DUPLICATE_FIELDS = ("id", "number")  # what the link and its history entry name


@functools.cache
def _duplicate_sql() -> str:
    # Hand-written: it runs on every intake (see core.sql). The partial index
    # calls_call_open_type_time holds only open calls of a type in order of arrival: the
    # database walks the last hour's from the oldest and stops at the first one near enough,
    # so a pile of reports of one party costs no more than a single one. The statuses are
    # written into the text (our own constants) so that the planner can match the index's
    # condition even with a generic plan of a prepared statement.
    marks = ", ".join(f"'{status}'" for status in CallStatus.open_values())
    return plan_cached(
        f"SELECT {columns(Call, _DUPLICATE_FIELDS)} FROM {table(Call)} "  # noqa: S608
        f"WHERE status IN ({marks}) AND call_type_id = %s AND received_at >= %s AND id <> %s "
        f"AND {flat_distance_sql('lat', 'lon')} <= %s ORDER BY received_at LIMIT 1"
    )


def _duplicate_params(call: Call) -> list[Any]:
    minutes = settings.BEATBOOK_CALLS_DUPLICATE_MINUTES
    return [
        call.call_type_id,
        db_datetime(call.received_at - dt.timedelta(minutes=minutes)),
        call.pk or 0,  # ids start at 1
        *flat_distance_params(call.lat, call.lon),
        flat_distance_limit(settings.BEATBOOK_CALLS_DUPLICATE_METERS),
    ]


def call_possible_duplicate(*, call: Call) -> Call | None:
    """The first report still open of the same type within the configured distance and time.

    The first, not the nearest: every repeat of one incident points at the report it repeats
    (a star the dispatcher merges in one place), never along a chain of repeats."""
    found = fetch_instances(Call, _DUPLICATE_FIELDS, _duplicate_sql(), _duplicate_params(call))
    return found[0] if found else None


@dataclass(frozen=True)
class Recommendation:
    unit_id: int
    call_sign: str
    name: str
    score: float
    distance_m: float | None
    active_calls: int
    calls_today: int
    reasons: list[str]


def unit_recommendations(*, call: Call, limit: int = 5) -> list[Recommendation]:
    """On-duty, available CSOs ranked by distance and workload, each with its reasons.

    One query loads the roster with each unit's load; numpy scores it (calls/ranking.py).
    """
    if not call.call_type.cso_may_respond or call.needs_escalation:
        return []
    roster = available_roster(beat_id=call.beat_id)
    ranking = rank_units(roster, lat=call.lat, lon=call.lon, limit=limit)
    ranked = []
    for i in ranking.order.tolist():
        metres = float(ranking.distance_m[i])
        distance = None if math.isnan(metres) else metres
        active, today = int(roster.active[i]), int(roster.today[i])
        reasons = [
            f"{distance / 1000:.1f} km away" if distance is not None else "position unknown",
            "no active calls" if active == 0 else f"{active} active call(s)",
            f"{today} call(s) today",
        ]
        if roster.covers[i]:
            reasons.append(f"team covers beat {call.beat.name}")
        ranked.append(
            Recommendation(
                unit_id=int(roster.pk[i]),
                call_sign=roster.call_sign[i],
                name=roster.name[i],
                score=float(ranking.score[i]),
                distance_m=distance,
                active_calls=active,
                calls_today=today,
                reasons=reasons,
            )
        )
    return ranked


# What the board (calls/_board_body.html) and its map read of a call. Whole rows, with the
# call each might duplicate and the unit's user joined in full, took four fifths of a
# render (~90 of ~110 ms with 100 units and 300 open calls; under B8 it renders every
# second). A test renders the board and fails if a field read here is missing (it would
# cost a query a row).
BOARD_RELATED = ("call_type", "beat", "assigned_unit", "possible_duplicate_of")
BOARD_FIELDS = (
    "number",
    "status",
    "priority",
    "needs_escalation",
    "triage_reasons",
    "address_text",
    "lat",
    "lon",
    "received_at",
    "on_scene_at",
    "closed_at",
    "updated_at",
    "call_type__name",
    "call_type__target_minutes",
    "beat__name",
    "assigned_unit__call_sign",
    "possible_duplicate_of__number",
)

# The units' side of the board and its map: a hundred units with their whole user rows and
# a grouped shift count made ~7 ms of a ~23 ms snapshot (B8).
BOARD_UNIT_FIELDS = (
    "call_sign",
    "status",
    "lat",
    "lon",
    "user__first_name",
    "user__last_name",
    "user__team__name",
)


@dataclass(frozen=True)
class BoardSnapshot:
    flagged: list[Call]
    queue: list[Call]
    active: list[Call]
    units: list[Any]
    alarms: list[EmergencyAlarm]
    now: dt.datetime
    flagged_total: int = 0
    queue_total: int = 0
    latest_change: dt.datetime | None = None


def board_snapshot(*, limit: int | None = None) -> BoardSnapshot:
    """Everything the dispatch board shows, in a fixed number of queries.

    Flagged and queued calls are capped at the `limit` most urgent (priority, then age), with
    their totals: a board of hundreds of rows is unreadable, costs ~0.5 ms a row to render on
    every poll, and sends hundreds of kilobytes to each dispatcher every few seconds."""
    limit = limit or settings.BEATBOOK_BOARD_LIST_LIMIT
    open_calls = (
        Call.objects.open()
        .select_related(*BOARD_RELATED)
        .only(*BOARD_FIELDS)
        .order_by("priority", "received_at")
    )
    flagged = list(open_calls.filter(needs_escalation=True)[:limit])
    queue = list(open_calls.filter(status=CallStatus.QUEUED, needs_escalation=False)[:limit])
    active = list(open_calls.filter(status__in=CallStatus.active_values()))
    totals = Call.objects.open().aggregate(
        flagged=Count("id", filter=Q(needs_escalation=True)),
        queued=Count("id", filter=Q(status=CallStatus.QUEUED, needs_escalation=False)),
        latest=Max("updated_at"),
    )
    now = timezone.now()
    on_shift = Shift.objects.filter(user=OuterRef("user_id"), starts_at__lte=now, ends_at__gt=now)
    units = list(
        Unit.objects.select_related("user", "user__team")
        .only(*BOARD_UNIT_FIELDS)
        .annotate(on_duty=Exists(on_shift))
    )
    current: dict[int, Call] = {}
    for call in active:
        if call.assigned_unit_id:
            current.setdefault(call.assigned_unit_id, call)
    for unit in units:
        unit.current_call = current.get(unit.pk)  # type: ignore[attr-defined]
    alarms = list(
        EmergencyAlarm.objects.filter(acknowledged_at__isnull=True).select_related(
            "unit", "unit__user"
        )
    )
    return BoardSnapshot(
        flagged=flagged,
        queue=queue,
        active=active,
        units=units,
        alarms=alarms,
        now=now,
        flagged_total=totals["flagged"],
        queue_total=totals["queued"],
        latest_change=totals["latest"],
    )


def board_map_points(snapshot: BoardSnapshot) -> dict[str, Any]:
    calls = [*snapshot.flagged, *snapshot.queue, *snapshot.active]
    return {
        "calls": [
            {
                "id": c.pk,
                "number": c.number,
                "lat": c.lat,
                "lon": c.lon,
                "status": c.status,
                "type": c.call_type.name,
                "priority": c.priority,
                "flagged": c.needs_escalation,
            }
            for c in calls
        ],
        "units": [
            {"id": u.pk, "call_sign": u.call_sign, "lat": u.lat, "lon": u.lon, "status": u.status}
            for u in snapshot.units
            if u.lat is not None
        ],
        "alarms": [
            {"id": a.pk, "call_sign": a.unit.call_sign, "lat": a.lat, "lon": a.lon}
            for a in snapshot.alarms
        ],
    }


@dataclass(frozen=True)
class FieldView:
    unit: Unit | None
    current: Call | None
    assigned: list[Call]
    nearby_queue: list[Call]


def field_view(*, user: Actor) -> FieldView:
    """What a CSO's phone shows: the call being worked, the ones waiting for them."""
    unit = Unit.objects.filter(user=user).first()  # type: ignore[misc]
    if unit is None:
        return FieldView(None, None, [], [])
    mine = list(
        Call.objects.active()
        .filter(assigned_unit=unit)
        .select_related(*CALL_RELATED)
        .order_by("priority", "dispatched_at")
    )
    # The call being worked is current; new assignments wait in the polled list below it,
    # so they reach the phone without a reload.
    working = [c for c in mine if c.status in (CallStatus.EN_ROUTE, CallStatus.ON_SCENE)]
    current = working[0] if working else None
    assigned = [c for c in mine if c != current]
    team_id = getattr(user, "team_id", None)
    nearby = (
        Call.objects.filter(
            status=CallStatus.QUEUED, needs_escalation=False, beat__teams__id=team_id
        )
        .select_related(*CALL_RELATED)
        .order_by("priority", "received_at")[:10]
        if team_id
        else []
    )
    return FieldView(unit, current, assigned, list(nearby))


def call_answers_display(*, call: Call) -> list[tuple[str, str]]:
    """The answers to the call type's questions as (question, answer) text for staff."""
    questions = {q.code: q for q in call.call_type.questions.all()}
    shown = []
    for code, value in call.answers.items():
        question = questions.get(code)
        labels = {v["key"]: v["name"] for v in question.values} if question else {}
        values = value if isinstance(value, list) else [value]
        shown.append(
            (
                question.description if question else code,
                ", ".join(str(labels.get(v, v)) for v in values),
            )
        )
    return shown


@dataclass(frozen=True)
class BoardState:
    version: str
    alarms: int  # unacknowledged emergency alarms


def board_state() -> BoardState:
    """A digest of everything the board shows, from four small aggregates instead of the
    rows: polls that find it unchanged cost no snapshot, and renders are shared by version.
    One statement for the four (every poll of every dispatcher runs it), and the alarm count
    spares the alarm query when there are none."""
    statuses = CallStatus.open_values()
    marks = ", ".join(["%s"] * len(statuses))
    call, unit, shift, alarm = (m._meta.db_table for m in (Call, Unit, Shift, EmergencyAlarm))
    # Table names from the models, values as parameters.
    each = "SELECT {}, COUNT(*), CAST(MAX({}) AS TEXT) FROM {}"
    sql = " UNION ALL ".join(
        [
            each.format(1, "updated_at", call) + f" WHERE status IN ({marks})",
            each.format(2, "updated_at", unit),
            each.format(3, "updated_at", shift),
            each.format(4, "id", alarm) + " WHERE acknowledged_at IS NULL",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, statuses)
        rows = sorted(cursor.fetchall())
    parts = [f"{kind}{n}:{latest}" for (_, n, latest), kind in zip(rows, "cusa", strict=True)]
    version = live_version([*parts, settings.BEATBOOK_BOARD_LIST_LIMIT])
    return BoardState(version=version, alarms=rows[3][1])


def board_state_version() -> str:
    return board_state().version


def unacknowledged_alarms() -> list[EmergencyAlarm]:
    return list(
        EmergencyAlarm.objects.filter(acknowledged_at__isnull=True).select_related(
            "unit", "unit__user"
        )
    )


def field_version(view: FieldView) -> str:
    return live_version(
        [
            view.unit.status if view.unit else "",
            *(
                f"c{c.pk}:{c.status}:{c.updated_at.timestamp()}"
                for c in [*view.assigned, *view.nearby_queue]
            ),
        ]
    )


def call_photo_get(*, viewer: Actor, call_id: int, photo_id: int) -> CallPhoto:
    call = call_get(viewer=viewer, call_id=call_id)
    photo = CallPhoto.objects.filter(call=call, pk=photo_id).first()
    if photo is None:
        raise NotFound("No such photo.")
    return photo


@dataclass(frozen=True)
class NearWindow:
    """Calls within `radius_m` of a point received in [start, end)."""

    lat: float
    lon: float
    radius_m: float
    start: dt.datetime
    end: dt.datetime


# (window, cell) pairs per statement, of twelve parameters each (SQLite may allow fewer).
_PAIRS_PER_QUERY = 1000


@functools.cache
def _counts_near_sql(pairs: int) -> str:
    """Calls by window and label, for `pairs` rows of (window, cell, its point in radians, the
    cosine of its latitude, the haversine term its radius allows, its dates, its box).

    The rows come by their stored cell and date (the index on both); the box drops most of
    a cell's rows before the sphere is measured, and the haversine term is compared instead
    of the distance (the same test as `distance_m` without its arcsine)."""
    record = table(CallRecord)
    marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * pairs)

    def sin_squared(delta: str) -> str:
        return f"SIN(({delta}) / 2) * SIN(({delta}) / 2)"

    phi, lam = "RADIANS(r.lat)", "RADIANS(r.lon)"
    match = (
        "r.h3_cell = w.cell AND r.received_at >= w.start_at AND r.received_at < w.end_at "
        "AND r.lat BETWEEN w.lat_lo AND w.lat_hi AND r.lon BETWEEN w.lon_lo AND w.lon_hi"
    )
    # PostgreSQL would rather read the whole table once and hash the windows against it;
    # LATERAL with OFFSET 0 (which it cannot flatten) makes it walk the index once per window
    # and cell, as SQLite does by itself (and SQLite has no LATERAL).
    if connection.vendor == "postgresql":
        source = (
            "w CROSS JOIN LATERAL (SELECT r.lat, r.lon, r.call_type_id, "  # noqa: S608
            f"r.original_description FROM {record} r WHERE {match} OFFSET 0) AS r"
        )
    else:
        source = f"w JOIN {record} r ON {match}"
    # By type id (named in Python: joining the types cost more than the count); the source's
    # own words only where it has no type.
    return (
        "WITH w(i, cell, phi, lam, cos_phi, a_max, start_at, end_at, "  # noqa: S608
        f"lat_lo, lat_hi, lon_lo, lon_hi) AS (VALUES {marks}) "
        "SELECT w.i, r.call_type_id, "
        "CASE WHEN r.call_type_id IS NULL THEN r.original_description END, COUNT(*) "
        f"FROM {source} WHERE {sin_squared(f'{phi} - w.phi')} + w.cos_phi * COS({phi}) "
        f"* {sin_squared(f'{lam} - w.lam')} <= w.a_max GROUP BY 1, 2, 3"
    )


def _window_box(window: NearWindow) -> tuple[float, float, float, float]:
    """Degrees that hold every point within the window's radius, with a margin: on the
    sphere a point δ away differs by at most δ in latitude and asin(sin δ / cos φ) in
    longitude."""
    delta = window.radius_m / EARTH_RADIUS_M
    dlat = math.degrees(delta) * 1.01 + 1e-9
    cos_phi = math.cos(math.radians(window.lat))
    near_pole = math.sin(delta) >= cos_phi * 0.99
    dlon = 360.0 if near_pole else math.degrees(math.asin(math.sin(delta) / cos_phi)) * 1.01 + 1e-9
    return window.lat - dlat, window.lat + dlat, window.lon - dlon, window.lon + dlon


def call_counts_near_many(windows: list[NearWindow]) -> list[dict[str, int]]:
    """For each window, its calls by call type, most first (analytics history, so imported
    years count as well as Beatbook's own closed calls).

    Counted by the database, in one statement for up to a thousand (window, cell) pairs: a
    page of 60 agreements asked two queries each and measured every row in Python, which
    over a city's history took it past two seconds. Rows have a cell whenever they have a
    point (imports and closed calls both store it)."""
    pairs = []
    for i, window in enumerate(windows):
        phi, lam = math.radians(window.lat), math.radians(window.lon)
        a_max = math.sin(window.radius_m / EARTH_RADIUS_M / 2) ** 2
        same = [
            phi,
            lam,
            math.cos(phi),
            a_max,
            db_datetime(window.start),
            db_datetime(window.end),
            *_window_box(window),
        ]
        pairs += [
            [i, cell, *same]
            for cell in sorted(cells_covering(window.lat, window.lon, window.radius_m))
        ]
    counts: list[dict[str, int]] = [{} for _ in windows]
    names: dict[int, str] = {}
    with connection.cursor() as cursor:
        size = min(_PAIRS_PER_QUERY, (connection.features.max_query_params or 12_000) // 12)
        for offset in range(0, len(pairs), size):
            batch = pairs[offset : offset + size]
            cursor.execute(_counts_near_sql(len(batch)), [v for pair in batch for v in pair])
            found = cursor.fetchall()
            if not names and any(type_id for _, type_id, _, _ in found):
                names = dict(CallType.objects.values_list("pk", "name"))
            for i, type_id, original, n in found:
                label = names.get(type_id, "") or original or "Other"
                counts[i][label] = counts[i].get(label, 0) + n
    return [dict(sorted(c.items(), key=lambda item: (-item[1], item[0]))) for c in counts]


def call_counts_near(
    *, lat: float, lon: float, radius_m: float, start: dt.datetime, end: dt.datetime
) -> dict[str, int]:
    """Calls received within `radius_m` of a point in [start, end), by call type."""
    return call_counts_near_many([NearWindow(lat, lon, radius_m, start, end)])[0]
