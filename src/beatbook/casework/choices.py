from django.db import models


class DisputeType(models.TextChoices):
    NOISE = "noise", "Noise"
    PROPERTY_LINE = "property_line", "Property line, fences, trees"
    PETS = "pets", "Pets and animals"
    PARKING = "parking", "Parking"
    LANDLORD_TENANT = "landlord_tenant", "Landlord and tenant"
    YOUTH_GROUPS = "youth_groups", "Youth groups"
    OTHER = "other", "Other neighbour dispute"


class CaseSource(models.TextChoices):
    CALL = "call", "From a call"
    REFERRAL = "referral", "From a referral"
    WALK_IN = "walk_in", "Walk-in"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open: reaching the parties"
    SCHEDULED = "scheduled", "Session scheduled"
    AGREEMENT = "agreement", "Agreement reached: following up"
    NO_AGREEMENT = "no_agreement", "Closed without agreement"
    DECLINED = "declined", "A party declined mediation"
    CLOSED = "closed", "Closed"

    @classmethod
    def closed(cls) -> frozenset[str]:
        return frozenset({cls.NO_AGREEMENT, cls.DECLINED, cls.CLOSED})


class ContactPreference(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    MAIL = "mail", "Letter"
    IN_PERSON = "in_person", "In person only"


class SessionOutcome(models.TextChoices):
    PENDING = "", "Not yet held"
    HELD = "held", "Held"
    NO_SHOW = "no_show", "A party did not come"
    CANCELLED = "cancelled", "Cancelled"


class FollowUpOutcome(models.TextChoices):
    PENDING = "", "Due"
    HOLDING = "holding", "Agreement holding"
    PARTLY = "partly", "Partly kept"
    BROKEN = "broken", "Agreement broken"
    UNREACHABLE = "unreachable", "Could not reach the parties"


class VictimStepKind(models.TextChoices):
    RIGHTS_NOTICE = "rights_notice", "Rights notice given"
    RESOURCE_OFFERED = "resource_offered", "Resource offered"
    SAFETY_PLAN = "safety_plan", "Safety planning"
    FOLLOW_UP = "follow_up", "Follow-up contact"
