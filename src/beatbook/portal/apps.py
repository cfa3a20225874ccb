from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "beatbook.portal"
    label = "portal"
    verbose_name = "Resident portal"
