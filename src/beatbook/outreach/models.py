from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from beatbook.core.models import TimeStampedModel
from beatbook.outreach.choices import (
    KINDS_NEEDING_APPROVAL,
    ConsentMethod,
    EventKind,
    EventStatus,
    MaterialKind,
    RegistrationStatus,
    VettingKind,
    VettingResult,
    VolunteerProgram,
)


def registration_token() -> str:
    return secrets.token_urlsafe(24)


class PartnerOrganisation(TimeStampedModel):
    """A community group, school, business or agency that co-runs events with the program."""

    name = models.CharField(max_length=150, unique=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(TimeStampedModel):
    """A meeting, block party, fair or workshop the CSO program runs or supports."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=150)
    title_es = models.CharField("title (Spanish)", max_length=150, blank=True)
    description = models.TextField(blank=True)
    description_es = models.TextField("description (Spanish)", blank=True)
    venue = models.CharField(max_length=150, help_text="Where people go, e.g. “Garfield Park”.")
    address_text = models.CharField(max_length=200)
    block_text = models.CharField(max_length=200, help_text="What the public sees.")
    lat = models.FloatField()
    lon = models.FloatField()
    beat = models.ForeignKey("places.Beat", on_delete=models.PROTECT, related_name="events")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="events_organised"
    )
    partners = models.ManyToManyField(PartnerOrganisation, blank=True, related_name="events")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats in all; empty means no limit."
    )
    is_public = models.BooleanField(
        default=True, help_text="Public events are on the portal and in the calendar feed."
    )
    registration_open = models.BooleanField(default=True)
    status = models.CharField(
        max_length=12, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    cancel_reason = models.CharField(max_length=300, blank=True)
    # RFC 5545 SEQUENCE: bumped when the time, place or status changes, so calendars update.
    sequence = models.PositiveIntegerField(default=0)
    walk_ins = models.PositiveIntegerField(default=0, help_text="People who came unregistered.")

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["is_public", "starts_at"], name="outreach_event_public")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="outreach_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def needs_approval(self) -> bool:
        return self.kind in KINDS_NEEDING_APPROVAL

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED


class Registration(TimeStampedModel):
    """A resident's sign-up for a public event; for a block party, a permit request."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    party_size = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    note = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=12, choices=RegistrationStatus.choices)
    token = models.CharField(max_length=64, unique=True, default=registration_token)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    feedback_invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party_size__gte=1, party_size__lte=10),
                name="outreach_registration_party_size",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.number} registration {self.pk}"


class MaterialHandout(TimeStampedModel):
    """How many of one kind of material an event handed out."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=20, choices=MaterialKind.choices)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="outreach_material_once")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.get_kind_display()}"


class FollowUp(TimeStampedModel):
    """Something promised at an event: a streetlight to report, a visit to make."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="follow_ups")
    text = models.CharField(max_length=300)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_follow_ups"
    )
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]

    def __str__(self) -> str:
        return self.text


