from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "beatbook.core"
    label = "core"
    verbose_name = "Beatbook core"

    def ready(self) -> None:
        # Registered on import: checks, guards and the after-response signal receivers.
        from beatbook.core import after_response, checks, guards  # noqa: F401
