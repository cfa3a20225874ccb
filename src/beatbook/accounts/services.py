from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from beatbook.accounts.models import ApiToken, RecoveryCode, RecoveryCodeDevice, Team, User
from beatbook.accounts.recovery import CODES_PER_SET, recovery_code_digest, recovery_code_new
from beatbook.core.actors import Actor
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role

ADMIN_ONLY = {Role.ADMIN}


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    role: str,
    password: str,
    team: Team | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    badge_number: str = "",
) -> User:
    require_role(actor, ADMIN_ONLY, action="create accounts")
    user = User(
        username=username,
        role=role,
        team=team,
        first_name=first_name,
        last_name=last_name,
        email=email,
        badge_number=badge_number,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean()
    user.save()
    history_record(
        obj=user,
        actor=actor,
        verb="account created",
        data={"role": role, "team": team.name if team else None},
    )
    return user


@transaction.atomic
def team_create(*, actor: Actor, name: str, beats: list | None = None) -> Team:
    require_role(actor, ADMIN_ONLY, action="create teams")
    team = Team(name=name)
    team.full_clean()
    team.save()
    if beats:
        team.beats.set(beats)
    history_record(
        obj=team, actor=actor, verb="team created", data={"beats": [str(b) for b in beats or []]}
    )
    return team


@transaction.atomic
def totp_device_create(*, actor: Actor, user: User, confirmed: bool) -> TOTPDevice:
    """Bind a new authenticator; an unconfirmed one counts only after its first good code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=confirmed)
    history_record(obj=user, actor=actor, verb="authenticator added", data={"confirmed": confirmed})
    return device


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    history_record(obj=user, actor=user, verb="authenticator confirmed")


@transaction.atomic
def api_token_issue(
    *, actor: Actor, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for `user`; the raw key is returned once and never stored."""
    require_role(actor, ADMIN_ONLY, action="issue API tokens")
    raw = "bb_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:10],
        key_hash=token_hash(raw),
        expires_at=timezone.now() + dt.timedelta(days=days or settings.BEATBOOK_API_TOKEN_DAYS),
    )
    history_record(
        obj=user, actor=actor, verb="api token issued", data={"token": token.prefix, "name": name}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    require_role(actor, ADMIN_ONLY, action="revoke API tokens")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    history_record(
        obj=token.user, actor=actor, verb="api token revoked", data={"token": token.prefix}
    )
    return token


@transaction.atomic
def user_disable(*, actor: Actor, user: User, reason: str) -> User:
    """Disable an account at once: its sessions end and its tokens stop working."""
    require_role(actor, ADMIN_ONLY, action="disable accounts")
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    session_keys = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now())
        if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=session_keys).delete()
    history_record(obj=user, actor=actor, verb="account disabled", data={"reason": reason})
    return user


@transaction.atomic
def user_unlock(*, actor: Actor, user: User) -> int:
    """Release a lockout (R01): only an administrator may, and it is audited."""
    from axes.utils import reset

    require_role(actor, ADMIN_ONLY, action="unlock accounts")
    released = reset(username=user.username)
    history_record(
        obj=user, actor=actor, verb="account unlocked", data={"attempts_cleared": released}
    )
    return released


@transaction.atomic
def recovery_codes_generate(*, actor: Actor, user: User) -> list[str]:
    """Replace the user's recovery codes; the raw codes are returned once and never stored."""
    if getattr(actor, "pk", None) != user.pk:
        require_role(actor, ADMIN_ONLY, action="make recovery codes for someone else")
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [recovery_code_new() for _ in range(CODES_PER_SET)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=recovery_code_digest(code)) for code in codes
    )
    history_record(obj=user, actor=actor, verb="recovery codes generated")
    return codes


@transaction.atomic
def user_password_change(*, actor: Actor, user: User, new_password: str) -> User:
    """Set a new password (already validated by the form) and lift any forced change."""
    if getattr(actor, "pk", None) != user.pk:
        require_role(actor, ADMIN_ONLY, action="set another person's password")
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    history_record(obj=user, actor=actor, verb="password changed")
    return user


@transaction.atomic
def user_force_password_change(*, actor: Actor, user: User, reason: str) -> User:
    """Mark a password as compromised: the next request must set a new one (R04)."""
    require_role(actor, ADMIN_ONLY, action="force password changes")
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    history_record(obj=user, actor=actor, verb="password change forced", data={"reason": reason})
    return user


def password_expired(user: User) -> bool:
    if user.must_change_password:
        return True
    changed = user.password_changed_at or user.date_joined
    max_age = dt.timedelta(days=settings.BEATBOOK_PASSWORD_MAX_AGE_DAYS)
    return timezone.now() - changed > max_age
