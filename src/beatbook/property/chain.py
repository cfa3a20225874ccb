"""The custody chain: each event's SHA-256 covers its content and the event before it; all
events together form an RFC 9162 Merkle log whose signed tree heads (Ed25519, key outside the
database) catch a chain rewritten end to end or cut short. The hashing and verification code
itself is in `offline_verify`, which court exports carry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from beatbook.property.offline_verify import (
    CHAIN_VERSION,
    CONTENT_FIELDS,
    GENESIS,
    canonical,
    checkpoint_body,
    checkpoint_signature_ok,
    event_hash,
)

__all__ = ["CHAIN_VERSION", "CONTENT_FIELDS", "GENESIS", "canonical", "event_hash"]
CHECKPOINT_FORMAT = "beatbook-custody-checkpoint/2"


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


def signing_key() -> Ed25519PrivateKey:
    """The checkpoint signing key, derived from the secret kept outside the database (R20)."""
    secret = settings.BEATBOOK_CUSTODY_CHECKPOINT_KEY
    if not secret:
        raise ImproperlyConfigured(
            "BEATBOOK_CUSTODY_CHECKPOINT_KEY (or _FILE) must be set: custody checkpoints are "
            "signed with a key kept outside the database."
        )
    seed = hashlib.sha256(b"beatbook-custody-ed25519|" + secret.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_bytes() -> bytes:
    return signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(message: bytes) -> str:
    return signing_key().sign(message).hex()


def checkpoint_dir() -> Path:
    return Path(settings.BEATBOOK_CUSTODY_CHECKPOINT_DIR)


def checkpoint_make(*, tree_size: int, root: bytes, heads: dict[str, list[Any]]) -> dict[str, Any]:
    """A signed tree head: the size and Merkle root of the whole custody log, and each item's
    last event so that a verifier can name the item a rewrite touched."""
    checkpoint: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "created_at": timezone.now().isoformat(),
        "tree_size": tree_size,
        "root_hash": root.hex(),
        "heads": heads,
        "public_key": public_key_bytes().hex(),
    }
    checkpoint["signature"] = sign(checkpoint_body(checkpoint))
    return checkpoint


def checkpoint_write(checkpoint: dict[str, Any]) -> Path:
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    # UTC in the name, so that checkpoint_due can read the age without opening the file.
    path = directory / f"checkpoint-{timezone.now().astimezone(dt.UTC):%Y%m%dT%H%M%S%f}.json"
    path.write_text(json.dumps(checkpoint, indent=1, sort_keys=True))
    return path


def checkpoint_latest() -> dict[str, Any] | None:
    directory = checkpoint_dir()
    files = sorted(directory.glob("checkpoint-*.json")) if directory.exists() else []
    if not files:
        return None
    return dict(json.loads(files[-1].read_text()), path=str(files[-1]))


def checkpoint_due(max_age: dt.timedelta) -> bool:
    """No checkpoint yet, or the newest is older than `max_age` (read off its file name)."""
    directory = checkpoint_dir()
    files = sorted(directory.glob("checkpoint-*.json")) if directory.exists() else []
    if not files:
        return True
    stamp = files[-1].stem.removeprefix("checkpoint-")
    written = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=dt.UTC)
    return timezone.now() - written > max_age


def checkpoint_trusted(checkpoint: dict[str, Any]) -> bool:
    """Signed by this agency's key (not merely by the key the file names)."""
    return checkpoint_signature_ok(checkpoint, public_key_bytes())
