from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceStatus(models.TextChoices):
    """HSDS 3.0 `service.status`."""

    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class LocationType(models.TextChoices):
    """HSDS 3.0 `location.location_type` and `address.address_type`."""

    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Weekday(models.TextChoices):
    """RFC 5545 BYDAY values, which HSDS schedules use."""

    MO = "MO", _("Monday")
    TU = "TU", _("Tuesday")
    WE = "WE", _("Wednesday")
    TH = "TH", _("Thursday")
    FR = "FR", _("Friday")
    SA = "SA", _("Saturday")
    SU = "SU", _("Sunday")


WEEKDAY_INDEX = {day: index for index, day in enumerate(Weekday.values)}


class ConsentScope(models.TextChoices):
    CONTACT_SHARE = "contact_share", _("Share my name and contact details with the provider")
    PROVIDER_CONTACT = "provider_contact", _("The provider may contact me")
    DETAILS_SHARE = "details_share", _("Share what happened on the call with the provider")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal, recorded by the CSO")
    WRITTEN = "written", _("Written (signed form)")
    ELECTRONIC = "electronic", _("Electronic")


class ContactMethod(models.TextChoices):
    WARM_HANDOFF = "warm_handoff", _("Warm hand-off: CSO called the provider with the resident")
    PROVIDER_EMAIL = "provider_email", _("Referral emailed to the provider")
    RESIDENT_CALLS = "resident_calls", _("Resident will contact the provider")
    IN_PERSON = "in_person", _("CSO took the resident there")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent, waiting for the provider")
    ACCEPTED = "accepted", _("Accepted by the provider")
    DECLINED = "declined", _("Declined by the provider")
    SERVED = "served", _("Served")
    UNABLE_TO_REACH = "unable_to_reach", _("Provider could not reach the resident")
    WITHDRAWN = "withdrawn", _("Withdrawn (consent taken back)")

    @classmethod
    def final(cls) -> frozenset[str]:
        return frozenset({cls.DECLINED, cls.SERVED, cls.UNABLE_TO_REACH, cls.WITHDRAWN})


# Which status may follow which: the provider answers, then reports the outcome.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.SENT: frozenset(
        {
            ReferralStatus.ACCEPTED,
            ReferralStatus.DECLINED,
            ReferralStatus.SERVED,
            ReferralStatus.UNABLE_TO_REACH,
            ReferralStatus.WITHDRAWN,
        }
    ),
    ReferralStatus.ACCEPTED: frozenset(
        {ReferralStatus.SERVED, ReferralStatus.UNABLE_TO_REACH, ReferralStatus.WITHDRAWN}
    ),
}
