from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    MEETING = "meeting", _("Neighbourhood meeting")
    BLOCK_PARTY = "block_party", _("Block party")
    SAFETY_FAIR = "safety_fair", _("Safety fair")
    WORKSHOP = "workshop", _("Workshop")
    NATIONAL_NIGHT_OUT = "national_night_out", _("National Night Out")
    YOUTH_ACTIVITY = "youth_activity", _("Youth activity")


def event_feedback_program(kind: str) -> str:
    """The program an event's feedback counts under. Analytics groups answers by this label,
    so it is in the agency's language whatever language the resident answered in, or a
    Spanish answer would start a program of its own."""
    with translation.override(settings.LANGUAGE_CODE):
        return f"Event: {EventKind(kind).label}"


# A block party closes a street: each sign-up is a permit request that staff decide on.
KINDS_NEEDING_APPROVAL = frozenset({EventKind.BLOCK_PARTY})


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PENDING = "pending", _("Waiting for staff approval")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def holding_seats(cls) -> list[str]:
        """Pending requests hold their seats, so approving one never overfills the event."""
        return [cls.CONFIRMED, cls.PENDING]


class MaterialKind(models.TextChoices):
    FLYER = "flyer", "Flyers and brochures"
    HOME_SECURITY_KIT = "home_security_kit", "Home security kits (timers, locks)"
    BIKE_LOCK = "bike_lock", "Bicycle locks"
    PROPERTY_ID_KIT = "property_id_kit", "Property marking / ID kits"
    SAFETY_LIGHT = "safety_light", "Reflectors and safety lights"
    CHILD_ID_KIT = "child_id_kit", "Child ID kits"
    OTHER = "other", "Other"


class VolunteerProgram(models.TextChoices):
    CITIZEN_PATROL = "citizen_patrol", _("Citizen patrol")
    EVENT_SUPPORT = "event_support", _("Event support")
    OFFICE = "office", _("Office and phones")


class VettingKind(models.TextChoices):
    BACKGROUND_CHECK = "background_check", _("Background check")
    ORIENTATION = "orientation", _("Orientation")
    PATROL_TRAINING = "patrol_training", _("Patrol training (observe and report)")
    FIRST_AID = "first_aid", _("First aid / CPR")


class VettingResult(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    PENDING = "pending", "Pending"


# What a volunteer must hold, passed and unexpired on the day of the shift, per program.
REQUIRED_VETTING = {
    VolunteerProgram.CITIZEN_PATROL: (
        VettingKind.BACKGROUND_CHECK,
        VettingKind.ORIENTATION,
        VettingKind.PATROL_TRAINING,
    ),
    VolunteerProgram.EVENT_SUPPORT: (VettingKind.BACKGROUND_CHECK, VettingKind.ORIENTATION),
    VolunteerProgram.OFFICE: (VettingKind.BACKGROUND_CHECK, VettingKind.ORIENTATION),
}


class ConsentMethod(models.TextChoices):
    SIGNED_FORM = "signed_form", "Signed form"
    ONLINE = "online", "Online form"
    VERBAL = "verbal", "Verbal, witnessed by staff"
