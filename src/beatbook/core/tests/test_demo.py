from __future__ import annotations

import csv
import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call
from beatbook.core.roles import Role
from beatbook.roster.models import Unit

pytestmark = pytest.mark.django_db


def test_demo_builds_a_working_agency_quickly_and_reuses_it(
    tmp_path: Path, capsys: Any, settings: Any
) -> None:
    settings.VAR_DIR = tmp_path  # where ./run totp looks for the logins
    settings.BEATBOOK_IMPORTS_DIR = tmp_path / "imports"
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

    hours = [timezone.localtime(c.received_at).hour for c in closed.only("received_at")]
    assert sum(1 for h in hours if 14 <= h < 18) > 4 * sum(1 for h in hours if 2 <= h < 6)

    _the_programs_story_is_in_the_history()

    call_command("demo", "--logins", str(logins))
    assert "already exists; reusing it" in capsys.readouterr().out
    assert Call.objects.filter(status=CallStatus.CLEARED).count() == closed.count()

    # ./run totp ROLE: the code the dispatcher's authenticator shows now (built into this
    # test: a demo of its own took half a minute).
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=data["dispatcher"]["username"])
    with time_machine.travel(timezone.now(), tick=False):
        call_command("demo_code", "dispatcher")
        assert capsys.readouterr().out.strip() == f"{totp(device.bin_key):06d}"


def test_demo_code_needs_the_demo(tmp_path: Path, settings: Any) -> None:
    from django.core.management.base import CommandError

    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="demo-logins.json is missing: run ./run demo first"):
        call_command("demo_code", "dispatcher")


def _the_programs_story_is_in_the_history() -> None:
    """What an evaluation of the demo program finds: the beat's calls thinned after its block
    watch started, the mediated address quiet since the agreement, escalations both at intake
    and from the scene, survey answers over the whole history."""
    from beatbook.analytics.effectiveness import Place, compare, recent_interventions
    from beatbook.analytics.potential import potential
    from beatbook.analytics.scope import Scope
    from beatbook.analytics.selectors import weekly
    from beatbook.calls.models import CallRecord
    from beatbook.casework.models import MediationCase
    from beatbook.casework.selectors import before_after
    from beatbook.core.history import history_for
    from beatbook.demo.builder import (
        CALLS_PER_DAY,
        CITY_HISTORY_DAYS,
        CITY_HISTORY_SOURCE,
        HISTORY_DAYS,
        WATCH_DAYS_AGO,
    )
    from beatbook.demo.casework import DISPUTES
    from beatbook.outreach.models import Feedback, WatchGroup

    offered = [i for i in recent_interventions() if i.kind == "Watch group started"]
    assert [i.place for i in offered] == ["beat N3"]
    group = WatchGroup.objects.get(name=offered[0].name)
    watch = compare(Place("beat N3", beat_id=group.beat_id), group.started_on, 90)
    assert watch.days == WATCH_DAYS_AGO
    assert watch.after < 0.85 * watch.before
    assert watch.relative_to_rest.value is not None
    assert watch.relative_to_rest.value < 0.85

    settled = DISPUTES[0]
    case = MediationCase.objects.exclude(agreed_at=None).get(beat__name=settled.beat)
    result = before_after(case)
    assert result is not None
    assert settled.agreed_days_ago - 1 <= result["days"] <= settled.agreed_days_ago
    assert result["before_by_type"]["Noise complaint"] >= 5
    assert result["after_by_type"].get("Noise complaint", 0) <= 1
    history = history_for(case)
    assert [e.verb for e in history] == [
        "mediation opened",
        "session scheduled",
        "session recorded",
        "agreement recorded",
        "follow-up recorded",
    ]
    assert history[3].at == case.agreed_at
    assert history[0].at < case.agreed_at < history[4].at < timezone.now()
    assert case.follow_ups.filter(done_at=None).count() == 1  # the 90-day one is still to come

    _casework_has_a_programs_months()

    escalated = Call.objects.filter(status=CallStatus.ESCALATED)
    assert escalated.filter(on_scene_at=None).exists()
    assert escalated.exclude(on_scene_at=None).exists()
    answered = list(Feedback.objects.values_list("created_at", flat=True))
    assert len(answered) == 60
    assert (max(answered) - min(answered)).days > 60

    # Two years of the city's history before the program's own calls: the dashboard's
    # weeks have a year before and a seasonal baseline of two years.
    today = timezone.localdate()
    history = CallRecord.objects.filter(source=CITY_HISTORY_SOURCE)
    assert history.count() == CITY_HISTORY_DAYS * CALLS_PER_DAY
    _the_history_came_in_on_the_imports_page(history.count())
    first_own = today - dt.timedelta(days=HISTORY_DAYS)
    assert timezone.localdate(history.latest("received_at").received_at) < first_own
    weeks = weekly(Scope(start=today - dt.timedelta(days=89), end=today))
    assert all(w.previous_year > 0 and w.baseline for w in weeks)
    assert any(w.baseline != w.previous_year for w in weeks)  # the mean of two years
    # The former CAD held sworn work too: about a quarter of its calls are of sworn-only types.
    could = potential(Scope(first_own - dt.timedelta(days=CITY_HISTORY_DAYS + 1), first_own))
    assert could.imported == history.count()
    assert 0.7 < could.share < 0.8
    assert {t.label for t in could.by_type if not t.eligible} == {
        "Disturbance",
        "Suspicious circumstances",
        "Suspicious person",
        "Reckless driver",
    }


