from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from beatbook.outreach.services.feedback import event_feedback_invite
from beatbook.outreach.services.volunteers import vetting_expiry_warn


class Command(BaseCommand):
    help = (
        "beatbook outreach remind [--days N]: warn volunteers and the coordinators about "
        "background checks and trainings that run out within N days (default 30), and invite "
        "the people who came to events that ended in the last two days to give feedback (run "
        "daily; each check and each registration is written to once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["remind"])
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        sent = vetting_expiry_warn(within_days=options["days"])
        self.stdout.write(self.style.SUCCESS(f"{sent} vetting expiry warning(s) sent."))
        invited = event_feedback_invite()
        self.stdout.write(self.style.SUCCESS(f"{invited} event feedback invitation(s) sent."))
