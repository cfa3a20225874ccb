"""The `beatbook` command: Django's management commands, with `import <kind>` spelled naturally."""

from __future__ import annotations

import os
import sys


def _translate(argv: list[str]) -> list[str]:
    # `beatbook import beats FILE` reads better than `import_beats`; Django needs one word.
    if len(argv) >= 2 and argv[0] == "import":
        return [f"import_{argv[1]}", *argv[2:]]
    return argv


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beatbook.config.settings")
    from django.core.management import execute_from_command_line

    args = _translate(list(sys.argv[1:] if argv is None else argv))
    if args and args[0] == "import_":
        print(
            "usage: beatbook import {beats,addresses,ordinances,calls} FILE [options]",
            file=sys.stderr,
        )
        raise SystemExit(2)
    execute_from_command_line(["beatbook", *args])


if __name__ == "__main__":
    main()
