from __future__ import annotations

from django.db import models

from beatbook.core.models import TimeStampedModel


class Beat(TimeStampedModel):
    """A patrol area: a polygon (WGS84 GeoJSON) that every located record is assigned to."""

    name = models.CharField(max_length=50, unique=True)
    sector = models.CharField(max_length=50, blank=True)
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon in WGS84 (lon, lat).")
    min_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lat = models.FloatField()
    max_lon = models.FloatField()
    centroid_lat = models.FloatField()
    centroid_lon = models.FloatField()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["min_lat", "max_lat", "min_lon", "max_lon"], name="places_beat_bbox"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AddressPoint(models.Model):
    """One street address of the local address table used for geocoding."""

    number = models.PositiveIntegerField()
    street = models.CharField(max_length=120, help_text="Canonical form, e.g. 'PINE ST'.")
    city = models.CharField(max_length=80, blank=True)
    postal_code = models.CharField(max_length=12, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    beat = models.ForeignKey(
        Beat, null=True, blank=True, on_delete=models.SET_NULL, related_name="addresses"
    )
    h3_cell = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["street", "number"]
        indexes = [
            models.Index(fields=["street", "number"], name="places_address_street_no"),
            models.Index(fields=["lat", "lon"], name="places_address_latlon"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "number", "city"], name="places_addresspoint_unique"
            )
        ]

    def __str__(self) -> str:
        from beatbook.places.addresses import street_display

        return f"{self.number} {street_display(self.street)}"
