"""Reading the CSV safely: the encoding and the header are checked over the whole file before
anything is written, so a bad file is refused with its line number and leaves nothing behind."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from beatbook.calls.importing.mapping import Mapping

csv.field_size_limit(1024 * 1024)


class ImportFileError(Exception):
    """The file cannot be imported at all (encoding, header, empty): nothing was written."""


@dataclass(frozen=True)
class FileCheck:
    header: list[str]
    sha256: str
    record_lines: Sequence[int]  # the line each record starts on, by record number
    plain: bool  # UTF-8 with \n or \r\n line ends: polars reads the file as it is

    @property
    def records(self) -> int:
        return len(self.record_lines)


def _encoding(mapping: Mapping) -> str:
    # A byte-order mark is common in exports from Windows tools; never let it into a name.
    return (
        "utf-8-sig"
        if mapping.encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        else (mapping.encoding)
    )


def file_check(path: Path, mapping: Mapping) -> FileCheck:
    """One pass over the bytes (decodes every line, hashes the file), then one over the CSV
    (checks the quoting, notes where each record starts), which a file without a single
    quote character does not need: each of its lines is a record."""
    decoder = codecs.getincrementaldecoder(_encoding(mapping))()
    digest = hashlib.sha256()
    line = 1
    lone_cr = quoted = False
    last = b""
    with path.open("rb") as raw:
        while chunk := raw.read(1024 * 1024):
            digest.update(chunk)
            lone_cr = lone_cr or chunk.count(b"\r") != chunk.count(b"\r\n")
            quoted = quoted or b'"' in chunk or b"\0" in chunk  # csv refuses NUL too
            last = chunk[-1:]
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
        reader = csv.reader(text_file, strict=True, delimiter=mapping.delimiter)
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
        plain = _encoding(mapping) == "utf-8-sig" and not lone_cr
        if plain and not quoted:
            lines = line - (1 if last == b"\n" else 0)
            return FileCheck(
                header=header,
                sha256=digest.hexdigest(),
                record_lines=range(2, lines + 1),
                plain=True,
            )
        starts = array("L")
        try:
            start = reader.line_num + 1
            for _ in reader:
                starts.append(start)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFileError(f"{path.name} line {reader.line_num}: {exc}.") from None
    return FileCheck(header=header, sha256=digest.hexdigest(), record_lines=starts, plain=plain)


def _newlines_before(chunk: bytes, offset: int) -> int:
    return chunk.count(b"\n", 0, offset)


def batches(
    path: Path, mapping: Mapping, check: FileCheck, size: int
) -> Iterator[tuple[int, pl.DataFrame]]:
    """(first record's number, the records) in batches of `size`, every column as text. A
    file in another encoding, or with old Mac line ends, is rewritten as plain UTF-8 CSV in
    memory first (the check has read it whole already)."""
    source: Path | io.BytesIO = path
    if not check.plain:
        source = io.BytesIO()
        with path.open(encoding=_encoding(mapping), newline="") as text_file:
            wrapper = io.TextIOWrapper(source, encoding="utf-8", newline="", write_through=True)
            reader = csv.reader(text_file, delimiter=mapping.delimiter)
            csv.writer(wrapper, lineterminator="\n").writerows(reader)
            wrapper.detach()
        source.seek(0)
    frames = pl.scan_csv(
        source,
        separator=mapping.delimiter if check.plain else ",",  # rewritten above with commas
        infer_schema=False,
        truncate_ragged_lines=True,
        raise_if_empty=False,
        encoding="utf8",
    ).collect_batches(chunk_size=size)
    pending: list[pl.DataFrame] = []
    held = done = 0
    for frame in frames:
        frame = frame.rename({c: c.strip() for c in frame.columns})
        pending.append(frame)
        held += frame.height
        while held >= size:  # polars' chunks are about `size`; interruption tests want exact
            whole = pl.concat(pending)
            yield done, whole.slice(0, size)
            done += size
            rest = whole.slice(size)
            pending, held = [rest], rest.height
    if held:
        yield done, pl.concat(pending)
    if done + held != check.records:  # never seen; a guard against a misread file
        raise ImportFileError(
            f"{path.name}: read {done + held} records where the check counted {check.records}."
        )


def rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the record starts, the record) for every record after the header."""
    with path.open(encoding=_encoding(mapping), newline="") as text_file:
        reader = csv.reader(text_file, strict=True, delimiter=mapping.delimiter)
        header = [h.strip() for h in next(reader)]
        start = reader.line_num + 1
        for values in reader:
            yield start, dict(zip(header, values, strict=False))
            start = reader.line_num + 1
