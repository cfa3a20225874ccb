"""Checks a Beatbook court export with nothing but Python's standard library.

This one file is the application's own implementation of the custody-chain hash, the
RFC 9162 Merkle tree and Ed25519 verification (RFC 8032), and it is copied as-is into every
court export as ``verify_export.py``, so that a court, a defence expert or an auditor can run

    python3 verify_export.py PRP-2026-000001-court-export.zip [--public-key HEX]

on any machine, without a database, Django or anything from PyPI. It must not import from
Beatbook, Django or any third-party package.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import sys
import zipfile
from typing import Any

# --- the custody chain ------------------------------------------------------------------

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


def timestamp_text(at: dt.datetime | str) -> str:
    """The one spelling of a custody time that every hash covers: UTC, microseconds, Z."""
    if isinstance(at, str):
        return at
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(item_number: str, fields: dict[str, Any]) -> str:
    content = {name: fields[name] for name in CONTENT_FIELDS}
    content["at"] = timestamp_text(content["at"])
    content["item"] = item_number
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(prev_hash: str, item_number: str, fields: dict[str, Any]) -> str:
    payload = f"{CHAIN_VERSION}|{prev_hash}|{canonical(item_number, fields)}"
    return hashlib.sha256(payload.encode()).hexdigest()


def log_leaf(item_number: str, seq: int, event_hash_hex: str) -> bytes:
    """What one custody event contributes to the agency-wide Merkle log."""
    return f"{item_number}|{seq}|{event_hash_hex}".encode()


# --- RFC 9162 section 2.1 Merkle tree ----------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_root(leaves: list[bytes]) -> bytes:
    """MTH over leaf hashes (iterative, so a million events do not recurse)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    # Pairing left to right and carrying an odd last node up gives the same tree as the
    # RFC's split at the largest power of two.
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(index: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n <= 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), tree_root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), tree_root(leaves[:k])]


def consistency_proof(first: int, leaves: list[bytes]) -> list[bytes]:
    def sub(m: int, part: list[bytes], complete: bool) -> list[bytes]:
        n = len(part)
        if m == n:
            return [] if complete else [tree_root(part)]
        k = _split(n)
        if m <= k:
            return [*sub(m, part[:k], complete), tree_root(part[k:])]
        return [*sub(m - k, part[k:], False), tree_root(part[:k])]

    if not 0 < first <= len(leaves):
        raise ValueError("a consistency proof needs 0 < first <= tree size")
    return sub(first, leaves, True)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, proof: list[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if first == second:
        return not proof and first_root == second_root
    if not 0 < first < second or not proof:
        return False
    if first & (first - 1) == 0:  # an exact power of two
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == first_root and sr == second_root


# --- Ed25519 verification (RFC 8032 section 6, the reference algorithm) ---------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
_Point = tuple[int, int, int, int]


def _add(a: _Point, b: _Point) -> _Point:
    x = (a[1] - a[0]) * (b[1] - b[0]) % _P
    y = (a[1] + a[0]) * (b[1] + b[0]) % _P
    c = 2 * a[3] * b[3] * _D % _P
    d = 2 * a[2] * b[2] % _P
    e, f, g, h = y - x, d - c, d + c, y + x
    return (e * f, g * h, f * g, e * h)


def _mul(s: int, point: _Point) -> _Point:
    result: _Point = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            result = _add(result, point)
        point = _add(point, point)
        s >>= 1
    return result


def _equal(a: _Point, b: _Point) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P)
    if x2 % _P == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P != 0:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P != 0:
        return None
    if (x & 1) != sign:
        x = _P - x
    return x


def _decompress(data: bytes) -> _Point | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0) or 0
_G: _Point = (_GX, _GY, 1, _GX * _GY % _P)


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decompress(public_key)
    r = _decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little")
    return _equal(_mul(s, _G), _add(r, _mul(h % _L, a)))


# --- signed checkpoints -------------------------------------------------------------------


