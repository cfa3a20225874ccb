from typing import Any

from django.core.management.base import BaseCommand, CommandError

from beatbook.core.actors import SYSTEM
from beatbook.records.services import attachments_fixity_sweep


class Command(BaseCommand):
    help = "Check every report attachment against its SHA-256; quarantine any that changed."

    def handle(self, *args: Any, **options: Any) -> None:
        result = attachments_fixity_sweep(actor=SYSTEM)
        for failure in result.failed:
            self.stderr.write(f"changed since upload, quarantined: {failure}")
        if result.failed:
            raise CommandError(f"{len(result.failed)} of {result.checked} attachments failed.")
        self.stdout.write(self.style.SUCCESS(f"{result.checked} attachments verified."))
