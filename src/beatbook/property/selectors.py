from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.permissions import actor_role
from beatbook.core.roles import Role
from beatbook.property.choices import ItemStatus
from beatbook.property.models import PropertyItem, StorageLocation

VIEWERS = {Role.CSO, Role.SUPERVISOR, Role.ADMIN}


def item_scope(*, viewer: Actor) -> QuerySet[PropertyItem]:
    """The property room is open to CSOs and custodians; evidence to nobody else."""
    if actor_role(viewer) in VIEWERS or actor_role(viewer) == "system":
        return PropertyItem.objects.all()
    return PropertyItem.objects.none()


def item_list(
    *, viewer: Actor, kind: str = "", status: str = "", text: str = ""
) -> QuerySet[PropertyItem]:
    items = item_scope(viewer=viewer).select_related("location", "custodian", "call")
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    if text:
        items = items.filter(
            Q(number__icontains=text)
            | Q(description__icontains=text)
            | Q(serial_number__icontains=text)
        )
    return items


def item_get(*, viewer: Actor, item_id: int) -> PropertyItem:
    item = (
        item_scope(viewer=viewer)
        .select_related("location", "custodian", "call")
        .prefetch_related("events")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound("No such item.")
    return item


def item_by_label(*, viewer: Actor, code: str) -> PropertyItem:
    cleaned = code.strip().upper()
    item = item_scope(viewer=viewer).filter(Q(label_code=cleaned) | Q(number=cleaned)).first()
    if item is None:
        raise NotFound(f"No item has the label {code!r}.")
    return item


def disposal_queue(*, viewer: Actor) -> QuerySet[PropertyItem]:
    """Items past their holding period, still in the room."""
    return (
        item_scope(viewer=viewer)
        .filter(status=ItemStatus.IN_CUSTODY, retain_until__lte=timezone.localdate())
        .select_related("location")
        .order_by("retain_until")
    )


def storage_locations() -> QuerySet[StorageLocation]:
    return StorageLocation.objects.filter(is_active=True)
