"""Alert vocabularies. The CAP ones are the exact CAP 1.2 values (STANDARDS.md §2.1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    ALERT = "alert", _("Alert")
    ANNOUNCEMENT = "announcement", _("Announcement")


class AlertStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for approval"
    RETURNED = "returned", "Returned for changes"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def editable(cls) -> list[str]:
        return [cls.DRAFT, cls.RETURNED]


class Category(models.TextChoices):
    SAFETY = "Safety", _("Community safety")
    SECURITY = "Security", _("Crime and security")
    TRANSPORT = "Transport", _("Roads and traffic")
    HEALTH = "Health", _("Health")
    RESCUE = "Rescue", _("Missing person")
    ENV = "Env", _("Environment")
    INFRA = "Infra", _("Utilities and infrastructure")
    OTHER = "Other", _("Other")


class Urgency(models.TextChoices):
    IMMEDIATE = "Immediate", "Immediate: act now"
    EXPECTED = "Expected", "Expected: within the hour"
    FUTURE = "Future", "Future: in the near future"
    PAST = "Past", "Past: no longer needed"
    UNKNOWN = "Unknown", "Unknown"


class Severity(models.TextChoices):
    EXTREME = "Extreme", "Extreme"
    SEVERE = "Severe", "Severe"
    MODERATE = "Moderate", "Moderate"
    MINOR = "Minor", "Minor"
    UNKNOWN = "Unknown", "Unknown"


class Certainty(models.TextChoices):
    OBSERVED = "Observed", "Observed"
    LIKELY = "Likely", "Likely (p > 50 %)"
    POSSIBLE = "Possible", "Possible"
    UNLIKELY = "Unlikely", "Unlikely"
    UNKNOWN = "Unknown", "Unknown"


class PreventionTopic(models.TextChoices):
    HOME_SECURITY = "home_security", _("Home security")
    SENIOR_SCAMS = "senior_scams", _("Scams aimed at seniors")
    BICYCLE_THEFT = "bicycle_theft", _("Bicycle theft")
    ONLINE_SAFETY = "online_safety", _("Online safety")
    VEHICLE = "vehicle", _("Car prowls and vehicle theft")
    PERSONAL_SAFETY = "personal_safety", _("Personal safety")
