from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language


def portal(request: HttpRequest) -> dict[str, Any]:
    """The same page in the other languages, and the numbers residents need."""
    current = (get_language() or "en")[:2]
    path = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": translate_url(path, code),
                "active": code == current,
            }
            for code, name in settings.LANGUAGES
        ],
        "non_emergency_phone": settings.BEATBOOK_NON_EMERGENCY_PHONE,
    }
