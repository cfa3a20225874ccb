"""Diversion: the program's own calls that CSOs closed without a sworn officer, the sworn
hours that freed (minutes per call type, configurable), the CSOs' own time on those calls
(dispatch to close) and, with hourly costs set, what each side cost per call and the saving
net of the CSOs' time; and the calls that did go to sworn officers, grouped by why.
Imported city history is not counted: it does not say who went."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, DurationField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from beatbook.analytics.scope import Scope, week_start
from beatbook.calls.choices import CallStatus, Responder
from beatbook.calls.models import Call

HANDLED = (CallStatus.CLEARED, CallStatus.REFERRED)


@dataclass(frozen=True)
class TypeDiversion:
    label: str
    calls: int
    handled: int
    escalated: int
    sworn_minutes: int
    cso_hours: float = 0.0  # CSOs' time on the handled calls, dispatch to close

    @property
    def share(self) -> float | None:
        return self.handled / self.calls if self.calls else None

    @property
    def sworn_hours_saved(self) -> float:
        return self.handled * self.sworn_minutes / 60

    @property
    def sworn_cost_avoided(self) -> float | None:
        return sworn_cost(self.sworn_hours_saved)

    @property
    def cso_cost(self) -> float | None:
        return cso_cost(self.cso_hours)


@dataclass(frozen=True)
class Escalation:
    reason: str
    calls: int
    before_arrival: int  # escalated before a CSO reached the scene (at intake or en route)

    @property
    def after_arrival(self) -> int:
        return self.calls - self.before_arrival


@dataclass(frozen=True)
class DiversionWeek:
    start: dt.date
    handled: int
    escalated: int


@dataclass(frozen=True)
class Diversion:
    by_type: list[TypeDiversion]
    escalations: list[Escalation]
    weeks: list[DiversionWeek]

    @property
    def calls(self) -> int:
        return sum(t.calls for t in self.by_type)

    @property
    def handled(self) -> int:
        return sum(t.handled for t in self.by_type)

    @property
    def escalated(self) -> int:
        return sum(t.escalated for t in self.by_type)

    @property
    def share(self) -> float | None:
        return self.handled / self.calls if self.calls else None

    @property
    def sworn_hours_saved(self) -> float:
        return sum(t.sworn_hours_saved for t in self.by_type)

    @property
    def sworn_cost_avoided(self) -> float | None:
        return sworn_cost(self.sworn_hours_saved)

    @property
    def cso_hours(self) -> float:
        return sum(t.cso_hours for t in self.by_type)

    @property
    def cso_cost(self) -> float | None:
        return cso_cost(self.cso_hours)


def sworn_cost(hours: float) -> float | None:
    """What `hours` of a sworn officer's time cost (BEATBOOK_SWORN_HOURLY_COST), or None
    where the agency has not set that cost."""
    rate = settings.BEATBOOK_SWORN_HOURLY_COST
    return hours * rate if rate else None


def cso_cost(hours: float) -> float | None:
    """What `hours` of CSO time cost (BEATBOOK_CSO_HOURLY_COST), or None where unset."""
    rate = settings.BEATBOOK_CSO_HOURLY_COST
    return hours * rate if rate else None


def money(amount: float) -> str:
    """`amount` in whole units of the agency's currency: "$12,345"."""
    return f"{settings.BEATBOOK_CURRENCY_SYMBOL}{amount:,.0f}"


def cost_texts(result: Diversion) -> dict[str, str]:
    """The costs as the page and the monthly report show them ('' where a cost is not set):
    the sworn time saved and its hourly cost; the CSOs' time on those calls and theirs; the
    saving net of it; and what a handled call cost each way."""
    texts = dict.fromkeys(
        (
            "cost_text",
            "hourly_cost_text",
            "cso_cost_text",
            "cso_hourly_cost_text",
            "net_text",
            "sworn_per_call_text",
            "cso_per_call_text",
        ),
        "",
    )
    sworn, cso, handled = result.sworn_cost_avoided, result.cso_cost, result.handled
    if sworn is not None:
        texts["cost_text"] = money(sworn)
        texts["hourly_cost_text"] = money(settings.BEATBOOK_SWORN_HOURLY_COST)
    if cso is not None:
        texts["cso_cost_text"] = money(cso)
        texts["cso_hourly_cost_text"] = money(settings.BEATBOOK_CSO_HOURLY_COST)
    if sworn is not None and cso is not None and handled:
        net = sworn - cso
        texts["net_text"] = ("−" if net < 0 else "") + money(abs(net))
        texts["sworn_per_call_text"] = money(sworn / handled)
        texts["cso_per_call_text"] = money(cso / handled)
    return texts


