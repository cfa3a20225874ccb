"""Analytics of casework: what became of referrals (by status and need), and for each
mediation agreement the calls at its address before and after it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from beatbook.analytics import charts
from beatbook.analytics.views import VIEWERS, report_month
from beatbook.casework.models import MediationCase
from beatbook.casework.selectors import before_after
from beatbook.core.permissions import RoleRequiredMixin
from beatbook.resources.selectors import referral_outcomes


def mediation_outcomes(*, limit: int = 100) -> dict[str, Any]:
    cases = list(
        MediationCase.objects.filter(agreed_at__isnull=False)
        .select_related("beat")
        .order_by("-agreed_at")[:limit]
    )
    rows = [(case, before_after(case)) for case in cases]
    before = sum(r["before"] for _, r in rows if r)
    after = sum(r["after"] for _, r in rows if r)
    return {"rows": rows, "before": before, "after": after, "cases": len(rows)}


class CaseworkView(RoleRequiredMixin, View):
    allowed_roles = VIEWERS

    def get(self, request: HttpRequest) -> HttpResponse:
        outcomes = referral_outcomes()
        mediation = mediation_outcomes()
        context = {
            "outcomes": outcomes,
            "mediation": mediation,
            "report_month": report_month(timezone.localdate()),
            "chart_status": charts.bars(
                [(str(label), n) for label, n in outcomes["by_status"]], "Referrals by status"
            ),
            "chart_needs": charts.bars(
                [(row["need__name"], row["total"]) for row in outcomes["by_need"]],
                "Referrals by need",
            ),
            "chart_mediation": charts.bars(
                [("Before the agreements", mediation["before"]), ("Since", mediation["after"])],
                "Calls at the mediated addresses, 90 days before and since",
            ),
        }
        return render(request, "analytics/casework.html", context)
