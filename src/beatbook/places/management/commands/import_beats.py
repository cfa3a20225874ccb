import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from beatbook.core.actors import SYSTEM
from beatbook.core.exceptions import DomainError
from beatbook.places.services import beats_import


class Command(BaseCommand):
    help = "Import beat polygons from a GeoJSON FeatureCollection (beatbook import beats FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--name-property",
            default="beat",
            help="feature property holding the beat name (default: beat)",
        )
        parser.add_argument(
            "--sector-property",
            default="",
            help="feature property holding the sector or district, if any",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            collection = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file") from None
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
        total = len(collection.get("features") or []) if isinstance(collection, dict) else 0
        with tqdm(total=total, unit="beat", desc="beats", disable=None) as bar:
            try:
                result = beats_import(
                    actor=SYSTEM,
                    collection=collection,
                    name_property=options["name_property"],
                    sector_property=options["sector_property"],
                    progress=bar.update,
                )
            except DomainError as exc:
                raise CommandError(f"{path}: {exc.message}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} beats created, {result.updated} updated from {path}."
            )
        )
