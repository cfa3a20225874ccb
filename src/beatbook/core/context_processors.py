from typing import Any

from django.conf import settings
from django.http import HttpRequest

from beatbook.core.roles import DISPATCH_ROLES


def beatbook(request: HttpRequest) -> dict[str, Any]:
    return {
        "agency_name": settings.BEATBOOK_AGENCY_NAME,
        "map_tile_url": settings.BEATBOOK_MAP_TILE_URL,
        "board_poll_seconds": settings.BEATBOOK_BOARD_POLL_SECONDS,
        "idle_seconds": settings.BEATBOOK_SESSION_IDLE_SECONDS,
        "can_dispatch": getattr(getattr(request, "user", None), "role", "") in DISPATCH_ROLES,
    }
