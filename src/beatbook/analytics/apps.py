from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "beatbook.analytics"
    label = "analytics"
    verbose_name = "Analytics"
