from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from beatbook.alerts import services
from beatbook.alerts.models import Alert


def draft(actor: Any, **overrides: Any) -> Alert:
    fields: dict[str, Any] = {
        "kind": "alert",
        "category": "Transport",
        "event": "Road closure",
        "headline": "Pine St closed for water main repair",
        "headline_es": "Pine St cerrada por reparación de tubería",
        "description": "Pine St is closed between 15th and 16th Ave until Friday.",
        "description_es": "Pine St está cerrada entre la 15 y la 16 hasta el viernes.",
        "instruction": "Use Pike St instead.",
        "instruction_es": "Use Pike St.",
        "urgency": "Expected",
        "severity": "Minor",
        "certainty": "Observed",
        "expires_at": timezone.now() + dt.timedelta(days=2),
    }
    fields.update(overrides)
    return services.alert_draft(actor=actor, **fields)


def published(author: Any, approver: Any, **overrides: Any) -> Alert:
    alert = draft(author, **overrides)
    services.alert_submit(actor=author, alert=alert)
    return services.alert_approve(actor=approver, alert=alert)
