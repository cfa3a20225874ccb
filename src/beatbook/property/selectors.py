from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.permissions import actor_role
from beatbook.core.roles import Role
from beatbook.property.choices import ItemStatus
from beatbook.property.models import LostReport, PropertyItem, StorageLocation

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


def lost_report_by_token(*, token: str) -> LostReport | None:
    if not token or len(token) > 64:
        return None
    return LostReport.objects.select_related("matched_item").filter(public_token=token).first()


def lost_report_list(*, viewer: Actor) -> QuerySet[LostReport]:
    if actor_role(viewer) in VIEWERS or actor_role(viewer) == "system":
        return LostReport.objects.select_related("matched_item")
    return LostReport.objects.none()


def lost_report_get(*, viewer: Actor, report_id: int) -> LostReport:
    report = lost_report_list(viewer=viewer).filter(pk=report_id).first()
    if report is None:
        raise NotFound("No such lost report.")
    return report


def found_items_public(
    *, category: str = "", since: object = None, area: str = ""
) -> QuerySet[PropertyItem]:
    """Found property residents may browse: category and week only, never the description
    (so a false claimant cannot learn what to describe)."""
    items = (
        PropertyItem.objects.filter(kind="found", status=ItemStatus.IN_CUSTODY)
        .select_related("call__beat")
        .defer("call__beat__geometry")
        .order_by("-found_at")
    )
    if category:
        items = items.filter(category=category)
    if since:
        items = items.filter(found_at__date__gte=since)
    if area.strip():
        items = items.filter(block_text__icontains=area.strip())
    return items


def found_week(item: PropertyItem) -> dt.date:
    """The Monday of the week an item was found: residents see the week, never the day,
    because an exact date is one more detail a false claimant could use."""
    found_on = timezone.localdate(item.found_at)
    return found_on - dt.timedelta(days=found_on.weekday())
