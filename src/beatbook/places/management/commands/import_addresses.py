from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from beatbook.core.actors import SYSTEM
from beatbook.core.exceptions import DomainError
from beatbook.places.services import address_rows, addresses_import


class Command(BaseCommand):
    help = (
        "Import the local address table from CSV with columns number, street, lat, lon "
        "(and optional city, postal_code): beatbook import addresses FILE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--rejects",
            type=Path,
            default=None,
            help="write rejected rows (line and reason) to this CSV file",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        with path.open(encoding="utf-8-sig", newline="") as lines:
            total = sum(1 for _ in lines) - 1
        with (
            path.open(encoding="utf-8-sig", newline="") as lines,
            tqdm(total=total, unit="row", desc="addresses", disable=None) as bar,
        ):
            try:
                result = addresses_import(
                    actor=SYSTEM,
                    rows=address_rows(lines),
                    progress=bar.update,
                )
            except DomainError as exc:
                raise CommandError(f"{path}: {exc.message}") from None
        for line, reason in result.rejects[:20]:
            self.stderr.write(f"{path}:{line}: {reason}")
        if options["rejects"] and result.rejects:
            options["rejects"].write_text(
                "line,reason\n" + "".join(f'{line},"{reason}"\n' for line, reason in result.rejects)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.imported} addresses read, {len(result.rejects)} rejected from {path}."
            )
        )
