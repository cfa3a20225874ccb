import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from beatbook.demo.builder import demo_build, demo_exists, demo_logins
from beatbook.demo.scale import scale_generate


class Command(BaseCommand):
    help = "Build the demo agency (beats, CSOs, 90 days of calls, a live queue) and print logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logins",
            type=Path,
            default=None,
            help="where to write the logins (default var/demo-logins.json)",
        )
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="the address to print for signing in"
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="also generate this many calls of a mid-size city (deterministic) for analytics",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["logins"] or settings.VAR_DIR / "demo-logins.json"
        if demo_exists():
            if not path.exists():
                raise CommandError(
                    f"The database already holds data but {path} is missing; "
                    "delete the database to rebuild the demo."
                )
            self.stdout.write("The demo agency already exists; reusing it.")
            payload = json.loads(path.read_text())
        else:
            payload = demo_build(
                logins_path=path, progress=lambda step: self.stdout.write(f"  building {step}")
            )
            self.stdout.write(
                self.style.SUCCESS(f"Demo agency built: {payload['history_calls']} closed calls.")
            )
        if options["scale"] > 0:
            self._scale(options["scale"])
        self._print(payload, options["url"], path)

    def _scale(self, n: int) -> None:
        with tqdm(total=n, unit="call", desc="city calls", disable=None) as bar:
            new = scale_generate(n, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(f"{new} generated calls added ({n - new} already there).")
        )

    def _print(self, payload: dict[str, Any], url: str, path: Path) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Beatbook demo: sign in at {url}"))
        self.stdout.write(
            "Each login needs the 6-digit code from an authenticator app set up "
            "with its TOTP secret."
        )
        for role, login in demo_logins(payload).items():
            self.stdout.write(
                f"  {role:<11} user {login['username']:<11} password "
                f"{login['password']}  TOTP secret {login['totp_secret']}"
            )
        self.stdout.write(f"  API token (dispatcher): {payload['tokens']['dispatcher']}")
        self.stdout.write(
            f"  Open311 api_key (registered client app): {payload['keys']['open311']}"
        )
        self.stdout.write(
            f"Residents: {url}portal/ (English) and {url}es/portal/ (Español); "
            f"Open311 at {url}open311/v2/discovery.json"
        )
        if "volunteer_path" in payload:
            self.stdout.write(
                f"A volunteer's own page (no account): {url}{payload['volunteer_path']}"
            )
        self.stdout.write(f"The same is in {path}; `./run totp ROLE` prints a current code.")
