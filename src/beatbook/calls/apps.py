from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "beatbook.calls"
    label = "calls"
    verbose_name = "Calls for service"

    def ready(self) -> None:
        from beatbook.calls.activity import calls_worked
        from beatbook.core.activity import activity_provider_register

        activity_provider_register("call", calls_worked)
