"""What residents said in the short surveys after closed calls and events, by beat and by
program (call type or kind of event), for the selected dates and beats."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from beatbook.analytics.scope import Scope
from beatbook.outreach.models import Feedback

SATISFIED = 4  # 4 or 5 on the 1–5 scale


@dataclass(frozen=True)
class FeedbackRow:
    label: str
    responses: int
    satisfaction: float
    trust: float
    satisfied: int

    @property
    def satisfied_share(self) -> float:
        return self.satisfied / self.responses


@dataclass(frozen=True)
class FeedbackTotal:
    """All the answers in the selection; with none, the means are None (not 0: no answers
    is not a mean of 0) and shown as "—"."""

    responses: int
    satisfaction: float | None
    trust: float | None
    satisfied: int

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.responses if self.responses else None


@dataclass(frozen=True)
class FeedbackSummary:
    total: FeedbackTotal
    by_beat: list[FeedbackRow]
    by_program: list[FeedbackRow]
    comments: list[Feedback]


def _in_scope(scope: Scope) -> QuerySet[Feedback]:
    start, end = scope.bounds()
    answers = Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
    if scope.beat_ids:  # a beat, or a team's beats
        answers = answers.filter(beat_id__in=scope.beat_ids)
    if scope.call_type_ids:  # surveys after calls of those types; events have no call type
        answers = answers.filter(call__call_type_id__in=scope.call_type_ids)
    return answers


def _rows(answers: QuerySet[Feedback], key: str) -> list[FeedbackRow]:
    grouped = (
        answers.values(key)
        .annotate(
            n=Count("id"),
            s=Avg("satisfaction"),
            t=Avg("trust"),
            happy=Count("id", filter=Q(satisfaction__gte=SATISFIED)),
        )
        .order_by("-n", key)
    )
    return [
        FeedbackRow(row[key] or "No beat", row["n"], float(row["s"]), float(row["t"]), row["happy"])
        for row in grouped
    ]


def feedback_summary(scope: Scope) -> FeedbackSummary:
    answers = _in_scope(scope)
    totals = answers.aggregate(
        n=Count("id"),
        s=Avg("satisfaction"),
        t=Avg("trust"),
        happy=Count("id", filter=Q(satisfaction__gte=SATISFIED)),
    )
    answered = totals["n"] > 0
    total = FeedbackTotal(
        totals["n"],
        float(totals["s"]) if answered else None,
        float(totals["t"]) if answered else None,
        totals["happy"],
    )
    return FeedbackSummary(
        total=total,
        by_beat=_rows(answers, "beat__name"),
        by_program=_rows(answers, "program"),
        comments=list(
            answers.exclude(comment="").select_related("beat").defer("beat__geometry")[:20]
        ),
    )
