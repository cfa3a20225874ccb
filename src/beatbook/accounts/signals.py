"""Security log: every login, failure, logout and lockout is an audit row (R15)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from beatbook.core.actors import SYSTEM
from beatbook.core.history import history_record


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    history_record(obj=user, actor=user, verb="logged in")


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        history_record(obj=user, actor=user, verb="logged out")


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    # repr() escapes CR/LF so a crafted username cannot forge log lines (R16).
    history_record(
        obj=None,
        actor=SYSTEM,
        verb="login failed",
        data={"username": repr(username)},
        outcome="failure",
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str, ip_address: str, **kwargs: Any) -> None:
    history_record(
        obj=None,
        actor=SYSTEM,
        verb="account locked",
        data={"username": repr(username)},
        outcome="denied",
    )
