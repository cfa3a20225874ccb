from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import get_language

from beatbook.calls import services as call_services
from beatbook.calls.choices import CallSource
from beatbook.calls.models import Call, CallType
from beatbook.calls.triage import triage_assess
from beatbook.core.actors import Actor, SystemActor
from beatbook.core.exceptions import DomainError
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import Role
from beatbook.core.sql import columns, fetch_instances, plan_cached, table
from beatbook.open311.exceptions import Open311Error
from beatbook.open311.models import Open311Client


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def client_key_issue(*, actor: Actor, client: Open311Client) -> str:
    """Give the client a new api_key (the old one stops working); returned once."""
    require_role(actor, {Role.ADMIN}, action="issue Open311 keys")
    raw = "o311_" + secrets.token_urlsafe(24)
    client.key_prefix, client.key_hash = raw[:10], key_hash(raw)
    client.save(update_fields=["key_prefix", "key_hash"])
    history_record(obj=client, actor=actor, verb="api key issued", data={"key": raw[:10]})
    return raw


_CLIENT_FIELDS = ("id", "name", "key_prefix")
_CLIENT_BY_KEY = plan_cached(
    f"SELECT {columns(Open311Client, _CLIENT_FIELDS)} FROM {table(Open311Client)} "  # noqa: S608
    "WHERE key_hash = %s AND is_active LIMIT 1"
)


def client_for_key(raw: str) -> Open311Client:
    """The active client holding `raw` (every POST asks: hand-written SQL, see core.sql)."""
    found = (
        fetch_instances(Open311Client, _CLIENT_FIELDS, _CLIENT_BY_KEY, [key_hash(raw)])
        if raw
        else []
    )
    client = found[0] if found else None
    if client is None:
        raise Open311Error(403, "A valid api_key is required to submit requests.")
    return client


def request_create(
    *, client: Open311Client, call_type: CallType, fields: dict[str, Any], answers: dict[str, Any]
) -> Call:
    """A service request from a registered client: the same intake and triage as a phone
    call; a description that signals an emergency is refused, never queued."""
    if triage_assess(
        call_type=call_type, description=fields.get("description", "")
    ).needs_escalation:
        raise Open311Error(400, "This sounds like an emergency: call 911. It was not filed.")
    actor = SystemActor(f"open311 client {client.name}")
    try:
        return call_services.call_intake(
            actor=actor,
            call_type=call_type,
            source=CallSource.OPEN311,
            description=fields.get("description") or call_type.name,
            answers=answers,
            lat=fields.get("lat"),
            lon=fields.get("long"),
            address=fields.get("address", ""),
            caller_name=fields.get("name", ""),
            caller_phone=fields.get("phone", ""),
            caller_email=fields.get("email", ""),
            # The status e-mails go out in the language the app asked in.
            contact_language=get_language() or "",
        )
    except DomainError as exc:
        raise Open311Error(400, exc.message) from None
