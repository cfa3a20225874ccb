from __future__ import annotations

from django.conf import settings
from django.db import models

from beatbook.core.models import AppendOnlyQuerySet, TimeStampedModel
from beatbook.core.nibrs import PropertyCategory
from beatbook.property.choices import CustodyEventKind, DisposalMethod, ItemKind, ItemStatus


class StorageLocation(TimeStampedModel):
    """A place in the property room: room, shelf and bin."""

    code = models.CharField(max_length=30, unique=True)
    room = models.CharField(max_length=60)
    shelf = models.CharField(max_length=30, blank=True)
    bin = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class PropertyItem(TimeStampedModel):
    """Something the program holds: found, in safekeeping, or evidence. Where it is and who
    has it are the result of its custody events, which are kept here for quick reading."""

    number = models.CharField(max_length=20, unique=True)
    label_code = models.CharField(
        max_length=24, unique=True, help_text="Printed on the label (barcode / QR)."
    )
    kind = models.CharField(max_length=12, choices=ItemKind.choices)
    category = models.CharField(max_length=4, choices=PropertyCategory.choices)
    description = models.CharField(max_length=500)
    serial_number = models.CharField(max_length=60, blank=True)
    value = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    call = models.ForeignKey(
        "calls.Call", null=True, blank=True, on_delete=models.PROTECT, related_name="property_items"
    )
    found_at = models.DateTimeField()
    address_text = models.CharField(max_length=200, blank=True)
    block_text = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=12, choices=ItemStatus.choices, default=ItemStatus.IN_CUSTODY
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        StorageLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    retain_until = models.DateField()
    disposal_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposal_method = models.CharField(max_length=10, choices=DisposalMethod.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class CustodyEvent(models.Model):
    """One movement of an item. Events are only ever added (the database refuses changes) and
    each carries the SHA-256 of its content and of the event before it."""

    item = models.ForeignKey(PropertyItem, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=CustodyEventKind.choices)
    at = models.DateTimeField()
    actor_label = models.CharField(max_length=150)
    from_custodian = models.CharField(max_length=150, blank=True)
    to_custodian = models.CharField(max_length=150, blank=True)
    from_location = models.CharField(max_length=30, blank=True)
    to_location = models.CharField(max_length=30, blank=True)
    reason = models.CharField(max_length=500)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["item", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "seq"], name="property_custodyevent_one_per_seq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} #{self.seq} {self.kind}"


class LostReport(TimeStampedModel):
    """A resident's report of something lost, matched against found property."""

    class Status(models.TextChoices):
        OPEN = "open", "Looking for it"
        MATCHED = "matched", "Possible match found"
        RETURNED = "returned", "Returned"
        CLOSED = "closed", "Closed"

    number = models.CharField(max_length=20, unique=True)
    public_token = models.CharField(max_length=64, unique=True)
    category = models.CharField(max_length=4, choices=PropertyCategory.choices)
    description = models.CharField(max_length=1000)
    lost_on = models.DateField()
    address_text = models.CharField(max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    owner_name = models.CharField(max_length=150, blank=True)
    owner_email = models.EmailField(blank=True)
    owner_phone = models.CharField(max_length=40, blank=True)
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    matched_item = models.ForeignKey(
        PropertyItem, null=True, blank=True, on_delete=models.PROTECT, related_name="lost_reports"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ItemPhoto(models.Model):
    """A photo of an item as booked in: re-encoded without EXIF/GPS, its SHA-256 kept so that
    a later download can prove it is the same picture."""

    item = models.ForeignKey(PropertyItem, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="property-photos/%Y/%m/")
    thumbnail = models.FileField(upload_to="property-photos/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    original = models.FileField(
        upload_to="property-originals/%Y/%m/",
        blank=True,
        help_text="Evidence only: the file exactly as it came from the camera, never altered.",
    )
    original_sha256 = models.CharField(max_length=64, blank=True)
    quarantined_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a fixity check found the stored file changed."
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.item}"
