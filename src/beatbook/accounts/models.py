from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django_otp.models import Device

from beatbook.core.models import TimeStampedModel
from beatbook.core.roles import Role


class Team(TimeStampedModel):
    """A group of CSOs under one supervisor that covers a set of beats."""

    name = models.CharField(max_length=100, unique=True)
    beats = models.ManyToManyField("places.Beat", blank=True, related_name="teams")
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A member of staff. The role decides what they may do; the team, what they may see."""

    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    badge_number = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[*Role.values, ""]), name="accounts_user_role_valid"
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_cso(self) -> bool:
        return self.role == Role.CSO


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for scripts and integrations. Only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RecoveryCodeDevice(Device):
    """A set of one-time recovery codes, used when the authenticator app is lost (R03).

    Codes are stored as HMAC-SHA256 under the server's secret key, never in plain text.
    """

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"recovery codes of {self.user}"

    def verify_token(self, token: str) -> bool:
        from beatbook.accounts.recovery import recovery_code_digest

        digest = recovery_code_digest(token)
        return bool(
            self.codes.filter(code_hash=digest, used_at__isnull=True).update(used_at=timezone.now())
        )


class RecoveryCode(models.Model):
    """One recovery code (its keyed hash) and when it was used."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"recovery code {self.pk} ({'used' if self.used_at else 'unused'})"
