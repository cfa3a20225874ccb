from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "beatbook.alerts"
    label = "alerts"
    verbose_name = "Public alerts"
