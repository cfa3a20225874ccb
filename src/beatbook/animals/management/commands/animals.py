from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from beatbook.animals.services import quarantine_reminders_send


class Command(BaseCommand):
    help = (
        "beatbook animals remind: e-mail the handler of every bite quarantine that has ended "
        "(run daily; each quarantine is reminded of once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["remind"])

    def handle(self, *args: Any, **options: Any) -> None:
        sent = quarantine_reminders_send()
        self.stdout.write(self.style.SUCCESS(f"{sent} quarantine reminder(s) sent."))
