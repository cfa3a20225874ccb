from beatbook.core.exceptions import DomainError, InvalidTransition


class PatrolAlreadyOpen(InvalidTransition):
    """A unit may patrol one beat at a time."""

    code = "patrol_already_open"


class NoOpenPatrol(InvalidTransition):
    code = "no_open_patrol"


class AlarmAlreadyAcknowledged(InvalidTransition):
    code = "alarm_already_acknowledged"


class UnitMissing(DomainError):
    """The user has no unit, so cannot take field actions."""

    code = "unit_missing"
    http_status = 409
