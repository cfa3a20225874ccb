"""Analytics of casework: what became of referrals (by status, need and week, and how soon
providers answered), and for each mediation agreement the calls at its address before and
after it and what its follow-ups found — for the chosen dates, beat (or team's beats) and
call type. A referral has a beat and a call type through the call it was made from; an
agreement has its case's beat and the call type of the call it came from."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from beatbook.analytics.scope import Scope, week_start
from beatbook.casework.choices import FollowUpOutcome
from beatbook.casework.models import MediationCase, MediationFollowUp
from beatbook.casework.selectors import before_after_many
from beatbook.resources.choices import ReferralStatus
from beatbook.resources.models import Referral

# Where a referral stands, in the four groups a program reports on: (CSV column, label,
# statuses).
REFERRAL_GROUPS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("served", "Served", frozenset({ReferralStatus.SERVED})),
    ("accepted", "Accepted, not yet served", frozenset({ReferralStatus.ACCEPTED})),
    ("waiting", "Waiting for the provider", frozenset({ReferralStatus.SENT})),
    (
        "not_served",
        "Not served",
        frozenset(
            {ReferralStatus.DECLINED, ReferralStatus.UNABLE_TO_REACH, ReferralStatus.WITHDRAWN}
        ),
    ),
)
# A provider's answers; a withdrawal is the resident's, through the CSO.
PROVIDER_ANSWERS = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.SERVED,
    ReferralStatus.UNABLE_TO_REACH,
)


def referrals_in(scope: Scope) -> QuerySet[Referral]:
    """Referrals made in the dates; in a beat through the call they were made from."""
    start, end = scope.bounds()
    referrals = Referral.objects.filter(created_at__gte=start, created_at__lt=end)
    if scope.beat_ids:  # a beat, or a team's beats
        referrals = referrals.filter(call__beat_id__in=scope.beat_ids)
    if scope.call_type_ids:
        referrals = referrals.filter(call__call_type_id__in=scope.call_type_ids)
    return referrals


@dataclass(frozen=True)
class ReferralWeek:
    start: dt.date  # the Monday
    counts: tuple[int, ...]  # per REFERRAL_GROUPS: where the week's referrals stand now


def referral_weeks(scope: Scope, referrals: QuerySet[Referral]) -> list[ReferralWeek]:
    """The referrals made each week of the dates, by where each stands today."""
    tz = timezone.get_current_timezone()
    found: dict[tuple[dt.date, str], int] = {}
    for row in (
        referrals.annotate(week=TruncWeek("created_at", tzinfo=tz))
        .values("week", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        found[(week_start(row["week"]), row["status"])] = row["n"]
    return [
        ReferralWeek(
            monday,
            tuple(sum(found.get((monday, s), 0) for s in group) for *_, group in REFERRAL_GROUPS),
        )
        for monday in scope.mondays()
    ]


def provider_answer_days(referrals: QuerySet[Referral]) -> float | None:
    """The median number of days from a referral to its provider's first answer, over the
    referrals answered; None when none was."""
    answered = (
        referrals.annotate(
            answered_at=Min("updates__at", filter=Q(updates__status__in=PROVIDER_ANSWERS))
        )
        .exclude(answered_at=None)
        .values_list("created_at", "answered_at")
    )
    days = [(at - made).total_seconds() / 86400 for made, at in answered]
    return round(statistics.median(days), 1) if days else None


def follow_up_state(case: MediationCase) -> tuple[MediationFollowUp | None, str]:
    """An agreement's latest follow-up done and what it found ("Agreement broken, 30 days"),
    or, with none done yet, when the first is due; from the prefetched follow-ups."""
    follow_ups = list(case.follow_ups.all())
    done = [f for f in follow_ups if f.done_at is not None]
    if done:
        last = max(done, key=lambda f: f.days_after)
        return last, f"{last.get_outcome_display()}, {last.days_after} days"
    due = min(follow_ups, key=lambda f: f.due_on, default=None)
    return None, f"{due.days_after}-day due {due.due_on:%Y-%m-%d}" if due else "—"


# The page's table lists the latest agreements; its counts, chart and CSV take them all.
MEDIATION_TABLE_ROWS = 100


def mediation_outcomes(scope: Scope) -> dict[str, Any]:
    """Every agreement of the selection, newest first, with the calls at its address before
    and since (one query for them all), their totals, and the latest for the page's table."""
    start, end = scope.bounds()
    cases = MediationCase.objects.filter(agreed_at__gte=start, agreed_at__lt=end)
    if scope.beat_ids:
        cases = cases.filter(beat_id__in=scope.beat_ids)
    if scope.call_type_ids:  # the call the case came from
        cases = cases.filter(call__call_type_id__in=scope.call_type_ids)
    agreements = list(
        cases.select_related("beat")
        .defer("beat__geometry")
        .prefetch_related("follow_ups")
        .order_by("-agreed_at")
    )
    rows = [
        (case, counts, *follow_up_state(case))
        for case, counts in zip(agreements, before_after_many(agreements), strict=True)
    ]
    found = [f.outcome for _, _, f, _ in rows if f is not None]
    return {
        "rows": rows,
        "shown": rows[:MEDIATION_TABLE_ROWS],
        "before": sum(r["before"] for _, r, _, _ in rows if r),
        "after": sum(r["after"] for _, r, _, _ in rows if r),
        "cases": len(rows),
        # What the latest follow-up of each agreement found, in the outcomes' order.
        "follow_ups": [
            (label, found.count(value)) for value, label in FollowUpOutcome.choices if value
        ],
    }