def _the_history_came_in_on_the_imports_page(rows: int) -> None:
    """The analyst imported the former CAD's export: its run, its three rejects, and the
    codes its mapping left out, as the imports page shows them."""
    from beatbook.calls.importing.coverage import import_coverage
    from beatbook.calls.importing.uploads import rejects_path
    from beatbook.calls.models import CallRecord, CodeCorrection, ImportRun
    from beatbook.core.history import history_for

    run = ImportRun.objects.get()
    assert (run.status, run.rows_imported, run.rows_rejected) == ("done", rows, 3)
    assert run.rows_total == rows + 3
    assert run.started_by.startswith("Alex Morgan")
    assert re.fullmatch(r"former-cad-\d{4}-\d\d-to-\d{4}-\d\d\.csv", run.file_name)
    assert [e.verb for e in history_for(run)] == ["import queued", "import done"]
    path = rejects_path(run)
    assert path is not None
    reasons = [line["reason"] for line in csv.DictReader(path.open(encoding="utf-8"))]
    assert len(reasons) == 3
    assert any("0000-00-00" in r for r in reasons)
    assert any("appears twice in this file" in r for r in reasons)
    correction = CodeCorrection.objects.get(source=run.source)
    assert (correction.code, correction.value, correction.pending) == ("PRK", "PARKING", False)
    assert correction.rows_updated == CallRecord.objects.filter(original_code="PRK").count() > 100
    coverage = import_coverage(run.source)
    assert {c.code for c in coverage.call_types} == {"ALARM", "DOM"}
    assert {c.code for c in coverage.dispositions} == {"CAN", "DUP"}
    assert coverage.beats == []
    shares = {s.label: s.percent for s in coverage.shares}
    assert 97 < shares["a Beatbook call type"] < 99
    assert shares["a beat of ours"] == shares["a place on the map"] == 100


def _casework_has_a_programs_months() -> None:
    """Referrals spread over the history, made by the CSO of the call after it closed, in
    every state; agreements whose follow-ups say held, partly kept and broken, and whose
    addresses' calls stopped or came back, as the disputes were written."""
    from django.db.models import Count

    from beatbook.calls.models import CallType
    from beatbook.casework.models import MediationCase, MediationFollowUp
    from beatbook.casework.selectors import before_after
    from beatbook.demo.builder import HISTORY_DAYS
    from beatbook.demo.casework import DISPUTES
    from beatbook.resources.choices import ReferralStatus
    from beatbook.resources.models import Referral

    referrals = Referral.objects.select_related("call__assigned_unit", "referred_by")
    assert referrals.count() >= 40
    made = sorted(r.created_at for r in referrals)
    assert (made[-1] - made[0]).days >= 75
    statuses = set(referrals.values_list("status", flat=True))
    assert set(ReferralStatus.values) - {ReferralStatus.WITHDRAWN} <= statuses
    for referral in referrals.exclude(call=None):
        assert referral.call.closed_at < referral.created_at
        assert referral.call.assigned_unit.user_id == referral.referred_by_id
    answered = referrals.exclude(status=ReferralStatus.SENT)
    assert all(r.status_at > r.created_at for r in answered)
    assert len(set(referrals.values_list("referred_by", flat=True))) >= 8

    agreed = MediationCase.objects.exclude(agreed_at=None)
    assert agreed.count() == len(DISPUTES)
    outcomes = dict(
        MediationFollowUp.objects.exclude(done_at=None)
        .values_list("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    assert {"holding", "partly", "broken"} <= set(outcomes)
    for dispute in DISPUTES:
        result = before_after(agreed.get(beat__name=dispute.beat))
        assert result is not None
        name = CallType.objects.get(code=dispute.call_type).name
        ago = range(3, HISTORY_DAYS - dispute.agreed_days_ago, dispute.every)
        assert result["before_by_type"][name] >= len([d for d in ago if d < result["days"]])
        # Its own calls since, and at most one a neighbour's call happened to add.
        since = result["after_by_type"].get(name, 0)
        assert len(dispute.since) <= since <= len(dispute.since) + 1, dispute.beat
    assert MediationCase.objects.filter(status="declined").count() == 1
