"""What a CSO did on a day, gathered from every app that knows part of it.

Apps register a provider in their AppConfig.ready(); the daily activity report asks them all,
so `records` needs no import of `calls`, `roster` or `citations` beyond their public reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ActivityItem:
    kind: str  # "call", "patrol", "citation", "report"
    reference: str
    title: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        if self.started_at is None or self.ended_at is None:
            return 0
        return max(0, int((self.ended_at - self.started_at).total_seconds() // 60))


Provider = Callable[[Any, dt.datetime, dt.datetime], list[ActivityItem]]
_providers: dict[str, Provider] = {}


def activity_provider_register(kind: str, provider: Provider) -> None:
    _providers[kind] = provider


def activity_for(*, user: Any, start: dt.datetime, end: dt.datetime) -> list[ActivityItem]:
    items: list[ActivityItem] = []
    for provider in _providers.values():
        items.extend(provider(user, start, end))
    return sorted(items, key=lambda i: (i.started_at is None, i.started_at or start))
