from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatbook.citations.services import ordinances_import
from beatbook.core.actors import SYSTEM
from beatbook.core.exceptions import DomainError


class Command(BaseCommand):
    help = "Import the ordinance library from CSV (beatbook import ordinances FILE.csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        with path.open(encoding="utf-8-sig", newline="") as lines:
            try:
                result = ordinances_import(actor=SYSTEM, lines=lines)
            except DomainError as exc:
                raise CommandError(f"{path}: {exc.message}") from None
        for line, reason in result.rejects:
            self.stderr.write(f"{path}:{line}: {reason}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} ordinances created, {result.updated} updated, "
                f"{len(result.rejects)} rejected from {path}."
            )
        )
