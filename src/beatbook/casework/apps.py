from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "beatbook.casework"
    label = "casework"
    verbose_name = "Casework: mediation and victim assistance"
