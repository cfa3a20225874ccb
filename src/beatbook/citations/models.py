from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from beatbook.citations.choices import CitationKind, CitationStatus
from beatbook.core.models import TimeStampedModel


class Ordinance(TimeStampedModel):
    """A code section a citation can be written under, with its fine schedule: the fine for a
    first, second and third-or-later offence within the repeat window."""

    code = models.CharField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=CitationKind.choices)
    fine_first = models.DecimalField(max_digits=8, decimal_places=2)
    fine_second = models.DecimalField(max_digits=8, decimal_places=2)
    fine_third = models.DecimalField(max_digits=8, decimal_places=2)
    repeat_window_days = models.PositiveIntegerField(default=365)
    cso_may_issue = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fine_first__gte=0, fine_second__gte=0, fine_third__gte=0),
                name="citations_ordinance_fines_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def fine_for(self, offence_number: int) -> Decimal:
        return [self.fine_first, self.fine_second, self.fine_third][min(offence_number, 3) - 1]


class Citation(TimeStampedModel):
    """A parking, traffic or ordinance citation, or a written warning."""

    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=10, choices=CitationKind.choices)
    is_warning = models.BooleanField(default=False)
    ordinance = models.ForeignKey(Ordinance, on_delete=models.PROTECT, related_name="citations")
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="citations_issued"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    issued_at = models.DateTimeField()
    plate = models.CharField(max_length=12, blank=True, db_index=True)
    plate_state = models.CharField(max_length=4, blank=True)
    vehicle_make = models.CharField(max_length=40, blank=True)
    vehicle_colour = models.CharField(max_length=30, blank=True)
    person_name = models.CharField(max_length=150, blank=True, db_index=True)
    address_text = models.CharField(max_length=200)
    block_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    beat = models.ForeignKey("places.Beat", on_delete=models.PROTECT, related_name="citations")
    notes = models.CharField(max_length=500, blank=True)
    offence_number = models.PositiveSmallIntegerField(default=1)
    fine_amount = models.DecimalField(max_digits=8, decimal_places=2)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=CitationStatus.choices, default=CitationStatus.ISSUED
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    contest_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_reason = models.CharField(max_length=300, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(plate="", person_name=""),
                name="citations_citation_names_a_vehicle_or_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="void")
                | (~models.Q(void_reason="") & models.Q(voided_by__isnull=False)),
                name="citations_citation_void_has_reason_and_supervisor",
            ),
            models.CheckConstraint(
                condition=~models.Q(voided_by=models.F("issued_by")),
                name="citations_citation_not_voided_by_issuer",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CitationPhoto(models.Model):
    """A photo of the violation, stripped of EXIF/GPS like every photo Beatbook keeps."""

    citation = models.ForeignKey(Citation, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="citation-photos/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"photo of {self.citation}"
