from django.apps import AppConfig


class CitationsConfig(AppConfig):
    name = "beatbook.citations"
    label = "citations"
    verbose_name = "Citations and ordinances"

    def ready(self) -> None:
        from beatbook.citations.activity import citations_issued
        from beatbook.core.activity import activity_provider_register

        activity_provider_register("citation", citations_issued)
