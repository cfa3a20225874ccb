"""Analytics of casework: what became of referrals (by status and need), and for each
mediation agreement the calls at its address before and after it — for the chosen dates,
beat (or team's beats) and call type. A referral has a beat and a call type through the call
it was made from; an agreement has its case's beat and the call type of the call it came
from."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from beatbook.analytics.scope import Scope
from beatbook.casework.models import MediationCase
from beatbook.casework.selectors import before_after_many
from beatbook.resources.models import Referral


def referrals_in(scope: Scope) -> QuerySet[Referral]:
    """Referrals made in the dates; in a beat through the call they were made from."""
    start, end = scope.bounds()
    referrals = Referral.objects.filter(created_at__gte=start, created_at__lt=end)
    if scope.beat_ids:  # a beat, or a team's beats
        referrals = referrals.filter(call__beat_id__in=scope.beat_ids)
    if scope.call_type_ids:
        referrals = referrals.filter(call__call_type_id__in=scope.call_type_ids)
    return referrals


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
    agreements = list(cases.select_related("beat").order_by("-agreed_at"))
    rows = list(zip(agreements, before_after_many(agreements), strict=True))
    return {
        "rows": rows,
        "shown": rows[:MEDIATION_TABLE_ROWS],
        "before": sum(r["before"] for _, r in rows if r),
        "after": sum(r["after"] for _, r in rows if r),
        "cases": len(rows),
    }
