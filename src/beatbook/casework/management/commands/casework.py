from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from beatbook.casework.services.mediation import follow_ups_due_remind, session_reminders_send
from beatbook.casework.services.victims import victim_follow_ups_remind


class Command(BaseCommand):
    help = (
        "beatbook casework remind: remind parties and mediators of sessions in the next 36 "
        "hours (once each), mediators of follow-ups due, and victim-assistance staff of follow-up "
        "contacts due (a count and a link only; run daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["remind"])

    def handle(self, *args: Any, **options: Any) -> None:
        sent = session_reminders_send()
        self.stdout.write(self.style.SUCCESS(f"{sent} session reminder(s) sent."))
        due = follow_ups_due_remind()
        self.stdout.write(self.style.SUCCESS(f"{due} follow-up reminder(s) sent."))
        victims = victim_follow_ups_remind()
        self.stdout.write(self.style.SUCCESS(f"{victims} victim follow-up notice(s) sent."))
