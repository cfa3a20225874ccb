"""Who performs an operation: a signed-in user, or the system itself (tasks, imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from beatbook.accounts.models import User


class SystemActor:
    """The actor for work no person started: scheduled tasks, imports, the demo builder."""

    username = "system"
    is_authenticated = True
    role = "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()
Actor = Union["User", SystemActor]


def actor_user(actor: Actor) -> User | None:
    return None if isinstance(actor, SystemActor) else actor


def actor_label(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return "system"
    full = actor.get_full_name()
    return f"{full} ({actor.username})" if full else actor.username
