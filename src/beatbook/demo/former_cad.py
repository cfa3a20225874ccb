"""The city's calls before the program, as the agency's former CAD exported them. The demo's
analyst imports the file on the imports page, so the demo has what a department starting on
Beatbook has: an import run with its rejects (three lines the old system wrote wrong) and
codes its mapping left out (the old CAD's sworn call types and two dispositions), and one
it forgot, given its call type on the page."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from beatbook.accounts.models import User
from beatbook.calls.importing.corrections import code_correct, code_correction_apply
from beatbook.calls.importing.uploads import Upload, import_upload_run, import_upload_start
from beatbook.calls.models import ImportRun
from beatbook.calls.public import BLOCK
from beatbook.demo.scale import scale_rows
from beatbook.places.models import Beat

MAPPING = Path(__file__).parent / "data" / "former-cad.toml"
HEADER = [
    "Incident",
    "Received",
    "Dispatched",
    "On Scene",
    "Cleared",
    "Priority",
    "Nature Code",
    "Nature",
    "Disposition",
    "Beat",
    "Block",
    "Latitude",
    "Longitude",
]
# A city's CAD holds sworn work too: every SWORN_MAPPED_EVERY-th call is one of these, which
# the mapping gives Beatbook's sworn-only types (what the diversion page's "What CSOs could
# take" leaves out). Every Nth of SWORN_EVERY is sworn work with no Beatbook type, and some
# are closed with a code Beatbook has no counterpart for: what the coverage page lists.
# In turn, so disturbances come three times as often as reckless drivers; all priority 2.
SWORN_MAPPED_EVERY, SWORN_PRIORITY = 4, "2"
DISTURBANCE, SUSPICIOUS = ("415", "DISTURBANCE"), ("SUSP", "SUSPICIOUS CIRCUMSTANCES")
PERSON, RECKLESS = ("SUSPP", "SUSPICIOUS PERSON"), ("23103", "RECKLESS DRIVER")
SWORN_MAPPED = [DISTURBANCE, SUSPICIOUS, DISTURBANCE, PERSON, DISTURBANCE, SUSPICIOUS, RECKLESS]
SWORN_EVERY = {71: ("ALARM", "AUDIBLE ALARM"), 89: ("DOM", "DOMESTIC DISTURBANCE")}
UNMAPPED_DISPOSITION_EVERY = {53: "CAN", 97: "DUP"}
# Until its code table was revised, the old CAD wrote parking calls as PRK. The mapping
# names only PARK, and the demo's analyst gave PRK its call type on the imports page.
OLD_SPELLINGS, REVISED_AFTER = {"PARK": "PRK"}, dt.timedelta(days=182)
TIME = "%Y-%m-%d %H:%M:%S"


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime(TIME) if moment else ""


def _block(text: str) -> str:
    """'1500 block of Pine St' as the old CAD wrote it: '15XX BLOCK OF PINE ST'."""
    match = BLOCK.match(text)
    if not match:
        return text.upper()
    return f"{int(match.group(1)) // 100}XX BLOCK OF {match.group(2).upper()}"


@functools.cache
def _old_codes(table: str) -> dict[str, str]:
    """Beatbook's value → the old CAD's code: the mapping's exact `table`, reversed."""
    exact = tomllib.loads(MAPPING.read_text(encoding="utf-8"))[table]["exact"]
    return {ours: theirs for theirs, ours in exact.items()}


def former_cad_lines(rows: Iterable[dict[str, Any]]) -> list[list[str]]:
    """The export's lines for `rows` (scale_rows' calls), and the three it wrote wrong."""
    beats = dict(Beat.objects.values_list("pk", "name"))
    nature_codes, disposition_codes = _old_codes("call_types"), _old_codes("dispositions")
    lines: list[list[str]] = []
    revised: dt.datetime | None = None
    for n, row in enumerate(rows, start=1):
        revised = revised or row["received_at"] + REVISED_AFTER
        code, nature = nature_codes[row["original_code"]], row["original_description"].upper()
        if row["received_at"] < revised:
            code = OLD_SPELLINGS.get(code, code)
        priority = str(row["priority"])
        if n % SWORN_MAPPED_EVERY == 0:
            code, nature = SWORN_MAPPED[n // SWORN_MAPPED_EVERY % len(SWORN_MAPPED)]
            priority = SWORN_PRIORITY
        for every, sworn in SWORN_EVERY.items():
            if n % every == 0:
                code, nature = sworn
        disposition = disposition_codes[row["disposition"]]
        for every, unmapped in UNMAPPED_DISPOSITION_EVERY.items():
            if n % every == 0:
                disposition = unmapped
        lines.append(
            [
                f"C{row['received_at']:%y}-{n:06d}",
                _when(row["received_at"]),
                _when(row["dispatched_at"]),
                _when(row["on_scene_at"]),
                _when(row["cleared_at"]),
                priority,
                code,
                nature,
                disposition,
                beats.get(row["beat_id"], ""),
                _block(row["block_text"]),
                f"{row['lat']:.6f}",
                f"{row['lon']:.6f}",
            ]
        )
    # What old exports carry: a call whose time never got written, a line without its
    # incident number, and one incident exported twice.
    if len(lines) > 3:
        third = len(lines) // 3
        broken = [*lines[third]]
        broken[0], broken[1] = broken[0] + "A", "0000-00-00 00:00:00"
        nameless = [*lines[third * 2]]
        nameless[0] = ""
        twice = [*lines[third * 2 + 1]]
        lines[third * 2 + 2 : third * 2 + 2] = [twice]
        lines[third * 2 + 1 : third * 2 + 1] = [nameless]
        lines[third + 1 : third + 1] = [broken]
    return lines


def former_cad_import(*, days: int, per_day: int, end: dt.date, seed: int) -> ImportRun:
    """Write the export of `days` days of calls up to `end`, `per_day` a day on average, and
    import it on the imports page as the demo's analyst."""
    rows = scale_rows(days * per_day, end=end, seed=seed, per_day=per_day)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(former_cad_lines(rows))
    first = (end - dt.timedelta(days=days)).strftime("%Y-%m")
    upload = Upload(
        calls=SimpleUploadedFile(
            f"former-cad-{first}-to-{end:%Y-%m}.csv", text.getvalue().encode(), "text/csv"
        ),
        mapping_file=SimpleUploadedFile(MAPPING.name, MAPPING.read_bytes(), "text/plain"),
    )
    analyst = User.objects.get(username="analyst")
    run = import_upload_start(actor=analyst, upload=upload)
    run = import_upload_run(run_id=run.pk)
    for old in OLD_SPELLINGS.values():
        correction = code_correct(
            actor=analyst, source=run.source, kind="call_type", code=old, value="PARKING"
        )
        code_correction_apply(correction_id=correction.pk)
    return run
