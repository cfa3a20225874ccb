"""Who performs an operation: a signed-in user, or the system itself (tasks, imports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from beatbook.accounts.models import User


class SystemActor:
    """The actor for work no staff member started: tasks, imports, the demo builder, and
    residents reaching the system through the portal or an Open311 client."""

    is_authenticated = True
    role = "system"

    def __init__(self, label: str = "system") -> None:
        self.username = label

    def __str__(self) -> str:
        return self.username


SYSTEM = SystemActor()
PORTAL = SystemActor("resident via portal")
Actor = Union["User", SystemActor]


def actor_user(actor: Actor) -> User | None:
    return None if isinstance(actor, SystemActor) else actor


def actor_label(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return actor.username
    full = actor.get_full_name()
    return f"{full} ({actor.username})" if full else actor.username
