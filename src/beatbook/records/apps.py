from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "beatbook.records"
    label = "records"
    verbose_name = "Reports and daily activity"

    def ready(self) -> None:
        from beatbook.core.activity import activity_provider_register
        from beatbook.records.activity import reports_written

        activity_provider_register("report", reports_written)
