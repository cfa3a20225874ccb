"""Triage: what in a call means it must go to sworn officers, never to a CSO's queue."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from beatbook.calls.models import CallType

# Phrases that deny danger ("no injuries", "nobody hurt") are removed before matching.
_NEGATED = re.compile(
    r"\b(no|not|nobody|no one|noone|none|without|non)\b[\s-]{0,2}(?:\w+\s){0,2}?"
    r"(hurt|injur\w*|bleeding|weapons?|violence|violent)\b",
    re.IGNORECASE,
)

DANGER_SIGNALS: list[tuple[str, re.Pattern[str]]] = [
    (
        "weapon",
        re.compile(
            r"\b(weapons?|guns?|firearms?|pistols?|rifles?|armed|knife|knives|"
            r"machete|stabb?\w*|shots? fired|shooting|shot)\b",
            re.I,
        ),
    ),
    (
        "violence in progress",
        re.compile(
            r"\b(fight(ing)?|assault\w*|attack\w*|beating|"
            r"punch\w*|hitting|violen\w*|hostage|kidnap\w*|"
            r"threatening to kill|strangl\w*|choking)\b",
            re.I,
        ),
    ),
    (
        "injury",
        re.compile(
            r"\b(injur\w*|hurt|bleeding|blood|unconscious|unresponsive|"
            r"overdos\w*|seizure)\b",
            re.I,
        ),
    ),
    (
        "fire",
        re.compile(
            r"\b(fire(?!\s*(lane|hydrant|zone|station|works|pit|department|"
            r"dept|alarm test))|flames?|smoke|burning|explosion|gas leak)\b",
            re.I,
        ),
    ),
    (
        "not breathing",
        re.compile(
            r"\b(not breathing|no pulse|stopped breathing|cpr|"
            r"suicid\w*|jump(ing)? off)\b",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class TriageResult:
    needs_escalation: bool
    reasons: list[str] = field(default_factory=list)


def triage_assess(*, call_type: CallType, description: str) -> TriageResult:
    reasons: list[str] = []
    if not call_type.cso_may_respond:
        reasons.append(f"{call_type.name} is a sworn-only call type")
    text = _NEGATED.sub(" ", description)
    for label, pattern in DANGER_SIGNALS:
        match = pattern.search(text)
        if match:
            reasons.append(f"description signals {label} (“{match.group(0)}”)")
    return TriageResult(needs_escalation=bool(reasons), reasons=reasons)
