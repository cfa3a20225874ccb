"""System checks that refuse unsafe production configuration."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key_is_not_placeholder(app_configs: Any, **kwargs: Any) -> list[Error]:
    from beatbook.config.settings import PLACEHOLDER_SECRET_KEY

    if settings.SECRET_KEY == PLACEHOLDER_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development placeholder; set SECRET_KEY or SECRET_KEY_FILE.",
                id="beatbook.E001",
            )
        ]
    return []
