from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatbook.property.services import custody_checkpoint, custody_verify, fixity_sweep


class Command(BaseCommand):
    help = (
        "beatbook custody verify: check every item's chain of custody and the latest signed "
        "checkpoint. beatbook custody checkpoint: write a new signed checkpoint (daily). "
        "beatbook custody fixity: re-hash every stored photo, quarantine and report changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint", "fixity"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fixity":
            fixity = fixity_sweep()
            for failure in fixity.failures:
                self.stderr.write(f"CHANGED: {failure}")
            if fixity.failures:
                raise CommandError(f"{len(fixity.failures)} of {fixity.files} files changed.")
            self.stdout.write(self.style.SUCCESS(f"{fixity.files} files match their SHA-256."))
            return
        if options["action"] == "checkpoint":
            self.stdout.write(self.style.SUCCESS(f"Checkpoint written: {custody_checkpoint()}"))
            return
        result = custody_verify()
        for broken in result.breaks:
            self.stderr.write(f"BROKEN: {broken}")
        against = (
            f" and checkpoint {result.checkpoint}" if result.checkpoint else " (no checkpoint yet)"
        )
        if result.breaks:
            raise CommandError(f"{len(result.breaks)} break(s) in {result.items} chains.")
        self.stdout.write(
            self.style.SUCCESS(f"{result.items} chains, {result.events} events verified{against}.")
        )
