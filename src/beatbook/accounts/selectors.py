from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from beatbook.accounts.models import ApiToken, RecoveryCode, RecoveryCodeDevice, Team, User
from beatbook.accounts.services import token_hash
from beatbook.core.exceptions import NotFound
from beatbook.places.models import Beat

TOKEN_USE_RESOLUTION = dt.timedelta(minutes=1)


def api_token_user(*, raw: str) -> tuple[User, ApiToken] | None:
    token = ApiToken.objects.live().select_related("user").filter(key_hash=token_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Recorded to the minute: a write (and a WAL flush) on every API request would cost
    # more than the request, and "last used" needs no finer grain.
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token


def totp_device_for(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def staff_list() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role="").select_related("team")


def recovery_device_for(*, user: User) -> RecoveryCodeDevice | None:
    return RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


def teams_covering(*, beat: Beat) -> QuerySet[Team]:
    return Team.objects.filter(beats=beat).order_by("name")


def staff_member_get(*, user_id: int) -> User:
    member = staff_list().filter(pk=user_id).first()
    if member is None:
        raise NotFound("Choose a member of staff.")
    return member
