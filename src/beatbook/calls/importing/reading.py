"""Reading the CSV safely: the encoding and the header are checked over the whole file before
anything is written, so a bad file is refused with its line number and leaves nothing behind."""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from beatbook.calls.importing.mapping import Mapping

csv.field_size_limit(1024 * 1024)


class ImportFileError(Exception):
    """The file cannot be imported at all (encoding, header, empty): nothing was written."""


@dataclass(frozen=True)
class FileCheck:
    header: list[str]
    records: int
    sha256: str


def _encoding(mapping: Mapping) -> str:
    # A byte-order mark is common in exports from Windows tools; never let it into a name.
    return (
        "utf-8-sig"
        if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        else (mapping.encoding)
    )


def file_check(path: Path, mapping: Mapping) -> FileCheck:
    """One pass over the bytes: decodes every line, counts records, hashes the file."""
    decoder = codecs.getincrementaldecoder(_encoding(mapping))()
    digest = hashlib.sha256()
    line = 1
    with path.open("rb") as raw:
        while chunk := raw.read(1024 * 1024):
            digest.update(chunk)
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad_line = line + _newlines_before(chunk, exc.start)
                raise ImportFileError(
                    f"{path.name} line {bad_line}: not valid {mapping.encoding} "
                    f"(byte 0x{chunk[exc.start]:02x}); set `encoding` in the mapping or "
                    "re-export the file as UTF-8."
                ) from None
            line += text.count("\n")
        decoder.decode(b"", final=True)
    with path.open(encoding=_encoding(mapping), newline="") as text_file:
        reader = csv.reader(text_file, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            raise ImportFileError(f"{path.name} line {reader.line_num}: {exc}.") from None
        if not header:
            raise ImportFileError(f"{path.name} is empty: there is no header line.")
        header = [h.strip() for h in header]
        missing = [c for c in mapping.needed_columns if c not in header]
        if missing:
            raise ImportFileError(
                f"{path.name}: the header lacks {', '.join(repr(c) for c in missing)} "
                f"that mapping {mapping.name!r} needs (it has {', '.join(header)})."
            )
        try:
            records = sum(1 for _ in reader)
        except csv.Error as exc:
            raise ImportFileError(f"{path.name} line {reader.line_num}: {exc}.") from None
    return FileCheck(header=header, records=records, sha256=digest.hexdigest())


def _newlines_before(chunk: bytes, offset: int) -> int:
    return chunk.count(b"\n", 0, offset)


def rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the record starts, the record) for every record after the header."""
    with path.open(encoding=_encoding(mapping), newline="") as text_file:
        reader = csv.reader(text_file, strict=True)
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for values in reader:
            yield start, dict(zip(header, values, strict=False))
            start = reader.line_num + 1
