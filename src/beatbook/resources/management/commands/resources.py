import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from beatbook.core.actors import SYSTEM
from beatbook.core.exceptions import DomainError
from beatbook.resources.exceptions import DirectoryImportRejected
from beatbook.resources.services import directory, ohana, referrals


class Command(BaseCommand):
    help = (
        "The resource directory. `beatbook resources import-ohana FOLDER`: the older Ohana CSVs "
        "(bad rows reported by file and line, the rest kept; a re-run changes nothing). "
        "`beatbook resources import FILE`: an HSDS 3.0 JSON document or zipped tabular package "
        "(all or nothing). `beatbook resources export FILE` (.json or .zip). "
        "`beatbook resources remind`: referrals with no answer and services not verified lately "
        "(run daily)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import-ohana", "import", "export", "remind"])
        parser.add_argument("path", nargs="?", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        action, path = options["action"], options["path"]
        if action == "remind":
            sent = referrals.referral_follow_up_remind()
            self.stdout.write(self.style.SUCCESS(f"{sent} referral follow-up reminder(s) sent."))
            warned = referrals.stale_services_warn()
            self.stdout.write(self.style.SUCCESS(f"{warned} unverified-services notice(s) sent."))
            return
        if path is None:
            raise CommandError(f"beatbook resources {action} needs a path")
        if action == "export":
            if path.suffix == ".zip":
                path.write_bytes(directory.directory_package_zip())
            else:
                document = directory.directory_document()
                path.write_text(
                    json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8"
                )
            self.stdout.write(self.style.SUCCESS(f"Directory written to {path}."))
            return
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        try:
            if action == "import-ohana":
                if not path.is_dir():
                    raise CommandError(f"{path}: give the folder that holds organizations.csv")
                result = ohana.ohana_import(actor=SYSTEM, folder=path)
                counts = {name: len(rows) for name, rows in result.rows.items()}
                for line in result.rejects:
                    self.stderr.write(f"rejected: {line}")
                for line in result.notes:
                    self.stdout.write(f"note: {line}")
            else:
                imported = directory.directory_import_upload(
                    actor=SYSTEM, name=path.name, data=path.read_bytes()
                )
                counts = imported.counts
                if imported.skipped_tables:
                    self.stdout.write(
                        "note: left out, as Beatbook keeps no such records: "
                        + ", ".join(imported.skipped_tables)
                    )
        except DirectoryImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"{path}: nothing imported ({len(exc.problems)} problem(s))"
            ) from None
        except (DomainError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        summary = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(f"Imported {summary}."))
