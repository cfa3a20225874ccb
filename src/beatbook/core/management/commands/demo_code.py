import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from beatbook.demo.builder import demo_logins


class Command(BaseCommand):
    help = "Print the current authenticator code for a demo login (for people without an app)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role")

    def handle(self, *args: Any, **options: Any) -> None:
        import base64

        path = settings.VAR_DIR / "demo-logins.json"
        if not path.exists():
            raise CommandError(f"{path} is missing: run ./run demo first.")
        logins = demo_logins(json.loads(path.read_text()))
        login = logins.get(options["role"])
        if login is None:
            raise CommandError(
                f"No demo login for role {options['role']!r}; roles: {', '.join(sorted(logins))}."
            )
        key = base64.b32decode(login["totp_secret"])
        self.stdout.write(f"{totp(key):06d}")
