"""Reads in outreach: staff lists and pages, the public calendar, and the calls near an event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from beatbook.calls.selectors import NearWindow, call_counts_near_many
from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.permissions import actor_role
from beatbook.core.roles import ALL_STAFF_ROLES
from beatbook.outreach.choices import (
    REQUIRED_VETTING,
    RegistrationStatus,
    VettingKind,
    VettingResult,
    VolunteerProgram,
)
from beatbook.outreach.models import (
    Event,
    Feedback,
    Registration,
    ShiftSignup,
    VettingCheck,
    Volunteer,
    VolunteerPatrolLog,
    VolunteerShift,
)

NEARBY_RADIUS_M = 400
NEARBY_DAYS = 30
FEED_PAST_DAYS = 90  # cancelled and past events stay in calendars for a while (RFC 5545 practice)


def _staff_events(viewer: Actor) -> QuerySet[Event]:
    if actor_role(viewer) not in {*ALL_STAFF_ROLES, "system"}:
        return Event.objects.none()
    return Event.objects.select_related("beat", "organiser").defer("beat__geometry")


def event_list(
    *, viewer: Actor, when: str = "upcoming", beat_id: int | None = None, kind: str = ""
) -> QuerySet[Event]:
    events = _staff_events(viewer).annotate(
        seats=Sum(
            "registrations__party_size",
            filter=Q(registrations__status__in=RegistrationStatus.holding_seats()),
        )
    )
    now = timezone.now()
    if when == "upcoming":
        events = events.filter(ends_at__gte=now)
    elif when == "past":
        events = events.filter(ends_at__lt=now).order_by("-starts_at")
    if beat_id:
        events = events.filter(beat_id=beat_id)
    if kind:
        events = events.filter(kind=kind)
    return events


def event_get(*, viewer: Actor, event_id: int) -> Event:
    event = _staff_events(viewer).filter(pk=event_id).first()
    if event is None:
        raise NotFound("No such event.")
    return event


@dataclass(frozen=True)
class EventSummary:
    seats_taken: int
    seats_left: int | None
    registrations: list[Registration]
    attended: int  # checked-in people (party sizes) plus walk-ins


def event_summary(event: Event) -> EventSummary:
    registrations = list(event.registrations.select_related("decided_by"))
    taken = sum(
        r.party_size for r in registrations if r.status in RegistrationStatus.holding_seats()
    )
    attended = sum(r.party_size for r in registrations if r.attended_at) + event.walk_ins
    left = None if event.capacity is None else max(event.capacity - taken, 0)
    return EventSummary(taken, left, registrations, attended)


@dataclass(frozen=True)
class CallsAround:
    """Calls near an event, `days` before it and as many after it (0 until a whole day has
    passed since it ended: then only the `before_days` before it are counted)."""

    radius_m: int
    days: int
    before_days: int
    before: dict[str, int]
    after: dict[str, int]
    full_days: int  # what each side grows to
    full_on: dt.datetime  # when both sides hold full_days

    @property
    def complete(self) -> bool:
        return self.days == self.full_days

    @property
    def comparable(self) -> bool:
        return self.days > 0

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        names = sorted(set(self.before) | set(self.after))
        rows = [(name, self.before.get(name, 0), self.after.get(name, 0)) for name in names]
        return sorted(rows, key=lambda row: (-(row[1] + row[2]), row[0]))

    @property
    def total_before(self) -> int:
        return sum(self.before.values())

    @property
    def total_after(self) -> int:
        return sum(self.after.values())


def event_calls_around(event: Event) -> CallsAround:
    """Calls within 400 m in the 30 days before the event and the 30 days after it.

    While those 30 days run, both sides count as many whole days as have passed since the
    event ended (12 days after against 30 before would read the calendar as a drop)."""
    elapsed = (timezone.now() - event.ends_at).days  # whole days; negative before it ends
    days = min(max(elapsed, 0), NEARBY_DAYS)
    before_days = days or NEARBY_DAYS
    around = {"lat": event.lat, "lon": event.lon, "radius_m": NEARBY_RADIUS_M}
    windows = [
        NearWindow(
            **around, start=event.starts_at - dt.timedelta(days=before_days), end=event.starts_at
        )
    ]
    if days:
        windows.append(
            NearWindow(**around, start=event.ends_at, end=event.ends_at + dt.timedelta(days=days))
        )
    before, *after = call_counts_near_many(windows)
    return CallsAround(
        radius_m=NEARBY_RADIUS_M,
        days=days,
        before_days=before_days,
        before=before,
        after=after[0] if after else {},
        full_days=NEARBY_DAYS,
        full_on=event.ends_at + dt.timedelta(days=NEARBY_DAYS),
    )


# --- public -------------------------------------------------------------------------------


def public_events(*, beat_id: int | None = None, kind: str = "") -> QuerySet[Event]:
    """What the portal calendar lists: public events from today on, cancelled ones marked."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    events = (
        Event.objects.filter(is_public=True, ends_at__gte=today)
        .select_related("beat")
        .defer("beat__geometry")
    )
    if beat_id:
        events = events.filter(beat_id=beat_id)
    if kind:
        events = events.filter(kind=kind)
    return events.prefetch_related("partners")


