"""The custody chain: each event's SHA-256 covers its content and the event before it; a
signed checkpoint (HMAC, key outside the database) catches a chain rewritten end to end."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

CHAIN_VERSION = "1"
GENESIS = "0" * 64
CONTENT_FIELDS = (
    "seq",
    "kind",
    "at",
    "actor_label",
    "from_custodian",
    "to_custodian",
    "from_location",
    "to_location",
    "reason",
)


def canonical(item_number: str, fields: dict[str, Any]) -> str:
    content = {name: fields[name] for name in CONTENT_FIELDS}
    at = content["at"]
    content["at"] = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content["item"] = item_number
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, item_number: str, fields: dict[str, Any]) -> str:
    payload = f"{CHAIN_VERSION}|{prev_hash}|{canonical(item_number, fields)}"
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    item: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"{self.item} event {self.seq}: {self.reason}"


def chain_check(item_number: str, events: list[Any]) -> ChainBreak | None:
    """The first place the item's chain does not hold, or None."""
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainBreak(item_number, expected_seq, "event missing (sequence gap)")
        if event.prev_hash != prev:
            return ChainBreak(item_number, event.seq, "does not follow the event before it")
        fields = {name: getattr(event, name) for name in CONTENT_FIELDS}
        if event_hash(prev, item_number, fields) != event.hash:
            return ChainBreak(item_number, event.seq, "content changed after it was recorded")
        prev = event.hash
    return None


def checkpoint_key() -> bytes:
    key = settings.BEATBOOK_CUSTODY_CHECKPOINT_KEY
    if not key:
        raise ImproperlyConfigured(
            "BEATBOOK_CUSTODY_CHECKPOINT_KEY (or _FILE) must be set: the custody checkpoint "
            "is signed with a key kept outside the database."
        )
    return key.encode()


def checkpoint_sign(heads: dict[str, list[Any]]) -> str:
    body = json.dumps(heads, sort_keys=True, separators=(",", ":"))
    return hmac.new(checkpoint_key(), body.encode(), hashlib.sha256).hexdigest()


def checkpoint_dir() -> Path:
    return Path(settings.BEATBOOK_CUSTODY_CHECKPOINT_DIR)


def checkpoint_write(heads: dict[str, list[Any]]) -> Path:
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    path = directory / f"custody-{now:%Y%m%dT%H%M%S%f}.json"
    path.write_text(
        json.dumps(
            {
                "created_at": now.isoformat(),
                "version": CHAIN_VERSION,
                "heads": heads,
                "hmac_sha256": checkpoint_sign(heads),
            },
            indent=1,
            sort_keys=True,
        )
    )
    return path


def checkpoint_latest() -> dict[str, Any] | None:
    files = sorted(checkpoint_dir().glob("custody-*.json")) if checkpoint_dir().exists() else []
    if not files:
        return None
    return dict(json.loads(files[-1].read_text()), path=str(files[-1]))
