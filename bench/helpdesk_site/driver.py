"""The django-helpdesk side of B2/B3, driven over stdin/stdout by bench/run.py.

Commands, one per line, each answered with one JSON line:
  setup N        build the test database, one queue, a staff user with an API token and N
                 tickets (a fifth of them open) -> {"open": count}
  create K       K ticket creates through POST /helpdesk/api/tickets/ -> {"us": per request}
  list K         K lists of the open tickets, 1000 a page -> {"us": ..., "rows": count}
  quit           drop the test database
Requests go through Django's WSGI handler in this process, as Beatbook's do in the parent,
so neither side pays for a socket."""

from __future__ import annotations

import io
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.helpdesk_site.settings"

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.common import copies_sql  # noqa: E402

OPEN = 1  # helpdesk's Ticket.OPEN_STATUS


def _request(app: WSGIHandler, method: str, path: str, token: str, **extra: Any) -> bytes:
    body = extra.pop("body", b"")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": extra.pop("query", ""),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Token {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
    }
    status: list[str] = []
    answer = b"".join(app(environ, lambda s, h: status.append(s)))
    if not status[0].startswith(("200", "201")):
        raise RuntimeError(f"helpdesk answered {status[0]}: {answer[:300]!r}")
    return answer


def setup(n: int) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from helpdesk.models import Queue, Ticket
    from rest_framework.authtoken.models import Token

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    queue = Queue.objects.create(title="Noise", slug="noise", allow_public_submission=True)
    staff = User.objects.create_user("bench", "bench@example.org", "x", is_staff=True)
    token = Token.objects.create(user=staff).key
    app = WSGIHandler()
    body = json.dumps(
        {
            "queue": queue.pk,
            "title": "Loud music",
            "description": "Party with loud music next door",
            "submitter_email": "resident@example.org",
            "priority": 3,
        }
    ).encode()
    _request(app, "POST", "/helpdesk/api/tickets/", token, body=body)
    template = Ticket.objects.latest("pk")
    columns = [f.column for f in Ticket._meta.concrete_fields if f.column != "id"]
    x, minutes, source = copies_sql(postgresql=connection.vendor == "postgresql", n=n)
    override = {
        "created": minutes,
        "modified": minutes,
        "status": f"CASE WHEN {x} %% 5 = 0 THEN {OPEN} ELSE 4 END",
        "secret_key": f"'k' || {x}",
    }
    select = ", ".join(override.get(c, f"t.{c}") for c in columns)
    table = Ticket._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
            f"SELECT {select} FROM {source}, {table} AS t WHERE t.id = %s",
            [template.pk],
        )
        cursor.execute(f"ANALYZE {table}")  # noqa: S608
    state.update(app=app, token=token, body=body)
    return {"open": Ticket.objects.filter(status=OPEN).count()}


def timed(fn: Callable[[], Any], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1e6


def create(k: int) -> dict[str, Any]:
    app, token, body = state["app"], state["token"], state["body"]
    return {
        "us": timed(lambda: _request(app, "POST", "/helpdesk/api/tickets/", token, body=body), k)
    }


def list_open(k: int) -> dict[str, Any]:
    app, token = state["app"], state["token"]
    answers: list[bytes] = []

    def run() -> None:
        answers.append(
            _request(
                app, "GET", "/helpdesk/api/tickets/", token, query=f"status={OPEN}&page_size=1000"
            )
        )

    us = timed(run, k)
    return {"us": us, "rows": len(json.loads(answers[-1])["results"])}


state: dict[str, Any] = {}


def main() -> None:
    commands = {"setup": setup, "create": create, "list": list_open}
    for line in sys.stdin:
        name, _, arg = line.strip().partition(" ")
        if name == "quit":
            connection.creation.destroy_test_db("unused", verbosity=0)
            print(json.dumps({"ok": True}), flush=True)
            return
        print(json.dumps(commands[name](int(arg))), flush=True)


if __name__ == "__main__":
    main()
