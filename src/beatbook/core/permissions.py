"""Role checks shared by services, HTML views and the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from beatbook.core.actors import Actor, SystemActor
from beatbook.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from beatbook.accounts.models import User


def actor_role(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return "system"
    return str(getattr(actor, "role", ""))


def require_role(actor: Actor, roles: Iterable[str], *, action: str) -> None:
    """Raise PermissionDenied unless `actor` holds one of `roles` (the system may do anything)."""
    if isinstance(actor, SystemActor):
        return
    if actor_role(actor) not in set(roles) or not getattr(actor, "is_active", False):
        raise PermissionDenied(f"Your role may not {action}.")


def is_verified_staff(user: Any) -> bool:
    """Signed in, active, holding a staff role, and past the second factor."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active or not getattr(user, "role", ""):
        return False
    verified = getattr(user, "is_verified", None)
    return bool(verified()) if callable(verified) else False


class RoleRequiredMixin(AccessMixin):
    """HTML views: anonymous users go to login; a wrong role gets 403."""

    allowed_roles: frozenset[str] = frozenset()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not is_verified_staff(user):
            return self.handle_no_permission()
        if getattr(user, "role", "") not in self.allowed_roles:
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class IsVerifiedStaff(BasePermission):
    """API default: a staff user who passed MFA (session) or holds a live API token."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_verified_staff(request.user)


def role_permission(*roles: str) -> type[BasePermission]:
    """An API permission class for the given roles."""

    class HasRole(BasePermission):
        def has_permission(self, request: Any, view: Any) -> bool:
            return is_verified_staff(request.user) and request.user.role in roles

    HasRole.__name__ = "HasRole_" + "_".join(roles)
    return HasRole


def request_user(request: Any) -> User:
    """The signed-in staff member; views call it only behind their role gate."""
    return cast("User", request.user)
