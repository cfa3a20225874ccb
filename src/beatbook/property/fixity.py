"""File fixity for property photos (R21): SHA-256 taken while the bytes stream in, checked
again on every read and export and by a scheduled sweep, in fixed-size chunks so that memory
stays flat whatever the file size."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

CHUNK = 1024 * 1024
SPOOL_IN_MEMORY = 2 * CHUNK  # larger uploads spool to a temporary file


def stream_chunks(source: IO[bytes], size: int = CHUNK) -> Iterator[bytes]:
    while chunk := source.read(size):
        yield chunk


def stream_sha256(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def spool_with_hash(source: IO[bytes]) -> tuple[IO[bytes], str, int]:
    """Copy an upload into a spooled file while hashing it: the hash is of exactly the bytes
    that will be stored, taken before anything else reads them."""
    digest, size = hashlib.sha256(), 0
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115  (returned)
    for chunk in stream_chunks(source):
        digest.update(chunk)
        spool.write(chunk)
        size += len(chunk)
    spool.seek(0)
    return spool, digest.hexdigest(), size  # type: ignore[return-value]


def stored_sha256(file_field: Any) -> str:
    with file_field.storage.open(file_field.name or "", "rb") as stored:
        return stream_sha256(stream_chunks(stored))


@dataclass
class FixityResult:
    files: int = 0
    failures: list[str] = field(default_factory=list)
