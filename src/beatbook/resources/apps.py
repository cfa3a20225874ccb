from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "beatbook.resources"
    label = "resources"
    verbose_name = "Resource directory and referrals"
