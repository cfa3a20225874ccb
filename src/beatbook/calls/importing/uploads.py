"""Imports started from the imports page: the uploaded file, its mapping and code tables kept
in a folder of their own, checked before anything is queued, then imported by the task
worker as `beatbook import calls` would, with the run's status for the page to show."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.move import file_move_safe
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import get_valid_filename

from beatbook.calls.importing.corrections import (
    code_correct,
    code_correction_take_back,
    codes_of,
    corrections_for,
)
from beatbook.calls.importing.mapping import (
    MAPPINGS_DIR,
    Mapping,
    MappingError,
    mapping_load,
    mapping_names,
)
from beatbook.calls.importing.preview import Preview, import_preview
from beatbook.calls.importing.reading import ImportFileError, file_check
from beatbook.calls.importing.run import Progress, calls_import
from beatbook.calls.models import CallRecord, CodeCorrection, ImportRun
from beatbook.core.actors import SYSTEM, Actor, actor_label
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import CALL_IMPORT_ROLES

IMPORT_ROLES = CALL_IMPORT_ROLES
STALLED_AFTER = dt.timedelta(minutes=10)
MAPPING_FILE = "mapping.toml"
REJECTS_FILE = "rejects.csv"


class ImportUploadError(Exception):
    """The upload cannot be imported (its mapping, its code tables or the file itself);
    nothing was queued and nothing kept."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Upload:
    """What the form received: the calls file, and either a shipped mapping's name or a
    mapping file, with the code tables the mapping names."""

    calls: UploadedFile
    mapping_name: str = ""
    mapping_file: UploadedFile | None = None
    tables: tuple[UploadedFile, ...] = ()
    update: bool = False  # rows imported before take the file's values (a corrected mapping)
    check_only: bool = False  # read and mapped, not imported, until someone says so


def shipped_mappings() -> list[tuple[str, str]]:
    """(name, description) of each mapping that comes with Beatbook."""
    shipped = [mapping_load(name) for name in mapping_names()]
    return [(m.name, m.description or m.name) for m in shipped]


def import_runs_recent(limit: int = 25) -> list[ImportRun]:
    """The latest imports, the command's and the page's, newest first, each with `has_rows`:
    whether rows of its own are still there (one index probe each, not a count: the page
    asks every 2 s while one runs, and a run may hold millions)."""
    own = CallRecord.objects.filter(import_run=OuterRef("pk"))
    runs = ImportRun.objects.annotate(has_rows=Exists(own)).order_by("-started_at", "-id")
    return list(runs[:limit])


def upload_folder(run: ImportRun) -> Path | None:
    if not run.upload_dir:
        return None
    return Path(settings.BEATBOOK_IMPORTS_DIR) / run.upload_dir


def mapping_used(run: ImportRun) -> tuple[Path, bool] | None:
    """The mapping `run` read its file with, and whether it is a shipped one: an upload's
    own file, else the shipped mapping of that name. A command run given a file of its own
    names no path (it was on the server's disk): None."""
    folder = upload_folder(run)
    if folder is not None and (folder / MAPPING_FILE).is_file():
        return folder / MAPPING_FILE, False
    if run.source in mapping_names():
        return MAPPINGS_DIR / f"{run.source}.toml", True
    return None


def file_kept(run: ImportRun) -> bool:
    """Whether the upload's calls file is still there (to import, check or run again)."""
    folder = upload_folder(run)
    return folder is not None and (folder / run.file_name).is_file()


def rejects_path(run: ImportRun) -> Path | None:
    """An upload's rejects file, when its import wrote one."""
    folder = upload_folder(run)
    if folder is None or not (folder / REJECTS_FILE).is_file():
        return None
    return folder / REJECTS_FILE


def _file_name(upload: UploadedFile, field: str, taken: Iterable[str] = ()) -> str:
    """The upload's own name made safe for a file name, unless the folder has one like it."""
    try:
        name = get_valid_filename(Path(upload.name or "").name)
    except SuspiciousFileOperation:  # nothing left of it ("..", "")
        name = ""
    if not name or name in (MAPPING_FILE, REJECTS_FILE, *taken):
        raise ImportUploadError(field, f"Rename {upload.name!r} and upload it again.")
    return name


