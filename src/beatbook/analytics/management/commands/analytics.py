import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from beatbook.analytics.rollups import rollups_check, rollups_rebuild
from beatbook.calls.importing.uploads import checked_uploads_expire


class Command(BaseCommand):
    help = (
        "beatbook analytics rebuild: recompute the dashboards' rollups from every call on "
        "record (after an upgrade or a manual data fix). beatbook analytics check: compare the "
        "rollups with the calls and name every week that differs. beatbook analytics expire: "
        "discard the uploads only checked and not imported within "
        "BEATBOOK_CHECKED_UPLOAD_DAYS (daily, from cron)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "check", "expire"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "expire":
            expired = checked_uploads_expire()
            for run in expired:
                self.stdout.write(
                    f"Discarded {run.file_name} (checked {run.finished_at:%Y-%m-%d})."
                )
            self.stdout.write(
                self.style.SUCCESS(f"{len(expired)} checked upload(s) not imported, discarded.")
            )
            return
        if options["action"] == "rebuild":
            started = time.perf_counter()
            with tqdm(unit="quarter", desc="rollups", disable=None) as bar:

                def show(done: int, steps: int) -> None:
                    bar.total = steps
                    bar.update(done - bar.n)

                rollups_rebuild(progress=show)
            took = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Rollups rebuilt in {took:.1f} s."))
            return
        differences = rollups_check()
        for line in differences:
            self.stderr.write(f"DIFFERS: {line}")
        if differences:
            raise CommandError(
                f"{len(differences)} week(s) differ; run `beatbook analytics rebuild`."
            )
        self.stdout.write(self.style.SUCCESS("Rollups match the calls."))
