"""Codes a mapping left without a Beatbook value, given one on the page that lists them: no
file to download, edit and upload again. The source's rows with the code take the value (by
the task worker: a code may hold hundreds of thousands of rows), the dashboards' rollups
follow, and every later import of the source applies it where its mapping is silent. A
value given by mistake is taken back the same way: the rows lose it again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from beatbook.calls.choices import Disposition
from beatbook.calls.importing.coverage import Code, Coverage, coverage_count, import_coverage
from beatbook.calls.models import CallRecord, CallType, CodeCorrection
from beatbook.calls.signals import call_records_changed
from beatbook.calls.tasks import calls_code_correction_task
from beatbook.core.actors import SYSTEM, Actor, actor_label
from beatbook.core.history import history_record
from beatbook.core.permissions import require_role
from beatbook.core.roles import CALL_IMPORT_ROLES
from beatbook.places.models import Beat

Kind = CodeCorrection.Kind


class CodeCorrectionError(Exception):
    """The correction cannot be made; `field` names the form's field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Column:
    """Where a kind of code lives on a CallRecord: the source's code, the mapped value, how
    a value is written there, and the rows whose mapped value is `value`."""

    original: str
    mapped: str
    resolve: Callable[[str], Any]  # a valid value → what the mapped column holds
    holding: Callable[[str], Q]
    empty: Q  # the rows the mapping gave no value
    none: Any  # what the mapped column holds without a value


def _call_type(value: str) -> Any:
    return CallType.objects.filter(code=value).values_list("pk", flat=True).first()


def _beat(value: str) -> Any:
    return Beat.objects.filter(name__iexact=value).values_list("pk", flat=True).first()


def _disposition(value: str) -> Any:
    return value if value in Disposition.values else None


COLUMNS = {
    Kind.CALL_TYPE: Column(
        "original_code",
        "call_type_id",
        _call_type,
        lambda v: Q(call_type__code=v),
        Q(call_type__isnull=True),
        None,
    ),
    Kind.BEAT: Column(
        "beat_code",
        "beat_id",
        _beat,
        lambda v: Q(beat__name__iexact=v),
        Q(beat__isnull=True),
        None,
    ),
    Kind.DISPOSITION: Column(
        "original_disposition",
        "disposition",
        _disposition,
        lambda v: Q(disposition=v),
        Q(disposition=""),
        "",
    ),
}


def value_choices(kind: str) -> list[tuple[str, str]]:
    """What a code of `kind` may be given: (value, label)."""
    if kind == Kind.CALL_TYPE:
        types = CallType.objects.filter(is_active=True).order_by("code")
        return [(t.code, f"{t.code} · {t.name}") for t in types]
    if kind == Kind.BEAT:
        names = Beat.objects.order_by("name").values_list("name", flat=True)
        return [(name, name) for name in names]
    return list(Disposition.choices)


def source_corrections(source: str) -> list[CodeCorrection]:
    """The codes of `source` given a value on the imports page, by kind and code."""
    return list(CodeCorrection.objects.filter(source=source))


def corrections_for(source: str) -> dict[str, dict[str, str]]:
    """The source's corrections by kind, code (in capitals) → value: what an import of the
    source applies where its mapping gives a code no value (none taken back)."""
    kept: dict[str, dict[str, str]] = {kind: {} for kind in Kind.values}
    for correction in source_corrections(source):
        if not correction.taken_back:
            kept[correction.kind][correction.code] = correction.value
    return kept


def _with_code(column: Column, source: str, code: str) -> QuerySet[CallRecord]:
    """The source's rows with `code` (in capitals), whichever case the source wrote it in:
    an import maps codes regardless of case too."""
    return (
        CallRecord.objects.filter(source=source)
        .alias(original_upper=Upper(column.original))
        .filter(original_upper=code)
    )


def codes_of(coverage: Coverage, kind: str) -> set[str]:
    """The codes of `kind` that `coverage` lists, in capitals."""
    codes: dict[str, list[Code]] = {
        Kind.CALL_TYPE: coverage.call_types,
        Kind.BEAT: coverage.beats,
        Kind.DISPOSITION: coverage.dispositions,
    }
    return {c.code.upper() for c in codes.get(kind, [])}


def _codes_left(source: str, kind: str) -> set[str]:
    """The source's codes of `kind` its mapping left, as its page lists them: from the kept
    count (asking the rows themselves would read millions of them)."""
    return codes_of(import_coverage(source), kind)


