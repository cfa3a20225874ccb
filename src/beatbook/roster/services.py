from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from beatbook.accounts.models import User
from beatbook.core.actors import Actor
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import DISPATCH_ROLES, Role
from beatbook.places.models import Beat
from beatbook.roster.choices import UnitStatus
from beatbook.roster.exceptions import AlarmAlreadyAcknowledged, NoOpenPatrol, PatrolAlreadyOpen
from beatbook.roster.models import Checkpoint, EmergencyAlarm, PatrolLog, Shift, Unit

SCHEDULE_ROLES = {Role.SUPERVISOR, Role.ADMIN}


def _require_self_or_dispatch(actor: Actor, unit: Unit, *, action: str) -> None:
    if getattr(actor, "pk", None) == unit.user_id:
        return
    require_role(actor, DISPATCH_ROLES, action=action)


@transaction.atomic
def shift_create(
    *, actor: Actor, user: User, starts_at: dt.datetime, ends_at: dt.datetime
) -> Shift:
    require_role(actor, SCHEDULE_ROLES, action="schedule shifts")
    if ends_at <= starts_at:
        raise ValidationFailed("A shift must end after it starts.", field="ends_at")
    shift = Shift(user=user, starts_at=starts_at, ends_at=ends_at)
    shift.full_clean()
    shift.save()
    history_record(obj=shift, actor=actor, verb="shift scheduled")
    return shift


@transaction.atomic
def unit_status_set(*, actor: Actor, unit: Unit, status: str, reason: str = "") -> Unit:
    """Change a unit's status; the CSO may change their own, dispatch anyone's."""
    _require_self_or_dispatch(actor, unit, action="change another unit's status")
    if status not in UnitStatus.values:
        raise ValidationFailed(f"{status!r} is not a unit status.", field="status")
    if unit.status == status:
        return unit
    previous = unit.status
    unit.status = status
    unit.status_changed_at = timezone.now()
    unit.save(update_fields=["status", "status_changed_at", "updated_at"])
    history_record(
        obj=unit,
        actor=actor,
        verb="status changed",
        data={"from": previous, "to": status, "reason": reason},
    )
    return unit


@transaction.atomic
def unit_position_set(*, actor: Actor, unit: Unit, lat: float, lon: float) -> Unit:
    _require_self_or_dispatch(actor, unit, action="move another unit")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed(f"{lat}, {lon} is not a valid position.", field="position")
    unit.lat, unit.lon, unit.position_at = lat, lon, timezone.now()
    # Positions arrive every few seconds from phones; they are not kept in the history.
    unit.save(update_fields=["lat", "lon", "position_at", "updated_at"])
    return unit


@transaction.atomic
def patrol_start(*, actor: Actor, unit: Unit, beat: Beat) -> PatrolLog:
    _require_self_or_dispatch(actor, unit, action="start a patrol for another unit")
    try:
        with transaction.atomic():
            patrol = PatrolLog.objects.create(unit=unit, beat=beat, started_at=timezone.now())
    except IntegrityError:
        raise PatrolAlreadyOpen("End your current patrol before starting another.") from None
    history_record(obj=patrol, actor=actor, verb="patrol started", data={"beat": beat.name})
    return patrol


@transaction.atomic
def patrol_end(*, actor: Actor, unit: Unit, notes: str = "") -> PatrolLog:
    _require_self_or_dispatch(actor, unit, action="end another unit's patrol")
    patrol = PatrolLog.objects.select_for_update().filter(unit=unit, ended_at__isnull=True).first()
    if patrol is None:
        raise NoOpenPatrol("There is no patrol in progress to end.")
    patrol.ended_at = timezone.now()
    patrol.notes = notes
    patrol.save(update_fields=["ended_at", "notes", "updated_at"])
    history_record(obj=patrol, actor=actor, verb="patrol ended")
    return patrol


@transaction.atomic
def checkpoint_add(
    *,
    actor: Actor,
    unit: Unit,
    label: str,
    note: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Checkpoint:
    _require_self_or_dispatch(actor, unit, action="log checkpoints for another unit")
    patrol = PatrolLog.objects.filter(unit=unit, ended_at__isnull=True).first()
    if patrol is None:
        raise NoOpenPatrol("Start a patrol before logging checkpoints.")
    if not label.strip():
        raise ValidationFailed("Name the place you checked.", field="label")
    checkpoint = Checkpoint.objects.create(
        patrol=patrol, at=timezone.now(), label=label.strip(), note=note.strip(), lat=lat, lon=lon
    )
    history_record(
        obj=patrol, actor=actor, verb="checkpoint logged", data={"label": checkpoint.label}
    )
    return checkpoint


@transaction.atomic
def alarm_raise(
    *, actor: Actor, unit: Unit, lat: float | None = None, lon: float | None = None
) -> EmergencyAlarm:
    if getattr(actor, "pk", None) != unit.user_id:
        raise PermissionDenied("Only the CSO in danger can raise their emergency alarm.")
    if lat is not None and lon is not None:
        unit_position_set(actor=actor, unit=unit, lat=lat, lon=lon)
    alarm = EmergencyAlarm.objects.create(
        unit=unit,
        raised_at=timezone.now(),
        lat=lat if lat is not None else unit.lat,
        lon=lon if lon is not None else unit.lon,
    )
    history_record(
        obj=alarm, actor=actor, verb="emergency raised", data={"lat": alarm.lat, "lon": alarm.lon}
    )
    return alarm


@transaction.atomic
def alarm_acknowledge(*, actor: Actor, alarm: EmergencyAlarm) -> EmergencyAlarm:
    require_role(actor, DISPATCH_ROLES, action="acknowledge emergency alarms")
    locked = EmergencyAlarm.objects.select_for_update().get(pk=alarm.pk)
    if locked.acknowledged_at is not None:
        raise AlarmAlreadyAcknowledged(
            f"Already acknowledged by {locked.acknowledged_by} at "
            f"{timezone.localtime(locked.acknowledged_at):%H:%M:%S}."
        )
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = actor  # type: ignore[assignment]
    locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    history_record(obj=locked, actor=actor, verb="emergency acknowledged")
    return locked