def _closed_calls(scope: Scope) -> QuerySet[Call]:
    start, end = scope.bounds()
    qs = Call.objects.filter(
        received_at__gte=start,
        received_at__lt=end,
        status__in=[*HANDLED, CallStatus.ESCALATED],
        merged_into=None,
    )
    if scope.beat_ids:
        qs = qs.filter(beat_id__in=scope.beat_ids)
    if scope.call_type_ids:
        qs = qs.filter(call_type_id__in=scope.call_type_ids)
    return qs


def escalation_reason(triage_reasons: list[str], responder: str, written: str) -> str:
    """One label per escalated call: the intake flag if triage raised one, else a sworn-only
    type, else what the CSO or dispatcher wrote (case and final full stop ignored)."""
    if triage_reasons:
        return f"Flagged at intake: {triage_reasons[0]}"
    if responder == Responder.SWORN:
        return "Sworn-only call type"
    text = " ".join(written.split()).rstrip(".")
    return text[:1].upper() + text[1:].lower() if text else "No reason given"


def diversion(scope: Scope) -> Diversion:
    """Counted in the database (a busy year is hundreds of thousands of calls); only the
    escalated calls, a few per cent, are read one by one for their reasons."""
    default = settings.BEATBOOK_SWORN_MINUTES_DEFAULT
    tz = timezone.get_current_timezone()
    closed = _closed_calls(scope)
    handled_q = Q(status__in=HANDLED)
    escalated_q = Q(status=CallStatus.ESCALATED)
    # A handled call's CSO time runs from dispatch to close; one cleared at the desk
    # (advice by phone, no dispatch) took none of a CSO's field time.
    on_call = handled_q & Q(dispatched_at__isnull=False, closed_at__isnull=False)
    per_type = (
        closed.values("call_type_id", "call_type__name", "call_type__sworn_minutes")
        .annotate(
            handled=Count("pk", filter=handled_q),
            escalated=Count("pk", filter=escalated_q),
            cso_time=Sum(
                F("closed_at") - F("dispatched_at"), filter=on_call, output_field=DurationField()
            ),
        )
        .order_by()
    )
    by_type = sorted(
        (
            TypeDiversion(
                label=row["call_type__name"],
                calls=row["handled"] + row["escalated"],
                handled=row["handled"],
                escalated=row["escalated"],
                sworn_minutes=default
                if row["call_type__sworn_minutes"] is None
                else row["call_type__sworn_minutes"],
                cso_hours=row["cso_time"].total_seconds() / 3600 if row["cso_time"] else 0.0,
            )
            for row in per_type
        ),
        key=lambda t: (-t.sworn_hours_saved, t.label),
    )
    weeks: dict[dt.date, tuple[int, int]] = {}
    for row in (
        closed.annotate(week=TruncWeek("received_at", tzinfo=tz))
        .values("week")
        .annotate(handled=Count("pk", filter=handled_q), escalated=Count("pk", filter=escalated_q))
        .order_by()
    ):
        weeks[week_start(row["week"])] = (row["handled"], row["escalated"])
    reasons: Counter[str] = Counter()
    before: Counter[str] = Counter()
    escalated = closed.filter(escalated_q).values_list(
        "call_type__responder", "on_scene_at", "triage_reasons", "escalation_reason"
    )
    for responder, on_scene, flags, written in escalated:
        reason = escalation_reason(flags or [], responder, written)
        reasons[reason] += 1
        before[reason] += on_scene is None
    return Diversion(
        by_type=by_type,
        escalations=[Escalation(r, n, before[r]) for r, n in reasons.most_common()],
        weeks=[DiversionWeek(m, *weeks.get(m, (0, 0))) for m in scope.mondays()],
    )
