"""The court export of one item (R23): a ZIP that anyone can check offline with the
`verify_export.py` it carries: the custody log as canonical JSON and CSV, the verified photos,
the custody report PDF, a checkpoint signed at export time with an inclusion proof for each
event, and a manifest of every file's SHA-256 with a detached Ed25519 signature."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.utils import timezone

from beatbook.core.actors import Actor, actor_label
from beatbook.core.exceptions import ValidationFailed
from beatbook.core.history import history_record
from beatbook.core.pdf import render_pdf
from beatbook.core.permissions import require_role
from beatbook.property import offline_verify as ov
from beatbook.property.chain import chain_check, checkpoint_write, public_key_bytes, sign
from beatbook.property.exceptions import CustodyRefused
from beatbook.property.models import PropertyItem
from beatbook.property.services import (
    CUSTODIANS,
    custody_checkpoint_build,
    custody_log_turn,
    item_photo_read,
    log_leaves,
)

EXPORT_FORMAT = "beatbook-court-export/1"
MIN_PASSPHRASE = 12
README = """Court export of {number}, made {created} by {by}.

Check it on any computer with Python 3.11 or newer, without installing anything:

    python3 verify_export.py {filename}

It prints OK only if every file matches manifest.json, manifest.json carries the agency's
signature (key fingerprint {fingerprint}; ask the agency to confirm it, or pass
--public-key {public_key}), every custody event follows from its content and the one before it,
and every event is included in the signed checkpoint of the agency's whole custody log.
Any change to any file makes it print FAIL and the name of that file.
"""


def _event_rows(item: PropertyItem) -> list[dict[str, Any]]:
    rows = []
    for event in item.events.order_by("seq"):
        row: dict[str, Any] = {name: getattr(event, name) for name in ov.CONTENT_FIELDS}
        row["at"] = ov.timestamp_text(event.at)
        row["prev_hash"], row["hash"] = event.prev_hash, event.hash
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*ov.CONTENT_FIELDS, "prev_hash", "hash"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False).encode()


def encrypt_export(data: bytes, passphrase: str) -> bytes:
    """AES-256-GCM under a scrypt-derived key; the verifier decrypts with the same scheme."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = hashlib.scrypt(passphrase.encode(), salt=salt, **ov.SCRYPT_PARAMS)  # type: ignore[arg-type]
    sealed = AESGCM(key).encrypt(nonce, data, ov.ENCRYPTED_MAGIC)
    return ov.ENCRYPTED_MAGIC + salt + nonce + sealed


def court_export(*, actor: Actor, item: PropertyItem, passphrase: str = "") -> tuple[str, bytes]:
    """Build the export; refuses an item whose chain or photos do not verify."""
    require_role(actor, CUSTODIANS, action="make court exports")
    if passphrase and len(passphrase) < MIN_PASSPHRASE:
        raise ValidationFailed(
            f"A passphrase has at least {MIN_PASSPHRASE} characters.", field="passphrase"
        )
    item = PropertyItem.objects.select_related("location", "custodian", "call").get(pk=item.pk)
    events = list(item.events.order_by("seq"))
    broken = chain_check(item.number, events)
    if broken is not None:
        raise CustodyRefused(f"{item.number} cannot be exported: its chain breaks ({broken}).")
    with transaction.atomic():
        custody_log_turn()  # no event lands between the checkpoint and the proofs cut from it
        checkpoint, entries = custody_checkpoint_build()
    checkpoint_write(checkpoint)  # every export also leaves a checkpoint outside the database
    leaves = log_leaves(entries)
    position = {(number, seq): i for i, (number, seq, _) in enumerate(entries)}
    proofs = [
        {
            "seq": event.seq,
            "leaf_index": position[(item.number, event.seq)],
            "path": [
                p.hex() for p in ov.inclusion_proof(position[(item.number, event.seq)], leaves)
            ],
        }
        for event in events
    ]
    created = timezone.now()
    rows = _event_rows(item)
    files: dict[str, bytes] = {
        "item.json": _json(
            {
                "number": item.number,
                "kind": item.kind,
                "category": item.category,
                "description": item.description,
                "serial_number": item.serial_number,
                "found_at": ov.timestamp_text(item.found_at),
                "address": item.address_text,
                "call": item.call.number if item.call else "",
                "status": item.status,
            }
        ),
        "custody-log.json": _json(rows),
        "custody-log.csv": _csv(rows),
        "checkpoint.json": _json(checkpoint),
        "inclusion-proofs.json": _json(proofs),
        "custody-report.pdf": render_pdf(
            "property/custody_pdf.html",
            {"item": item, "events": events, "chain_ok": True, "chain_break": None},
        ),
        "verify_export.py": Path(ov.__file__).read_bytes(),
    }
    for n, photo in enumerate(item.photos.all(), start=1):
        files[f"photos/{n:02d}-{photo.sha256[:12]}.jpg"] = item_photo_read(actor=actor, photo=photo)
        if photo.original:
            files[f"photos/{n:02d}-original-{photo.original_sha256[:12]}"] = item_photo_read(
                actor=actor, photo=photo, size="original"
            )
    public_key = public_key_bytes()
    filename = f"{item.number}-court-export.zip"
    files["README.txt"] = README.format(
        number=item.number,
        created=created.isoformat(timespec="seconds"),
        by=actor_label(actor),
        filename=filename,
        fingerprint=ov.key_fingerprint(public_key),
        public_key=public_key.hex(),
    ).encode()
    manifest = _json(
        {
            "format": EXPORT_FORMAT,
            "item": item.number,
            "created_at": created.isoformat(),
            "created_by": actor_label(actor),
            "public_key": public_key.hex(),
            "files": {name: hashlib.sha256(body).hexdigest() for name, body in files.items()},
        }
    )
    buffer = io.BytesIO()
    stamp = timezone.localtime(created).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, body in [
            *sorted(files.items()),
            (ov.MANIFEST, manifest),
            (ov.MANIFEST_SIGNATURE, sign(manifest).encode()),
        ]:
            bundle.writestr(zipfile.ZipInfo(name, date_time=stamp), body, zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    if passphrase:
        data, filename = encrypt_export(data, passphrase), filename + ".aes"
    history_record(
        obj=item,
        actor=actor,
        verb="court export",
        data={
            "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
            "encrypted": bool(passphrase),
            "log_size": len(entries),
        },
    )
    return filename, data
