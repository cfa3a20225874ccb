from __future__ import annotations

from django.db import models


class Open311Client(models.Model):
    """An application registered to POST service requests (a city app, a 311 vendor).

    Its api_key is shown once when issued; only the SHA-256 is kept."""

    name = models.CharField(max_length=100, unique=True)
    contact_email = models.EmailField(blank=True)
    key_prefix = models.CharField(max_length=12, blank=True)
    key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Open311 client application"

    def __str__(self) -> str:
        return self.name
