from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "beatbook.calls"
    label = "calls"
    verbose_name = "Calls for service"