def code_correct(
    *,
    actor: Actor,
    source: str,
    kind: str,
    code: str,
    value: str,
    codes_left: set[str] | None = None,
) -> CodeCorrection:
    """Give the source's `code` of `kind` a Beatbook `value` (or a new one), kept for later
    imports, and queue the update of the rows holding it. The code must be one the mapping
    left: in the source's rows, or in `codes_left` (a checked file's, in capitals)."""
    require_role(actor, CALL_IMPORT_ROLES, action="correct an import's codes")
    if kind not in COLUMNS:
        raise CodeCorrectionError("kind", f"{kind!r} is not a call type, beat or disposition.")
    column, code, value = COLUMNS[Kind(kind)], code.strip().upper(), value.strip()
    if not code:
        raise CodeCorrectionError("code", "Name the source's code to correct.")
    if column.resolve(value) is None:
        raise CodeCorrectionError(
            "value", f"{value!r} is not a Beatbook {Kind(kind).label.lower()}."
        )
    with transaction.atomic():
        kept = (
            CodeCorrection.objects.select_for_update()
            .filter(source=source, kind=kind, code=code)
            .first()
        )
        left = _codes_left(source, kind) if codes_left is None else codes_left
        if kept is None and code not in left:
            raise CodeCorrectionError(
                "code",
                f"Source {source!r} has no rows whose {Kind(kind).label.lower()} code {code} "
                "was left without a value: its mapping maps it, or no row has it.",
            )
        if kept is not None and kept.value == value and not kept.message:
            return kept  # already given (or being applied); a failed one is tried again
        # A change to a correction not yet applied still replaces what the rows hold now.
        previous = "" if kept is None else kept.held
        correction, _ = CodeCorrection.objects.update_or_create(
            source=source,
            kind=kind,
            code=code,
            defaults={
                "value": value,
                "previous": previous,
                "rows_updated": None,
                "applied_at": None,
                "message": "",
                "changed_by": actor_label(actor)[:150],
                "changed_at": timezone.now(),
            },
        )
        history_record(
            obj=correction,
            actor=actor,
            verb="code corrected",
            data={"source": source, "kind": kind, "code": code, "value": value, "was": previous},
        )
    transaction.on_commit(lambda: calls_code_correction_task.enqueue(correction_id=correction.pk))
    return correction


def code_correction_take_back(*, actor: Actor, source: str, kind: str, code: str) -> CodeCorrection:
    """Take back the value given to the source's `code` of `kind`: the worker clears it from
    the rows with the code that hold it, which are then counted as left again, and later
    imports no longer apply it. The correction stays, empty, with its history; the code may
    be given a value again."""
    require_role(actor, CALL_IMPORT_ROLES, action="correct an import's codes")
    code = code.strip().upper()
    with transaction.atomic():
        kept = (
            CodeCorrection.objects.select_for_update()
            .filter(source=source, kind=kind, code=code)
            .first()
        )
        if kept is None:
            raise CodeCorrectionError(
                "code", f"No value was given here to code {code or '(none)'} of {source!r}."
            )
        if kept.taken_back:
            return kept  # taken back already (or being taken back)
        kept.previous, kept.value = kept.held, ""
        kept.rows_updated, kept.applied_at, kept.message = None, None, ""
        kept.changed_by, kept.changed_at = actor_label(actor)[:150], timezone.now()
        kept.save()
        history_record(
            obj=kept,
            actor=actor,
            verb="code correction taken back",
            data={"source": source, "kind": kind, "code": code, "was": kept.previous},
        )
    transaction.on_commit(lambda: calls_code_correction_task.enqueue(correction_id=kept.pk))
    return kept


def code_correction_apply(*, correction_id: int) -> CodeCorrection:
    """The worker's part: the rows with the code, still without a value or holding the one
    replaced, take the correction's value in one transaction (taken back: the rows holding
    the value lose it); then the rollups over their span and what the mapping left are
    counted again."""
    with transaction.atomic():
        correction = CodeCorrection.objects.select_for_update().get(pk=correction_id)
        if not correction.pending:
            return correction  # a second delivery of the task
        column = COLUMNS[Kind(correction.kind)]
        if correction.taken_back:  # from the rows holding the value (none, if never applied)
            held = column.holding(correction.previous) if correction.previous else Q(pk__in=[])
            resolved, replaced = column.none, held
        else:
            resolved, replaced = column.resolve(correction.value), column.empty
            if correction.previous:
                replaced |= column.holding(correction.previous)
        if resolved is None and not correction.taken_back:  # the call type or beat went since
            correction.message = f"{correction.value!r} is no longer in Beatbook."
            correction.save(update_fields=["message"])
            return correction
        rows = _with_code(column, correction.source, correction.code).filter(replaced)
        span = rows.aggregate(start=Min("received_at"), end=Max("received_at"))
        correction.rows_updated = rows.update(**{column.mapped: resolved})
        correction.applied_at = timezone.now()
        correction.save(update_fields=["rows_updated", "applied_at"])
        history_record(
            obj=correction,
            actor=SYSTEM,
            verb="code correction taken back from the rows"
            if correction.taken_back
            else "code correction applied",
            data={"rows": correction.rows_updated},
        )
        if span["start"] is not None:
            call_records_changed.send(sender=CallRecord, start=span["start"], end=span["end"])
    coverage_count(correction.source)
    return correction