def checkpoint_body(checkpoint: dict[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: every field but the signature."""
    unsigned = {k: v for k, v in checkpoint.items() if k not in ("signature", "path")}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":")).encode()


def checkpoint_signature_ok(checkpoint: dict[str, Any], public_key: bytes) -> bool:
    try:
        signature = bytes.fromhex(checkpoint["signature"])
    except (KeyError, ValueError):
        return False
    return ed25519_verify(public_key, checkpoint_body(checkpoint), signature)


def key_fingerprint(public_key: bytes) -> str:
    return hashlib.sha256(public_key).hexdigest()[:16]


# --- the court export ---------------------------------------------------------------------

MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.sig"
UNSIGNED = {MANIFEST, MANIFEST_SIGNATURE}


def verify_export(archive: bytes, pinned_key: str = "") -> list[str]:
    """Every problem found in the export, each naming the file it concerns; empty means OK."""
    try:
        bundle = zipfile.ZipFile(io.BytesIO(archive))
    except zipfile.BadZipFile:
        return ["the file is not a ZIP archive (an encrypted export must be decrypted first)"]
    names = set(bundle.namelist())
    if MANIFEST not in names or MANIFEST_SIGNATURE not in names:
        return ["manifest.json or manifest.sig is missing"]
    manifest_bytes = bundle.read(MANIFEST)
    manifest = json.loads(manifest_bytes)
    public_key = bytes.fromhex(manifest["public_key"])
    problems = []
    if pinned_key and pinned_key.lower() != manifest["public_key"]:
        problems.append("manifest.json: signed with a different key than the one you trust")
    signature = bytes.fromhex(bundle.read(MANIFEST_SIGNATURE).decode().strip())
    if not ed25519_verify(public_key, manifest_bytes, signature):
        problems.append("manifest.sig: the signature does not match manifest.json")
    listed = manifest["files"]
    for name in sorted(names - UNSIGNED - set(listed)):
        problems.append(f"{name}: not listed in the manifest")
    for name, expected in sorted(listed.items()):
        if name not in names:
            problems.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(bundle.read(name)).hexdigest() != expected:
            problems.append(f"{name}: SHA-256 differs from the manifest (the file was changed)")
    if problems:
        return problems
    return _verify_custody(bundle, manifest, public_key)


def _verify_custody(
    bundle: zipfile.ZipFile, manifest: dict[str, Any], public_key: bytes
) -> list[str]:
    problems = []
    item = manifest["item"]
    events = json.loads(bundle.read("custody-log.json"))
    prev = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        where = f"custody-log.json event {event.get('seq')}"
        if event["seq"] != expected_seq:
            problems.append(f"{where}: out of sequence")
        if event["prev_hash"] != prev or event_hash(prev, item, event) != event["hash"]:
            problems.append(f"{where}: its hash does not follow from its content and the chain")
        prev = event["hash"]
    with io.StringIO(bundle.read("custody-log.csv").decode()) as text:
        csv_hashes = [row["hash"] for row in csv.DictReader(text)]
    if csv_hashes != [e["hash"] for e in events]:
        problems.append("custody-log.csv: does not list the same events as custody-log.json")
    checkpoint = json.loads(bundle.read("checkpoint.json"))
    if not checkpoint_signature_ok(checkpoint, public_key):
        problems.append("checkpoint.json: the signature does not match")
    root = bytes.fromhex(checkpoint["root_hash"])
    proofs = json.loads(bundle.read("inclusion-proofs.json"))
    by_seq = {p["seq"]: p for p in proofs}
    for event in events:
        proof = by_seq.get(event["seq"])
        leaf = leaf_hash(log_leaf(item, event["seq"], event["hash"]))
        if proof is None or not verify_inclusion(
            proof["leaf_index"],
            checkpoint["tree_size"],
            leaf,
            [bytes.fromhex(h) for h in proof["path"]],
            root,
        ):
            problems.append(
                f"inclusion-proofs.json event {event['seq']}: not in the signed checkpoint"
            )
    return problems


def decrypt_export(data: bytes, passphrase: str) -> bytes:
    """Encrypted exports (AES-256-GCM, scrypt key) need the `cryptography` package."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    magic, salt, nonce, body = data[:4], data[4:20], data[20:32], data[32:]
    if magic != ENCRYPTED_MAGIC:
        raise ValueError("not an encrypted Beatbook export")
    key = hashlib.scrypt(passphrase.encode(), salt=salt, **SCRYPT_PARAMS)
    return AESGCM(key).decrypt(nonce, body, ENCRYPTED_MAGIC)


ENCRYPTED_MAGIC = b"BBX1"
SCRYPT_PARAMS = {"n": 2**15, "r": 8, "p": 1, "maxmem": 64 * 1024 * 1024, "dklen": 32}


def _say(text: str, *, err: bool = False) -> None:
    (sys.stderr if err else sys.stdout).write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Beatbook court export offline.")
    parser.add_argument("export", help="the .zip (or encrypted .zip.aes) file")
    parser.add_argument("--public-key", default="", help="the agency's key (hex), to pin it")
    parser.add_argument("--passphrase-file", help="for an encrypted export")
    args = parser.parse_args(argv)
    with open(args.export, "rb") as f:
        data = f.read()
    if data[:4] == ENCRYPTED_MAGIC:
        if not args.passphrase_file:
            _say("FAIL: the export is encrypted; give --passphrase-file", err=True)
            return 2
        with open(args.passphrase_file, encoding="utf-8") as f:
            passphrase = f.read().strip()
        try:
            data = decrypt_export(data, passphrase)
        except ImportError:
            _say("FAIL: decrypting needs `pip install cryptography`", err=True)
            return 2
        except Exception:  # noqa: BLE001  (a wrong passphrase fails authentication)
            _say("FAIL: wrong passphrase, or the encrypted file was changed", err=True)
            return 1
    problems = verify_export(data, args.public_key)
    for problem in problems:
        _say(f"FAIL: {problem}")
    if problems:
        return 1
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read(MANIFEST))
    fingerprint = key_fingerprint(bytes.fromhex(manifest["public_key"]))
    _say(
        f"OK: {manifest['item']}: {len(manifest['files'])} files match the signed manifest; "
        f"the custody chain verifies and is in the signed checkpoint (key {fingerprint})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
