"""Reads on reports: scoping by role and team, the review queue, and full-text search."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from beatbook.core.actors import Actor
from beatbook.core.exceptions import NotFound
from beatbook.core.permissions import actor_role
from beatbook.core.roles import Role
from beatbook.records.choices import ReviewStatus
from beatbook.records.models import DailyActivityReport, IncidentReport, ReportPerson

RECORD_NUMBER = re.compile(r"^[A-Za-z]{3}-\d{4}-\d{1,6}")
# Who sees a confidential person's details (R40): the author and the reviewers.
CONFIDENTIAL_READERS = {Role.SUPERVISOR, Role.ADMIN}


def _team_scope(viewer: Actor, queryset: Any, owner_field: str) -> Any:
    role = actor_role(viewer)
    if role in ("system", Role.ADMIN):
        return queryset
    if role == Role.ANALYST:
        return queryset.filter(status=ReviewStatus.APPROVED)
    team_id = getattr(viewer, "team_id", None)
    if role == Role.SUPERVISOR:
        return queryset.filter(team_id=team_id) if team_id else queryset
    if role == Role.CSO:
        mine = Q(**{owner_field: viewer})
        return queryset.filter(mine | Q(team_id=team_id)) if team_id else queryset.filter(mine)
    return queryset.none()


def report_scope(*, viewer: Actor) -> QuerySet[IncidentReport]:
    return _team_scope(viewer, IncidentReport.objects.all(), "author")


@dataclass(frozen=True)
class ReportFilters:
    status: str = ""
    kind: str = ""
    text: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def report_list(*, viewer: Actor, filters: ReportFilters | None = None) -> QuerySet[IncidentReport]:
    f = filters or ReportFilters()
    reports = (
        report_scope(viewer=viewer)
        .select_related("author", "call", "beat", "supplement_of")
        .defer("beat__geometry")
    )
    if f.status:
        reports = reports.filter(status=f.status)
    if f.kind:
        reports = reports.filter(kind=f.kind)
    if f.since:
        reports = reports.filter(occurred_at__gte=f.since)
    if f.until:
        reports = reports.filter(occurred_at__lt=f.until)
    if f.text:
        reports = report_search(reports=reports, viewer=viewer, text=f.text)
    return reports


def report_search(
    *, reports: QuerySet[IncidentReport], viewer: Actor, text: str
) -> QuerySet[IncidentReport]:
    """Full-text search on PostgreSQL (ranked, stemmed), substring search on SQLite.

    Confidential names are searchable only by those who may see them."""
    if RECORD_NUMBER.match(text.strip()):
        # "RPT-2026-000045" is a number, not words: websearch would read the hyphens as NOT.
        return reports.filter(number__istartswith=text.strip())
    names = ReportPerson.objects.filter(name__icontains=text)
    if actor_role(viewer) not in CONFIDENTIAL_READERS:
        names = names.filter(Q(is_confidential=False) | Q(report__author=viewer))
    by_name = Q(pk__in=names.values("report_id")) | Q(number__iexact=text)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("title", weight="A") + SearchVector("narrative", weight="B")
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            reports.annotate(rank=SearchRank(vector, query))
            .filter(Q(rank__gt=0) | by_name)
            .order_by("-rank", "-created_at")
        )
    return reports.filter(Q(title__icontains=text) | Q(narrative__icontains=text) | by_name)


def report_get(*, viewer: Actor, report_id: int) -> IncidentReport:
    report = (
        report_scope(viewer=viewer)
        .select_related("author", "call", "beat", "approved_by", "supplement_of")
        .prefetch_related(
            "persons",
            "vehicles",
            "property_items",
            "attachments",
            "review_comments__author",
            "supplements",
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise NotFound("No such report.")
    return report


@dataclass(frozen=True)
class PersonView:
    role: str
    name: str
    details: str
    confidential: bool


def report_persons(*, report: IncidentReport, viewer: Actor) -> list[PersonView]:
    """People on the report; confidential ones masked for all but author and reviewers."""
    may_see = (
        actor_role(viewer) in CONFIDENTIAL_READERS
        or getattr(viewer, "pk", None) == report.author_id
    )
    shown = []
    for person in report.persons.all():
        if person.is_confidential and not may_see:
            shown.append(PersonView(person.get_role_display(), "[confidential]", "", True))
            continue
        details = ", ".join(
            v
            for v in (
                person.date_of_birth.isoformat() if person.date_of_birth else "",
                person.phone,
                person.email,
                person.address,
                person.description,
            )
            if v
        )
        shown.append(
            PersonView(person.get_role_display(), person.name, details, person.is_confidential)
        )
    return shown


@dataclass(frozen=True)
class QueueEntry:
    kind: str
    item: Any
    waiting: dt.timedelta


def review_queue(*, viewer: Actor) -> list[QueueEntry]:
    """Submitted reports and DARs in the supervisor's scope, oldest first, with their age."""
    now = timezone.now()
    viewer_id = getattr(viewer, "pk", 0) or 0
    reports = (
        report_scope(viewer=viewer)
        .filter(status=ReviewStatus.SUBMITTED)
        .exclude(author_id=viewer_id)
        .select_related("author")
    )
    dars = (
        dar_scope(viewer=viewer)
        .filter(status=ReviewStatus.SUBMITTED)
        .exclude(user_id=viewer_id)
        .select_related("user")
    )
    entries = [QueueEntry("report", r, now - (r.submitted_at or now)) for r in reports]
    entries += [QueueEntry("dar", d, now - (d.submitted_at or now)) for d in dars]
    return sorted(entries, key=lambda e: e.waiting, reverse=True)


def dar_scope(*, viewer: Actor) -> QuerySet[DailyActivityReport]:
    return _team_scope(viewer, DailyActivityReport.objects.all(), "user")


def dar_get(*, viewer: Actor, dar_id: int) -> DailyActivityReport:
    dar = (
        dar_scope(viewer=viewer)
        .select_related("user", "approved_by")
        .prefetch_related("review_comments__author")
        .filter(pk=dar_id)
        .first()
    )
    if dar is None:
        raise NotFound("No such activity report.")
    return dar
