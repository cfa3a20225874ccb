"""Staff roles. They live in core because every app's scoping rules refer to them."""

from django.db import models


class Role(models.TextChoices):
    CSO = "cso", "Community service officer"
    DISPATCHER = "dispatcher", "Dispatcher / desk clerk"
    SUPERVISOR = "supervisor", "Supervisor"
    ANALYST = "analyst", "Analyst / program coordinator"
    ADMIN = "admin", "Administrator"
    VICTIM_SERVICES = "victim_services", "Victim services"


DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})
BOARD_ROLES = DISPATCH_ROLES
FIELD_ROLES = frozenset({Role.CSO})
EVERY_ROLE = frozenset(Role)
# Victim advocates work only in victim assistance and the resource directory.
ALL_STAFF_ROLES = frozenset(Role) - {Role.VICTIM_SERVICES}
READ_ALL_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})
# The analytics pages, their CSVs and the links to them from events, cases and groups.
ANALYTICS_ROLES = frozenset({Role.ANALYST, Role.SUPERVISOR, Role.ADMIN})
# Bringing a city's call history in, correcting or removing it: it changes every figure of
# the analytics pages.
CALL_IMPORT_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
