from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call
from beatbook.core.roles import Role
from beatbook.roster.models import Unit

pytestmark = pytest.mark.django_db


def test_demo_builds_a_working_agency_quickly_and_reuses_it(tmp_path: Path, capsys: Any) -> None:
    logins = tmp_path / "demo-logins.json"
    started = time.monotonic()
    call_command("demo", "--logins", str(logins), "--url", "http://127.0.0.1:8123/")
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert elapsed < 60
    assert "sign in at http://127.0.0.1:8123/" in out
    data = json.loads(logins.read_text())
    assert set(Role.values) <= set(data)
    for role in Role.values:
        assert data[role]["username"] in out
        assert data[role]["password"] in out
        assert len(data[role]["totp_secret"]) == 32
    assert data["tokens"]["dispatcher"].startswith("bb_")
    assert oct(logins.stat().st_mode & 0o777) == "0o600"

    closed = Call.objects.filter(status=CallStatus.CLEARED)
    assert 3000 < closed.count() < 5000
    assert Unit.objects.count() == 20
    assert Unit.objects.on_duty().count() >= 12
    open_calls = Call.objects.open()
    assert open_calls.filter(status=CallStatus.QUEUED).count() >= 4
    assert open_calls.filter(needs_escalation=True).count() == 1
    assert open_calls.exclude(possible_duplicate_of=None).count() == 1
    # Believable rhythm: afternoons are busier than the small hours.
    from django.utils import timezone

    hours = [timezone.localtime(c.received_at).hour for c in closed.only("received_at")]
    assert sum(1 for h in hours if 14 <= h < 18) > 4 * sum(1 for h in hours if 2 <= h < 6)

    call_command("demo", "--logins", str(logins))
    assert "already exists; reusing it" in capsys.readouterr().out
    assert Call.objects.filter(status=CallStatus.CLEARED).count() == closed.count()


def test_demo_code_prints_the_current_authenticator_code(
    tmp_path: Path, capsys: Any, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path
    call_command("demo", "--logins", str(tmp_path / "demo-logins.json"))
    capsys.readouterr()
    call_command("demo_code", "dispatcher")
    code = capsys.readouterr().out.strip()
    assert len(code) == 6
    assert code.isdigit()
