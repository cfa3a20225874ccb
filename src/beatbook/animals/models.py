from __future__ import annotations

from django.conf import settings
from django.db import models

from beatbook.animals.choices import (
    CaseKind,
    CaseStatus,
    Outcome,
    QuarantinePlace,
    QuarantineResult,
    Sex,
    Species,
    Vaccination,
)
from beatbook.core.models import TimeStampedModel


class Shelter(TimeStampedModel):
    """A partner shelter that takes impounded animals."""

    name = models.CharField(max_length=150, unique=True)
    address = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Owner(TimeStampedModel):
    name = models.CharField(max_length=150)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Animal(TimeStampedModel):
    species = models.CharField(max_length=10, choices=Species.choices)
    breed = models.CharField(max_length=80, blank=True)
    colour = models.CharField(max_length=80, blank=True)
    sex = models.CharField(max_length=2, choices=Sex.choices, default=Sex.UNKNOWN)
    name = models.CharField(max_length=60, blank=True)
    markings = models.CharField(max_length=300, blank=True)
    tag_number = models.CharField("tag or licence", max_length=40, blank=True, db_index=True)
    microchip = models.CharField(max_length=20, blank=True, db_index=True)
    vaccination = models.CharField(
        max_length=8, choices=Vaccination.choices, default=Vaccination.UNKNOWN
    )
    vaccination_expires = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        Owner, null=True, blank=True, on_delete=models.PROTECT, related_name="animals"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        words = [self.name, self.colour, self.breed or self.get_species_display()]
        return " ".join(w for w in words if w).strip() or self.get_species_display()


class AnimalCase(TimeStampedModel):
    """One animal-control job: where it started (usually a call), the animal, and each step
    from capture to return, with the time and the person for every step."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="animal_cases"
    )
    animal = models.ForeignKey(
        Animal, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    summary = models.CharField(max_length=1000)
    address_text = models.CharField(max_length=200, blank=True)
    block_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The CSO working the case.",
    )
    shelter = models.ForeignKey(
        Shelter, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    shelter_reference = models.CharField(max_length=40, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    capture_note = models.CharField(max_length=500, blank=True)
    transport_at = models.DateTimeField(null=True, blank=True)
    impounded_at = models.DateTimeField(null=True, blank=True)
    owner_notified_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.number


class BiteInvestigation(TimeStampedModel):
    """Who was bitten, by which animal, whether it was vaccinated, and its observation period."""

    case = models.OneToOneField(AnimalCase, on_delete=models.PROTECT, related_name="bite")
    victim_name = models.CharField(max_length=150)
    victim_phone = models.CharField(max_length=40, blank=True)
    victim_is_minor = models.BooleanField(default=False)
    bitten_at = models.DateTimeField()
    body_part = models.CharField(max_length=80)
    skin_broken = models.BooleanField(default=True)
    medical_care = models.BooleanField(default=False)
    vaccination = models.CharField(max_length=8, choices=Vaccination.choices)
    certificate = models.CharField(max_length=60, blank=True)
    quarantine_place = models.CharField(max_length=8, choices=QuarantinePlace.choices)
    quarantine_starts = models.DateField()
    quarantine_days = models.PositiveSmallIntegerField()
    quarantine_ends = models.DateField()
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(
        max_length=10, choices=QuarantineResult.choices, blank=True, default=""
    )
    result_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["quarantine_ends", "id"]

    def __str__(self) -> str:
        return f"bite on {self.case}"


class LostAnimalReport(TimeStampedModel):
    """A resident's lost pet, matched against strays the program has picked up."""

    class Status(models.TextChoices):
        OPEN = "open", "Looking for it"
        MATCHED = "matched", "Possible match found"
        REUNITED = "reunited", "Reunited"
        CLOSED = "closed", "Closed"

    number = models.CharField(max_length=20, unique=True)
    public_token = models.CharField(max_length=64, unique=True)
    species = models.CharField(max_length=10, choices=Species.choices)
    breed = models.CharField(max_length=80, blank=True)
    colour = models.CharField(max_length=80)
    sex = models.CharField(max_length=2, choices=Sex.choices, default=Sex.UNKNOWN)
    name = models.CharField(max_length=60, blank=True)
    microchip = models.CharField(max_length=20, blank=True)
    tag_number = models.CharField(max_length=40, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    lost_on = models.DateField()
    address_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    owner_name = models.CharField(max_length=150)
    owner_email = models.EmailField(blank=True)
    owner_phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    matched_case = models.ForeignKey(
        AnimalCase, null=True, blank=True, on_delete=models.PROTECT, related_name="lost_reports"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number
