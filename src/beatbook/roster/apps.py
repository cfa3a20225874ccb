from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "beatbook.roster"
    label = "roster"
    verbose_name = "Roster, units and patrols"
