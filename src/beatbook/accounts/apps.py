from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "beatbook.accounts"
    label = "accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        from beatbook.accounts import signals  # noqa: F401
