"""The social-services directory in the shape of Open Referral HSDS 3.0 (organisations,
services, locations and what hangs off them, each keyed by a UUID as the standard asks), and
the referrals CSOs make to it."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models

from beatbook.core.models import TimeStampedModel
from beatbook.resources.choices import (
    ConsentMethod,
    ContactMethod,
    LocationType,
    ReferralStatus,
    ServiceStatus,
    Weekday,
)


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=250)
    alternate_name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    tax_status = models.CharField(max_length=100, blank=True)
    tax_id = models.CharField(max_length=100, blank=True)
    legal_status = models.CharField(max_length=100, blank=True)
    year_incorporated = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=250)
    alternate_name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A term of a taxonomy; the top-level terms are the needs residents search by."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.CharField(max_length=60)
    name = models.CharField(max_length=150)
    name_es = models.CharField("name (Spanish)", max_length=150, blank=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="resources_term_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="services"
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    name = models.CharField(max_length=250)
    alternate_name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # HSDS `assured_date`: when someone last confirmed these details with the provider.
    assured_date = models.DateField("last verified", null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    alert = models.TextField(blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, through="Attribute", related_name="services")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="resources_service_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """HSDS `attribute`: links a service to a taxonomy term."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "term"], name="resources_attribute_once")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} → {self.term_id}"


class Location(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="locations"
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=250, blank=True)
    alternate_name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    accessibility = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="resources_location_ll")]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    address_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    attention = models.CharField(max_length=250, blank=True)
    address_1 = models.CharField(max_length=250)
    address_2 = models.CharField(max_length=250, blank=True)
    city = models.CharField(max_length=120)
    region = models.CharField(max_length=120, blank=True)
    state_province = models.CharField(max_length=120)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}"


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_at")
    description = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="resources_sal_once")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Phone(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=40)
    extension = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    description = models.CharField(max_length=250, blank=True)

    def __str__(self) -> str:
        return self.number


class Language(models.Model):
    """A language spoken at a service or location (not only through an interpreter)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=20, blank=True, help_text="ISO 639 code, e.g. “es”.")
    note = models.CharField(max_length=250, blank=True)

    def __str__(self) -> str:
        return self.name


class Schedule(models.Model):
    """Opening hours as an RFC 5545-style rule (weekly on a day, `opens_at`–`closes_at`), or
    a dated exception (`valid_from`–`valid_to`): with hours it replaces the week's hours on
    those days, without hours it closes them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    freq = models.CharField(max_length=10, blank=True)
    byday = models.CharField(max_length=2, choices=Weekday.choices, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    description = models.CharField(max_length=250, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service__isnull=False) | models.Q(location__isnull=False),
                name="resources_schedule_has_owner",
            )
        ]

    def __str__(self) -> str:
        if self.byday:
            return f"{self.byday} {self.opens_at}-{self.closes_at}"
        return f"{self.valid_from}-{self.valid_to} {self.description}"


class Referral(TimeStampedModel):
    """A resident sent to a service, with their consent, from a call, a report or a contact."""

    number = models.CharField(max_length=20, unique=True)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    report = models.ForeignKey(
        "records.IncidentReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    resident_name = models.CharField(max_length=150)
    resident_phone = models.CharField(max_length=40, blank=True)
    resident_email = models.EmailField(blank=True)
    resident_language = models.CharField(max_length=10, default="en")
    need = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    note = models.TextField(blank=True, max_length=4000)
    consent_scopes = models.JSONField(default=list)
    consent_method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    consent_at = models.DateTimeField()
    contact_method = models.CharField(max_length=16, choices=ContactMethod.choices)
    status = models.CharField(
        max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_at = models.DateTimeField()
    follow_up_due = models.DateField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    # The provider reports back through a secret link, without a staff account.
    provider_token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "follow_up_due"], name="resources_ref_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(consent_scopes=[]), name="resources_referral_has_consent"
            )
        ]

    def __str__(self) -> str:
        return self.number


class ReferralUpdate(models.Model):
    """One status change of a referral, as the provider or the CSO reported it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    note = models.CharField(max_length=1000, blank=True)
    by_label = models.CharField(max_length=150)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.status}"
