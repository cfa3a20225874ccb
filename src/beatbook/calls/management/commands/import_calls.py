from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from tqdm import tqdm

from beatbook.calls.importing.coverage import Coverage, import_coverage
from beatbook.calls.importing.mapping import MappingError, mapping_load, mapping_names
from beatbook.calls.importing.preview import Preview, import_preview
from beatbook.calls.importing.reading import ImportFileError
from beatbook.calls.importing.run import BATCH, Progress, calls_import

SHOWN = 5  # codes of each kind in the summary; the page and its TOML have them all


class Command(BaseCommand):
    help = (
        f"beatbook import calls FILE --mapping {'|'.join(mapping_names())}|PATH.toml "
        "[--rejects FILE] [--update] [--check]: import a city's calls for service. Bad rows go "
        "to the rejects file with their line and reason; re-running the same file adds "
        "nothing, and with --update a corrected mapping is applied to the rows imported "
        "before. --check says what the import would do and writes nothing. Writing a "
        "mapping for another city: docs/importing.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True)
        parser.add_argument("--rejects", type=Path, help="default: FILE.rejects.csv")
        parser.add_argument("--batch-size", type=int, default=BATCH)
        parser.add_argument(
            "--check",
            action="store_true",
            help="read and map the whole file and say what the import would do (rows, "
            "rejects, codes left without a Beatbook value), writing nothing",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="rows imported before take this file's values where they differ "
            "(after correcting the mapping); without it they are left as they are",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"{path}: no such file.")
        if not path.is_file():
            raise CommandError(f"{path}: not a file; give the calls export's CSV file.")
        rejects = options["rejects"] or path.with_suffix(path.suffix + ".rejects.csv")
        try:
            mapping = mapping_load(options["mapping"])
            with tqdm(unit="row", desc=path.name, disable=None) as bar:

                def show(p: Progress) -> None:
                    bar.total = p.total
                    bar.update(p.done - bar.n)
                    bar.set_postfix(imported=p.imported, rejected=p.rejected)

                if options["check"]:
                    preview = import_preview(
                        path=path, mapping=mapping, progress=show, batch_size=options["batch_size"]
                    )
                else:
                    run = calls_import(
                        path=path,
                        mapping=mapping,
                        rejects_path=rejects,
                        started_by="beatbook import calls",
                        progress=show,
                        batch_size=options["batch_size"],
                        update=options["update"],
                    )
        except (MappingError, ImportFileError) as exc:
            raise CommandError(str(exc)) from None
        if options["check"]:
            self._preview(path, preview)
            return
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {run.message}."))
        if run.rows_rejected:
            self.stdout.write(f"Rejected rows, with line and reason: {rejects}")
        coverage = import_coverage(run.source, limit=SHOWN)
        self._coverage(coverage, "rows of source")
        if coverage.call_types or coverage.beats or coverage.dispositions:
            page = reverse("analytics:import_coverage", args=[run.pk])
            self.stdout.write(
                f"All of them, as TOML tables to add to the mapping: "
                f"{settings.BEATBOOK_PUBLIC_URL.rstrip('/')}{page}; then import again "
                "with --update."
            )

    def _preview(self, path: Path, preview: Preview) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: checked, nothing written. Of its {preview.records:,} records, "
                f"{preview.importable:,} would be imported ({preview.new:,} new, "
                f"{preview.already_there:,} already there) and {preview.rejected:,} rejected."
            )
        )
        for line, reason in preview.rejects[:SHOWN]:
            self.stdout.write(f"  line {line}: {reason}")
        if preview.rejected > SHOWN:
            self.stdout.write(
                f"  … and {preview.rejected - SHOWN:,} more; the import lists them all."
            )
        if preview.zone_doubt:
            self.stdout.write(self.style.WARNING(preview.zone_doubt))
        self._coverage(preview.coverage.first(SHOWN), "rows it would import with mapping")

    def _coverage(self, coverage: Coverage, rows: str) -> None:
        """What the mapping left, for whoever ran the import to correct it now."""
        shares = ", ".join(f"{s.percent:.0f} % got {s.label}" for s in coverage.shares)
        self.stdout.write(f"Of the {coverage.rows:,} {rows} {coverage.source!r}, {shares}.")
        if coverage.first_day is not None:
            empty = coverage.empty_days
            gaps = ""
            if empty:
                listed = ", ".join(d.isoformat() for d in empty[:SHOWN])
                more = f" and {len(empty) - SHOWN} more" if len(empty) > SHOWN else ""
                gaps = f"; {len(empty)} days without a single call: {listed}{more}"
            self.stdout.write(f"  From {coverage.first_day} to {coverage.last_day}{gaps}.")
        for label, codes in (
            ("Call types with no Beatbook call type", coverage.call_types),
            ("Beat codes that are no beat of ours", coverage.beats),
            ("Dispositions with no Beatbook disposition", coverage.dispositions),
        ):
            if codes:
                listed = ", ".join(f"{c.code} ({c.rows:,})" for c in codes)
                self.stdout.write(f"  {label}, most frequent first (rows): {listed}")
