from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "beatbook.core"
    label = "core"
    verbose_name = "Beatbook core"

    def ready(self) -> None:
        from beatbook.core import checks, guards  # noqa: F401  (registers checks and guards)