def _store(upload: UploadedFile, path: Path) -> None:
    """Into the upload's folder, readable by this service's user alone (a city's calls)."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:  # a large upload Django already wrote to disk: moved, not copied
        file_move_safe(temporary(), str(path))
    else:
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    path.chmod(0o600)


def _mapping(upload: Upload, folder: Path) -> Mapping:
    if upload.mapping_file is not None:
        _store(upload.mapping_file, folder / MAPPING_FILE)
        source = str(folder / MAPPING_FILE)
    elif upload.mapping_name:
        source = upload.mapping_name
    else:
        raise ImportUploadError("mapping", "Choose a mapping or upload a mapping file.")
    try:
        return mapping_load(source)
    except MappingError as exc:
        field = "mapping_file" if upload.mapping_file else "mapping"
        raise ImportUploadError(field, str(exc)) from None


def _tables(tables: Iterable[UploadedFile], mapping: Mapping, folder: Path) -> list[str]:
    names: list[str] = []
    for table in tables:
        names.append(_file_name(table, "tables", names))
        _store(table, folder / names[-1])
    lookup = mapping.call_type_lookup
    if lookup is not None and not (folder / lookup.file).is_file():
        raise ImportUploadError(
            "tables",
            f"Mapping {mapping.name!r} reads its call types' descriptions from "
            f"{lookup.file}: upload that file as a code table.",
        )
    return names


def import_upload_start(*, actor: Actor, upload: Upload) -> ImportRun:
    """Keep the upload, check it as the import will (mapping, code tables, encoding, header,
    quoting) and queue its import. A check that fails raises ImportUploadError naming the
    form's field, and the upload is not kept."""
    require_role(actor, IMPORT_ROLES, action="import calls")
    name = uuid.uuid4().hex
    folder = Path(settings.BEATBOOK_IMPORTS_DIR) / name
    folder.mkdir(mode=0o700, parents=True)
    try:
        mapping = _mapping(upload, folder)
        tables = _tables(upload.tables, mapping, folder)
        file_name = _file_name(upload.calls, "calls", tables)
        _store(upload.calls, folder / file_name)
        try:
            check = file_check(folder / file_name, mapping)
        except ImportFileError as exc:
            raise ImportUploadError("calls", str(exc)) from None
        with transaction.atomic():
            run = ImportRun.objects.create(
                source=mapping.name,
                file_name=file_name,
                file_sha256=check.sha256,
                rows_total=check.records,
                status=ImportRun.Status.QUEUED,
                update=upload.update,
                check_only=upload.check_only,
                started_by=actor_label(actor)[:150],
                upload_dir=name,
            )
            history_record(
                obj=run,
                actor=actor,
                verb="check queued" if upload.check_only else "import queued",
                data={
                    "file": file_name,
                    "mapping": mapping.name,
                    "records": check.records,
                    "update": upload.update,
                },
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _enqueue(run)
    return run


def import_upload_retry(*, actor: Actor, run: ImportRun) -> ImportRun:
    """Queue a failed or interrupted upload again: the rows already in are recognised and
    skipped, so the new run finishes the job."""
    require_role(actor, IMPORT_ROLES, action="import calls")
    if not can_retry(run):
        raise ImportUploadError(
            "run", "Only a failed, interrupted or stalled upload can run again."
        )
    again = "check queued again" if run.check_only else "import queued again"
    return _queue(
        run,
        actor=actor,
        seen=run.status,
        verb=again,
        refused="This import changed meanwhile; see its status.",
        message="",
    )


def _queue(
    run: ImportRun,
    *,
    actor: Actor,
    seen: str,
    verb: str,
    refused: str,
    data: dict[str, Any] | None = None,
    **changes: Any,
) -> ImportRun:
    """Queue `run` for the worker, only from the status `seen` (two clicks, or a worker
    moving on, queue it once), with `changes` and a history entry; else `refused`."""
    with transaction.atomic():
        queued = ImportRun.objects.filter(pk=run.pk, status=seen).update(
            status=ImportRun.Status.QUEUED, **changes
        )
        if not queued:
            raise ImportUploadError("run", refused)
        history_record(obj=run, actor=actor, verb=verb, data=data or {})
    run.refresh_from_db()
    _enqueue(run)
    return run


WORKING = (ImportRun.Status.RUNNING, ImportRun.Status.REMOVING, ImportRun.Status.CHECKING)


def stalled(run: ImportRun) -> bool:
    """Importing, checking or removing, but no batch done for STALLED_AFTER: its worker has
    most likely stopped (a batch takes seconds)."""
    if run.status not in WORKING:
        return False
    return timezone.now() - (run.progress_at or run.started_at) > STALLED_AFTER


def can_retry(run: ImportRun) -> bool:
    stopped = run.status in (ImportRun.Status.FAILED, ImportRun.Status.INTERRUPTED)
    reading = run.status in (ImportRun.Status.RUNNING, ImportRun.Status.CHECKING)
    stopped = stopped or (reading and stalled(run))
    return stopped and file_kept(run)


def _enqueue(run: ImportRun) -> None:
    from beatbook.calls.tasks import calls_import_task

    transaction.on_commit(lambda: calls_import_task.enqueue(run_id=run.pk))


def import_upload_run(*, run_id: int) -> ImportRun:
    """The worker's part: import a queued upload. A failure is on the run (status and
    message) for the page, and the file is kept so that running it again finishes the job;
    once imported, the file goes (its rows are in the database) and the rejects stay."""
    queued = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED)
    taken = queued.filter(check_only=False).update(status=ImportRun.Status.RUNNING)
    checking = queued.filter(check_only=True).update(
        status=ImportRun.Status.CHECKING, started_at=timezone.now()
    )
    run = ImportRun.objects.get(pk=run_id)
    folder = upload_folder(run)
    if not (taken or checking) or folder is None:
        return run  # not an upload, or another worker's attempt took it
    used = corrections_for(run.source)  # what the check reads the file with
    try:
        mapping_file = folder / MAPPING_FILE
        mapping = mapping_load(str(mapping_file) if mapping_file.is_file() else run.source)
        if checking:
            _check(run, mapping, folder / run.file_name)
        else:
            # The rejects are rows of the city's calls, readable by this user only (as the
            # upload is); writing them later keeps the mode.
            (folder / REJECTS_FILE).touch(mode=0o600)
            calls_import(
                path=folder / run.file_name,
                mapping=mapping,
                rejects_path=folder / REJECTS_FILE,
                run=run,
                update=run.update,
            )
    except (MappingError, ImportFileError, OSError) as exc:  # the files changed or went
        run.status, run.message = ImportRun.Status.FAILED, str(exc)[:500]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at"])
        return run
    finally:
        verb = f"import {run.status}"
        if run.check_only:
            verb = "checked" if run.status == ImportRun.Status.CHECKED else f"check {run.status}"
        history_record(obj=run, actor=SYSTEM, verb=verb, data={"message": run.message})
    if checking:  # the file stays for "Import it"
        # A code mapped on the page while the check read the file: it did not see it.
        if corrections_for(run.source) != used:
            with contextlib.suppress(ImportUploadError):  # imported or discarded meanwhile
                import_check_again(actor=SYSTEM, run=run, why="codes mapped during the check")
        return run
    (folder / run.file_name).unlink(missing_ok=True)
    return run