class Volunteer(TimeStampedModel):
    """A resident who gives time to the program: patrols, events, the front desk."""

    name = models.CharField(max_length=150)
    email = models.EmailField(unique=True)
    phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=8, default="en")
    is_active = models.BooleanField(default=True)
    # The volunteer's own pages and shift calendar open with this secret link (no account).
    token = models.CharField(max_length=64, unique=True, default=registration_token)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class VettingCheck(TimeStampedModel):
    """One background check or training a volunteer completed, with its expiry."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(max_length=20, choices=VettingKind.choices)
    result = models.CharField(max_length=10, choices=VettingResult.choices)
    completed_on = models.DateField()
    expires_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True, help_text="Provider's reference.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-expires_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__gt=models.F("completed_on")),
                name="outreach_vetting_expires_after_completion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_result_display()}) to {self.expires_on}"


class VolunteerShift(TimeStampedModel):
    """A slot volunteers sign up for: a patrol of a beat, help at an event, desk hours."""

    program = models.CharField(max_length=20, choices=VolunteerProgram.choices)
    title = models.CharField(max_length=150)
    beat = models.ForeignKey(
        "places.Beat", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="volunteer_shifts"
    )
    meeting_point = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField(default=4)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="volunteer_shifts_led"
    )
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="outreach_shift_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftSignup(TimeStampedModel):
    """A volunteer's place on a shift."""

    shift = models.ForeignKey(VolunteerShift, on_delete=models.PROTECT, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=models.Q(cancelled_at__isnull=True),
                name="outreach_signup_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} on {self.shift}"


class VolunteerPatrolLog(TimeStampedModel):
    """What a volunteer did on a shift: when, the route walked, what they saw."""

    signup = models.OneToOneField(ShiftSignup, on_delete=models.PROTECT, related_name="log")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    route = models.CharField(max_length=500, help_text="Streets walked, in order.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gt=models.F("started_at")),
                name="outreach_patrol_log_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"patrol log {self.pk}"

    @property
    def hours(self) -> float:
        return round((self.ended_at - self.started_at).total_seconds() / 3600, 2)


class PatrolObservation(TimeStampedModel):
    """Something a volunteer saw on patrol; one step turns it into a call for a CSO."""

    log = models.ForeignKey(
        VolunteerPatrolLog, on_delete=models.PROTECT, related_name="observations"
    )
    observed_at = models.DateTimeField()
    text = models.CharField(max_length=1000)
    address = models.CharField(max_length=200, blank=True)
    call = models.OneToOneField(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["observed_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class WatchGroup(TimeStampedModel):
    """A neighbourhood watch: residents of an area who look out for each other with a CSO."""

    name = models.CharField(max_length=150, unique=True)
    beat = models.ForeignKey(
        "places.Beat", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.JSONField(
        null=True, blank=True, help_text="A drawn GeoJSON Polygon, when smaller than a beat."
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="watch_groups"
    )
    started_on = models.DateField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(beat__isnull=False) | models.Q(area__isnull=False),
                name="outreach_watch_group_has_an_area",
            )
        ]

    def __str__(self) -> str:
        return self.name


class WatchMember(TimeStampedModel):
    """A member or captain, with the consent that lets staff keep and use their details."""

    group = models.ForeignKey(WatchGroup, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(max_length=150)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=200, blank=True)
    is_captain = models.BooleanField(default=False)
    consent_at = models.DateTimeField()
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    consent_to_email = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_captain", "name", "id"]

    def __str__(self) -> str:
        return self.name


class WatchMeeting(TimeStampedModel):
    group = models.ForeignKey(WatchGroup, on_delete=models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    attendance = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_at", "id"]

    def __str__(self) -> str:
        return f"{self.group} meeting {self.held_at:%Y-%m-%d}"


class WatchMessage(TimeStampedModel):
    """An email from the CSO to the group's consenting members; the copy is kept."""

    group = models.ForeignKey(WatchGroup, on_delete=models.PROTECT, related_name="messages")
    subject = models.CharField(max_length=150)
    body = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.subject


class Feedback(TimeStampedModel):
    """A resident's short survey after a closed call or an event they registered for."""

    call = models.OneToOneField(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registration = models.OneToOneField(
        Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    beat = models.ForeignKey(
        "places.Beat", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    program = models.CharField(max_length=100, help_text="The call type, or the kind of event.")
    satisfaction = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    trust = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(max_length=1000, blank=True)
    language = models.CharField(max_length=8, default="en")

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(call__isnull=False, registration__isnull=True)
                    | models.Q(call__isnull=True, registration__isnull=False)
                ),
                name="outreach_feedback_about_one_thing",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    satisfaction__gte=1, satisfaction__lte=5, trust__gte=1, trust__lte=5
                ),
                name="outreach_feedback_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"feedback {self.pk}"