def public_event_get(*, number: str) -> Event:
    event = Event.objects.filter(is_public=True, number=number).select_related("beat").first()
    if event is None:
        raise NotFound("No such event.")
    return event


def public_seats_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    taken = event.registrations.filter(status__in=RegistrationStatus.holding_seats()).aggregate(
        n=Sum("party_size")
    )["n"]
    return max(event.capacity - (taken or 0), 0)


def calendar_events(*, beat_id: int | None = None) -> QuerySet[Event]:
    """The iCalendar feed: public events from 90 days ago on, including cancelled ones."""
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    events = (
        Event.objects.filter(is_public=True, ends_at__gte=since)
        .select_related("beat", "organiser")
        .defer("beat__geometry")
    )
    if beat_id:
        events = events.filter(beat_id=beat_id)
    return events.prefetch_related("partners")


def registration_by_token(*, token: str) -> Registration:
    registration = Registration.objects.filter(token=token).select_related("event").first()
    if registration is None:
        raise NotFound("This link is not valid.")
    return registration


# --- volunteers ---------------------------------------------------------------------------


def vetting_gaps(
    volunteer: Volunteer,
    program: str,
    *,
    on: dt.date,
    checks: list[VettingCheck] | None = None,
) -> list[str]:
    """What the volunteer lacks for `program` on day `on`: each required check must have
    passed and still be valid that day. Empty means vetted. Pass the volunteer's `checks`
    when asking about many shifts, so they are read once."""
    if checks is None:
        checks = list(volunteer.checks.filter(result=VettingResult.PASSED))
    valid = {
        c.kind
        for c in checks
        if c.result == VettingResult.PASSED and c.completed_on <= on <= c.expires_on
    }
    return [
        gettext("%(check)s missing or expired") % {"check": str(VettingKind(kind).label).lower()}
        for kind in REQUIRED_VETTING[VolunteerProgram(program)]
        if kind not in valid
    ]


@dataclass(frozen=True)
class VolunteerStanding:
    volunteer: Volunteer
    vetted_for: list[str]  # program labels the volunteer may sign up for today
    expiring: list[VettingCheck]  # passed checks that run out within 30 days


def volunteer_standings(*, viewer: Actor) -> list[VolunteerStanding]:
    if actor_role(viewer) not in {*ALL_STAFF_ROLES, "system"}:
        return []
    today = timezone.localdate()
    soon = today + dt.timedelta(days=30)
    standings = []
    for volunteer in Volunteer.objects.prefetch_related("checks"):
        checks = [c for c in volunteer.checks.all() if c.result == VettingResult.PASSED]
        vetted = [
            str(VolunteerProgram(p).label)
            for p in REQUIRED_VETTING
            if not vetting_gaps(volunteer, p, on=today, checks=checks)
        ]
        expiring = [c for c in checks if today <= c.expires_on <= soon]
        standings.append(VolunteerStanding(volunteer, vetted, expiring))
    return standings


def volunteer_get(*, viewer: Actor, volunteer_id: int) -> Volunteer:
    volunteer = None
    if actor_role(viewer) in {*ALL_STAFF_ROLES, "system"}:
        volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFound("No such volunteer.")
    return volunteer


def volunteer_by_token(*, token: str) -> Volunteer:
    volunteer = Volunteer.objects.filter(token=token, is_active=True).first()
    if volunteer is None:
        raise NotFound("This link is not valid.")
    return volunteer


def shifts_upcoming() -> QuerySet[VolunteerShift]:
    return (
        VolunteerShift.objects.filter(ends_at__gte=timezone.now(), is_cancelled=False)
        .select_related("beat", "leader", "event")
        .defer("beat__geometry")
        .annotate(taken=Count("signups", filter=Q(signups__cancelled_at__isnull=True)))
    )


def signups_for(volunteer: Volunteer) -> QuerySet[ShiftSignup]:
    return (
        volunteer.signups.filter(cancelled_at__isnull=True)
        .select_related("shift", "shift__beat")
        .defer("shift__beat__geometry")
        .prefetch_related("log__observations")
        .order_by("-shift__starts_at")
    )


@dataclass(frozen=True)
class HoursRow:
    volunteer: str
    program: str
    shifts: int
    hours: float


def volunteer_hours(*, start: dt.date, end: dt.date) -> list[HoursRow]:
    """Logged hours per volunteer and program for shifts starting in [start, end]."""
    totals: dict[tuple[str, str], list[float]] = {}
    logs = VolunteerPatrolLog.objects.filter(
        signup__shift__starts_at__date__gte=start, signup__shift__starts_at__date__lte=end
    ).select_related("signup__volunteer", "signup__shift")
    for log in logs:
        key = (log.signup.volunteer.name, str(VolunteerProgram(log.signup.shift.program).label))
        totals.setdefault(key, []).append(log.hours)
    return [
        HoursRow(name, program, len(hours), round(sum(hours), 2))
        for (name, program), hours in sorted(totals.items())
    ]


def feedback_given(*, call_id: int = 0, registration_id: int = 0) -> bool:
    """Whether the survey for this call (or this registration) was already answered."""
    if call_id:
        return Feedback.objects.filter(call_id=call_id).exists()
    return Feedback.objects.filter(registration_id=registration_id).exists()