def _check(run: ImportRun, mapping: Mapping, path: Path) -> None:
    """Read and map the upload as the import would, with progress on the run, and keep what
    was found; the file stays for the import, if it is asked for."""

    def show(progress: Progress) -> None:
        ImportRun.objects.filter(pk=run.pk).update(
            rows_read=progress.done, rows_rejected=progress.rejected, progress_at=timezone.now()
        )

    # All the rejects, for the page's CSV link, as an import keeps them (0600, like the file).
    (path.parent / REJECTS_FILE).touch(mode=0o600)
    preview = import_preview(
        path=path, mapping=mapping, progress=show, rejects_path=path.parent / REJECTS_FILE
    )
    run.status, run.preview = ImportRun.Status.CHECKED, preview.as_json()
    run.rows_total = run.rows_read = preview.records
    run.rows_rejected = preview.rejected
    run.message = (
        f"{preview.importable} would be imported ({preview.new} new, "
        f"{preview.already_there} already there), {preview.rejected} rejected"
    )
    run.finished_at = run.progress_at = timezone.now()
    run.save()


def import_checked_start(*, actor: Actor, run: ImportRun) -> ImportRun:
    """Import a checked upload: its kept file, with its mapping, as the same run."""
    require_role(actor, IMPORT_ROLES, action="import calls")
    if not file_kept(run):
        raise ImportUploadError("run", "Only a checked upload whose file is kept can be imported.")
    return _queue(
        run,
        actor=actor,
        seen=ImportRun.Status.CHECKED,
        verb="import queued after its check",
        refused="Only a checked upload can be imported from here.",
        check_only=False,
        message="",
    )


