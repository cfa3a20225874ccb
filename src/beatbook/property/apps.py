from django.apps import AppConfig


class PropertyConfig(AppConfig):
    name = "beatbook.property"
    label = "property"
    verbose_name = "Property room and chain of custody"

    def ready(self) -> None:
        from beatbook.property import guards  # noqa: F401  (registers the append-only guard)
