from __future__ import annotations

from django.conf import settings
from django.db import models

from beatbook.core.models import TimeStampedModel
from beatbook.records.choices import (
    Confidentiality,
    PersonRole,
    PropertyCategory,
    ReportKind,
    ReviewStatus,
)


class IncidentReport(TimeStampedModel):
    """A CSO's written report of an incident, collision, found property or information, kept
    for later reference and legal proceedings; approved reports change only by supplement."""

    number = models.CharField(max_length=24, unique=True)
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    supplement_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supplements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    title = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    address_text = models.CharField(max_length=200, blank=True)
    block_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    beat = models.ForeignKey(
        "places.Beat", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    narrative = models.TextField(blank=True, max_length=20000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="records_report_queue")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_by__isnull=False),
                name="records_report_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("author")),
                name="records_report_not_self_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status in ReviewStatus.editable()


class ReportPerson(models.Model):
    """Someone on a report. A confidential person never reaches any public output, and only
    the author, supervisors and administrators see their details."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=16, choices=PersonRole.choices)
    name = models.CharField(max_length=150)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=500, blank=True)
    is_confidential = models.BooleanField(default=False)
    confidentiality_reason = models.CharField(
        max_length=24, choices=Confidentiality.choices, blank=True
    )

    class Meta:
        ordering = ["report", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_confidential=False) | ~models.Q(confidentiality_reason=""),
                name="records_reportperson_confidential_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} on {self.report}"


class ReportVehicle(models.Model):
    """A vehicle on a report (a collision's vehicles, a parked car that was hit)."""

    report = models.ForeignKey(IncidentReport, on_delete=models.CASCADE, related_name="vehicles")
    plate = models.CharField(max_length=12, blank=True)
    plate_state = models.CharField(max_length=4, blank=True)
    make = models.CharField(max_length=40, blank=True)
    model = models.CharField(max_length=40, blank=True)
    colour = models.CharField(max_length=30, blank=True)
    vin = models.CharField(max_length=17, blank=True)
    damage = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["report", "id"]

    def __str__(self) -> str:
        return f"{self.plate or 'vehicle'} on {self.report}"


class ReportProperty(models.Model):
    """An item on a report: found, lost, damaged or taken."""

    report = models.ForeignKey(
        IncidentReport, on_delete=models.CASCADE, related_name="property_items"
    )
    category = models.CharField(max_length=4, choices=PropertyCategory.choices)
    description = models.CharField(max_length=300)
    serial_number = models.CharField(max_length=60, blank=True)
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["report", "id"]
        verbose_name_plural = "report property"

    def __str__(self) -> str:
        return f"{self.description} on {self.report}"


class ReportAttachment(models.Model):
    """A photo or document on a report; its SHA-256 is taken while it streams in and checked
    on every download (R21)."""

    report = models.ForeignKey(IncidentReport, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to="report-attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    quarantined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.original_name} on {self.report}"


class ReviewComment(models.Model):
    """A supervisor's comment when returning a report or DAR."""

    report = models.ForeignKey(
        IncidentReport,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_comments",
    )
    activity_report = models.ForeignKey(
        "DailyActivityReport",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_comments",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(max_length=4000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"comment by {self.author} at {self.at:%Y-%m-%d %H:%M}"


class DailyActivityReport(TimeStampedModel):
    """A CSO's end-of-shift account of the day, assembled from what the system recorded."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_reports"
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activity_reports",
    )
    shift_date = models.DateField()
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    remarks = models.TextField(blank=True, max_length=4000)
    snapshot = models.JSONField(
        default=list, blank=True, help_text="The activity as it stood when submitted."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-shift_date", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "shift_date"], name="records_dar_one_per_day"),
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("user")),
                name="records_dar_not_self_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"DAR {self.user} {self.shift_date}"