def import_check_again(*, actor: Actor, run: ImportRun, why: str) -> ImportRun:
    """Check a checked upload again (a code of its source was given a value since): its
    page then shows the file as the import will now read it."""
    require_role(actor, IMPORT_ROLES, action="import calls")
    if not file_kept(run):
        raise ImportUploadError("run", "Only a checked upload whose file is kept can be checked.")
    return _queue(
        run,
        actor=actor,
        seen=ImportRun.Status.CHECKED,
        verb="check queued again",
        refused="This upload changed meanwhile; see its status.",
        data={"why": why},
    )


def run_preview(run: ImportRun) -> Preview | None:
    """What a checked upload's check found, while it is only checked (once imported, its
    page shows the rows themselves)."""
    return Preview.from_json(run.preview) if run.check_only and run.preview else None


def run_code_correct(
    *, actor: Actor, run: ImportRun, kind: str, code: str, value: str
) -> tuple[CodeCorrection, bool]:
    """A code listed on `run`'s page given its value (corrections.code_correct): for a
    checked upload, a code its check found, and the file is checked again with it. Returns
    the correction and whether the file is checked again."""
    preview = run_preview(run)
    correction = code_correct(
        actor=actor,
        source=run.source,
        kind=kind,
        code=code,
        value=value,
        codes_left=codes_of(preview.coverage, kind) if preview else None,
    )
    return correction, _checked_again(actor, run, why=f"{correction.code} mapped")


def run_code_take_back(
    *, actor: Actor, run: ImportRun, kind: str, code: str
) -> tuple[CodeCorrection, bool]:
    """A value given to a code on `run`'s page (or another of its source's) taken back
    (corrections.code_correction_take_back); a checked file is checked again without it.
    Returns the correction and whether the file is checked again."""
    correction = code_correction_take_back(actor=actor, source=run.source, kind=kind, code=code)
    return correction, _checked_again(actor, run, why=f"{correction.code} taken back")


def _checked_again(actor: Actor, run: ImportRun, *, why: str) -> bool:
    """A checked upload is checked again once its source's corrections change, so that its
    page shows the file as its import will read it; whether `run` is a checked upload."""
    if run_preview(run) is None:
        return False
    if run.status == ImportRun.Status.CHECKED:
        import_check_again(actor=actor, run=run, why=why)
    # (A check under way when the corrections changed queues itself again when it ends.)
    return True


def checked_kept_until(run: ImportRun) -> dt.datetime | None:
    """When a checked upload's file is discarded unless it is imported before."""
    if run.status != ImportRun.Status.CHECKED or run.finished_at is None:
        return None
    return run.finished_at + dt.timedelta(days=settings.BEATBOOK_CHECKED_UPLOAD_DAYS)


def import_checked_discard(*, actor: Actor, run: ImportRun, why: str = "") -> ImportRun:
    """Drop a checked upload that will not be imported: its files go (a city's calls are
    not kept for nothing), what the check found stays on the run."""
    require_role(actor, IMPORT_ROLES, action="import calls")
    with transaction.atomic():
        discarded = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHECKED).update(
            status=ImportRun.Status.DISCARDED
        )
        if not discarded:
            raise ImportUploadError("run", "Only a checked upload can be discarded.")
        data = {"why": why} if why else {}
        history_record(obj=run, actor=actor, verb="checked upload discarded", data=data)
    folder = upload_folder(run)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    run.refresh_from_db()
    return run


def checked_uploads_expire() -> list[ImportRun]:
    """Discard the checked uploads nobody imported within BEATBOOK_CHECKED_UPLOAD_DAYS (the
    daily `beatbook analytics expire`); returns them."""
    days = settings.BEATBOOK_CHECKED_UPLOAD_DAYS
    old = ImportRun.objects.filter(
        status=ImportRun.Status.CHECKED, finished_at__lt=timezone.now() - dt.timedelta(days=days)
    )
    expired = []
    for run in old:
        try:
            expired.append(
                import_checked_discard(actor=SYSTEM, run=run, why=f"not imported in {days} days")
            )
        except ImportUploadError:  # imported or discarded meanwhile
            continue
    return expired
