from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "beatbook.outreach"
    label = "outreach"
    verbose_name = "Community outreach"
