from __future__ import annotations

from django.db.models import QuerySet

from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.roles import READ_ALL_ROLES, Role
from beatbook.roster.exceptions import UnitMissing
from beatbook.roster.models import EmergencyAlarm, PatrolLog, Unit


def unit_list(*, viewer: Actor) -> QuerySet[Unit]:
    units = Unit.objects.select_related("user", "user__team")
    role = getattr(viewer, "role", "system")
    if role == "system" or role in READ_ALL_ROLES:
        return units
    if role == Role.CSO:
        team_id = getattr(viewer, "team_id", None)
        if team_id:
            return units.filter(user__team_id=team_id)
        return units.filter(user=viewer)  # type: ignore[misc]
    return units.none()


def unit_get(*, viewer: Actor, unit_id: int) -> Unit:
    unit = unit_list(viewer=viewer).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("No such unit.")
    return unit


def unit_for_user(*, user: Actor) -> Unit:
    unit = Unit.objects.filter(user=user).first()  # type: ignore[misc]
    if unit is None:
        raise UnitMissing("You have no unit: ask your supervisor to set one up.")
    return unit


def alarm_list_active() -> QuerySet[EmergencyAlarm]:
    return EmergencyAlarm.objects.filter(acknowledged_at__isnull=True).select_related(
        "unit", "unit__user"
    )


def alarm_get(*, alarm_id: int) -> EmergencyAlarm:
    alarm = EmergencyAlarm.objects.select_related("unit").filter(pk=alarm_id).first()
    if alarm is None:
        raise NotFound("No such alarm.")
    return alarm


def patrol_open_for(*, unit: Unit) -> PatrolLog | None:
    return (
        PatrolLog.objects.filter(unit=unit, ended_at__isnull=True)
        .select_related("beat")
        .defer("beat__geometry")
        .prefetch_related("checkpoints")
        .first()
    )
