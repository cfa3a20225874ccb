from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "beatbook.roster"
    label = "roster"
    verbose_name = "Roster, units and patrols"

    def ready(self) -> None:
        from beatbook.core.activity import activity_provider_register
        from beatbook.roster.activity import patrols

        activity_provider_register("patrol", patrols)
