"""Outreach writes, one module per sub-domain; the names are re-exported here so callers
write `outreach.services.event_create` whichever module holds it."""

from beatbook.outreach.services.events import (
    APPROVERS,
    EVENT_FIELDS,
    ORGANISERS,
    SCHEDULING_FIELDS,
    event_cancel,
    event_create,
    event_update,
    event_walk_ins_set,
    follow_up_add,
    follow_up_done,
    material_record,
    registration_attendance_set,
    registration_cancel,
    registration_create,
    registration_decide,
    registration_notify_send,
)

__all__ = [
    "APPROVERS",
    "EVENT_FIELDS",
    "ORGANISERS",
    "SCHEDULING_FIELDS",
    "event_cancel",
    "event_create",
    "event_update",
    "event_walk_ins_set",
    "follow_up_add",
    "follow_up_done",
    "material_record",
    "registration_attendance_set",
    "registration_cancel",
    "registration_create",
    "registration_decide",
    "registration_notify_send",
]
