"""The demo's past paperwork and patrols, so the workload dashboard has a real spread of
hours: reports for the history calls that took one, and patrols inside past shifts."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from beatbook.accounts.models import Team, User
from beatbook.calls.choices import CallStatus
from beatbook.calls.models import Call
from beatbook.core.models import AuditEntry
from beatbook.core.numbering import number_format, number_reserve_block
from beatbook.core.roles import Role
from beatbook.records.choices import ReportKind, ReviewStatus
from beatbook.records.models import IncidentReport
from beatbook.roster.models import PatrolLog, Shift, Unit

SEED = 4157


def work_history(now: dt.datetime) -> tuple[int, int]:
    rng = random.Random(SEED)
    with transaction.atomic():
        reports = _reports(rng, now)
        patrols = _patrols(rng, now)
    return reports, patrols


def _reports(rng: random.Random, now: dt.datetime) -> int:
    supervisor = User.objects.filter(role=Role.SUPERVISOR).order_by("pk").first()
    calls = list(
        Call.objects.filter(
            status=CallStatus.CLEARED, disposition="report", assigned_unit__isnull=False
        )
        .exclude(pk__in=IncidentReport.objects.exclude(call=None).values("call_id"))
        .select_related("call_type", "assigned_unit__user")
        .order_by("received_at")
    )
    if not calls or supervisor is None:
        return 0
    by_year: dict[int, int] = defaultdict(int)
    for call in calls:
        by_year[call.received_at.year] += 1
    next_number = {
        year: number_reserve_block(prefix="RPT", year=year, count=n) for year, n in by_year.items()
    }
    reports: list[IncidentReport] = []
    opened: list[dt.datetime] = []
    for call in calls:
        author = call.assigned_unit.user  # type: ignore[union-attr]
        year = call.received_at.year
        assert call.closed_at is not None
        started: dt.datetime = call.closed_at + dt.timedelta(minutes=rng.uniform(2, 15))
        submitted = started + dt.timedelta(minutes=rng.lognormvariate(3.3, 0.4))  # ≈ 27 min
        approved = submitted + dt.timedelta(hours=rng.uniform(2, 20))
        if approved > now:
            continue
        reports.append(
            IncidentReport(
                number=number_format(prefix="RPT", year=year, value=next_number[year]),
                kind=ReportKind.INCIDENT,
                status=ReviewStatus.APPROVED,
                call=call,
                author=author,
                team_id=author.team_id,
                title=call.call_type.name,
                occurred_at=call.received_at,
                address_text=call.address_text,
                block_text=call.block_text,
                lat=call.lat,
                lon=call.lon,
                beat_id=call.beat_id,
                narrative=f"{call.description}. Report taken at the scene.",
                submitted_at=submitted,
                approved_at=approved,
                approved_by=supervisor,
            )
        )
        opened.append(started)
        next_number[year] += 1
    IncidentReport.objects.bulk_create(reports, batch_size=1000)
    for report, started in zip(reports, opened, strict=True):
        report.created_at = started  # auto_now_add stamped the build time
    IncidentReport.objects.bulk_update(reports, ["created_at"], batch_size=500)
    content_type = ContentType.objects.get_for_model(IncidentReport)
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                at=at,
                actor_label="demo history",
                verb=verb,
                content_type=content_type,
                object_id=str(r.pk),
                object_label=r.number,
            )
            for r in reports
            for at, verb in (
                (r.created_at, "created"),
                (r.submitted_at, "submitted"),
                (r.approved_at, "approved"),
            )
            if at is not None
        ),
        batch_size=2000,
    )
    return len(reports)


def _patrols(rng: random.Random, now: dt.datetime) -> int:
    units = {u.user_id: u for u in Unit.objects.all()}
    beats_of_team = {
        team.pk: [b.pk for b in team.beats.all()] for team in Team.objects.prefetch_related("beats")
    }
    patrols = []
    shifts = Shift.objects.filter(ends_at__lt=now, user__in=units.keys()).select_related("user")
    for shift in shifts.order_by("starts_at"):
        beats = beats_of_team.get(shift.user.team_id or 0)
        if not beats:
            continue
        cursor = shift.starts_at + dt.timedelta(minutes=rng.uniform(20, 90))
        for _ in range(rng.choice((1, 2, 2, 3))):
            length = dt.timedelta(minutes=rng.uniform(40, 110))
            if cursor + length > shift.ends_at:
                break
            patrols.append(
                PatrolLog(
                    unit=units[shift.user_id],
                    beat_id=rng.choice(beats),
                    started_at=cursor,
                    ended_at=cursor + length,
                    notes="Foot and vehicle patrol; checked parks and the business strip.",
                )
            )
            cursor += length + dt.timedelta(minutes=rng.uniform(60, 180))
    PatrolLog.objects.bulk_create(patrols, batch_size=2000)
    return len(patrols)
