"""Writes on neighbourhood watch groups: their area, members with recorded consent, meetings,
and the CSO's emails to the members who agreed to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from beatbook.accounts.models import User
from beatbook.core.actors import Actor
from beatbook.core.exceptions import ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.outreach.models import WatchGroup, WatchMeeting, WatchMember, WatchMessage
from beatbook.places.models import Beat

WATCH_STAFF = frozenset({Role.CSO, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})


def area_clean(area: Any) -> dict[str, Any] | None:
    """A drawn area must be a GeoJSON Polygon with a closed outer ring of 4+ points."""
    if area in (None, "", {}):
        return None
    if not isinstance(area, dict) or area.get("type") != "Polygon":
        raise ValidationFailed("The area must be a GeoJSON Polygon.", field="area")
    rings = area.get("coordinates") or []
    ring = rings[0] if rings else []
    try:
        points = [(float(lon), float(lat)) for lon, lat, *_ in ring]
    except (TypeError, ValueError):
        raise ValidationFailed(
            "The area's points must be [lon, lat] numbers.", field="area"
        ) from None
    if len(points) < 4 or points[0] != points[-1]:
        raise ValidationFailed(
            "The area needs at least three corners and must end where it starts.", field="area"
        )
    if not all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in points):
        raise ValidationFailed("The area has a point off the map.", field="area")
    return {"type": "Polygon", "coordinates": [[list(p) for p in points]]}


@transaction.atomic
def watch_group_create(
    *,
    actor: Actor,
    name: str,
    liaison: User,
    started_on: dt.date,
    beat: Beat | None = None,
    area: Any = None,
) -> WatchGroup:
    require_role(actor, WATCH_STAFF, action="start watch groups")
    area = area_clean(area)
    if beat is None and area is None:
        raise ValidationFailed("Choose the beat or draw the area the group watches.", field="beat")
    if liaison.role not in WATCH_STAFF or not liaison.is_active:
        raise ValidationFailed(f"{liaison} cannot be a group's liaison.", field="liaison")
    group = WatchGroup(
        name=name.strip(), beat=beat, area=area, liaison=liaison, started_on=started_on
    )
    validate(group)
    group.save()
    history_record(obj=group, actor=actor, verb="watch group started")
    return group


@transaction.atomic
def watch_member_add(
    *,
    actor: Actor,
    group: WatchGroup,
    name: str,
    consent_method: str,
    email: str = "",
    phone: str = "",
    address: str = "",
    is_captain: bool = False,
    consent_to_email: bool = False,
) -> WatchMember:
    """Add a member. Their details are kept only with their consent, recorded with how it was
    given; emails go to them only if they also agreed to those."""
    require_role(actor, WATCH_STAFF, action="add watch members")
    if not consent_method:
        raise ValidationFailed(
            "Record how the member consented to us keeping their details.", field="consent_method"
        )
    if consent_to_email and not email.strip():
        raise ValidationFailed(
            "Give the email address they agreed to be written at.", field="email"
        )
    member = WatchMember(
        group=group,
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        address=address.strip(),
        is_captain=is_captain,
        consent_at=timezone.now(),
        consent_method=consent_method,
        consent_to_email=consent_to_email,
    )
    validate(member)
    member.save()
    history_record(
        obj=group,
        actor=actor,
        verb="member added",
        data={"member": member.pk, "captain": is_captain, "consent": consent_method},
    )
    return member


@transaction.atomic
def watch_member_withdraw(*, actor: Actor, member: WatchMember) -> WatchMember:
    """The member leaves or withdraws consent: their contact details are erased, the name kept
    so meeting records still make sense."""
    require_role(actor, WATCH_STAFF, action="remove watch members")
    member = WatchMember.objects.select_for_update().get(pk=member.pk)
    if member.withdrawn_at is not None:
        raise ValidationFailed("This member has already left the group.")
    member.withdrawn_at = timezone.now()
    member.email = member.phone = member.address = ""
    member.consent_to_email = member.is_captain = False
    member.save()
    history_record(
        obj=member.group, actor=actor, verb="member withdrew", data={"member": member.pk}
    )
    return member


@transaction.atomic
def watch_meeting_record(
    *,
    actor: Actor,
    group: WatchGroup,
    held_at: dt.datetime,
    place: str,
    attendance: int,
    notes: str,
) -> WatchMeeting:
    require_role(actor, WATCH_STAFF, action="record watch meetings")
    meeting = WatchMeeting(
        group=group, held_at=held_at, place=place.strip(), attendance=attendance, notes=notes
    )
    validate(meeting)
    meeting.save()
    history_record(obj=group, actor=actor, verb="meeting recorded", data={"meeting": meeting.pk})
    return meeting


@transaction.atomic
def watch_message_send(*, actor: Actor, group: WatchGroup, subject: str, body: str) -> WatchMessage:
    """One email per consenting member, so nobody sees the others' addresses."""
    require_role(actor, WATCH_STAFF, action="write to watch groups")
    if not isinstance(actor, User):
        raise ValidationFailed("Messages are sent by a member of staff.")
    if not subject.strip() or not body.strip():
        raise ValidationFailed("Write a subject and a message.", field="body")
    addresses = list(
        group.members.filter(withdrawn_at__isnull=True, consent_to_email=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    footer = (
        f"\n\n--\n{actor.get_full_name() or actor.username}, {settings.BEATBOOK_AGENCY_NAME}\n"
        f"You get this as a member of {group.name}. To stop, tell your CSO or reply to this email."
    )
    message = WatchMessage.objects.create(
        group=group, subject=subject.strip(), body=body.strip(), sent_by=actor
    )
    emails = [
        EmailMessage(subject.strip(), body.strip() + footer, to=[address]) for address in addresses
    ]

    def send() -> None:
        sent = get_connection().send_messages(emails) or 0
        WatchMessage.objects.filter(pk=message.pk).update(recipients=sent)

    transaction.on_commit(send)
    history_record(
        obj=group, actor=actor, verb="message sent", data={"message": message.pk, "to": len(emails)}
    )
    return message
