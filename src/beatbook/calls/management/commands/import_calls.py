from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from beatbook.calls.importing.mapping import MappingError, mapping_load, mapping_names
from beatbook.calls.importing.reading import ImportFileError
from beatbook.calls.importing.run import BATCH, Progress, calls_import


class Command(BaseCommand):
    help = (
        f"beatbook import calls FILE --mapping {'|'.join(mapping_names())}|PATH.toml "
        "[--rejects FILE] [--update]: import a city's calls for service. Bad rows go to the "
        "rejects file with their line and reason; re-running the same file adds nothing, "
        "and with --update a corrected mapping is applied to the rows imported before."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True)
        parser.add_argument("--rejects", type=Path, help="default: FILE.rejects.csv")
        parser.add_argument("--batch-size", type=int, default=BATCH)
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
        rejects = options["rejects"] or path.with_suffix(path.suffix + ".rejects.csv")
        try:
            mapping = mapping_load(options["mapping"])
            with tqdm(unit="row", desc=path.name, disable=None) as bar:

                def show(p: Progress) -> None:
                    bar.total = p.total
                    bar.update(p.done - bar.n)
                    bar.set_postfix(imported=p.imported, rejected=p.rejected)

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
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {run.message}."))
        if run.rows_rejected:
            self.stdout.write(f"Rejected rows, with line and reason: {rejects}")
