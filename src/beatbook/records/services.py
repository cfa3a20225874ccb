"""Writes on reports and daily activity reports: drafting, review, supplements, attachments."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from beatbook.accounts.models import User
from beatbook.calls.models import Call
from beatbook.core.activity import activity_for
from beatbook.core.actors import Actor, actor_user
from beatbook.core.exceptions import PermissionDenied, ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.numbering import number_next
from beatbook.core.permissions import actor_role, require_role
from beatbook.core.roles import Role
from beatbook.places.selectors import location_resolve
from beatbook.records.choices import ReportKind, ReviewStatus
from beatbook.records.exceptions import (
    AttachmentIntegrityError,
    AttachmentRejected,
    ReportLocked,
    ReviewRefused,
)
from beatbook.records.models import (
    DailyActivityReport,
    IncidentReport,
    ReportAttachment,
    ReportPerson,
    ReportProperty,
    ReportVehicle,
    ReviewComment,
)

WRITERS = {Role.CSO, Role.SUPERVISOR}
REVIEWERS = {Role.SUPERVISOR, Role.ADMIN}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
COLLISION_TYPES = {"MVA", "MVAHR", "TCCOLL"}
EDITABLE_FIELDS = {"title", "occurred_at", "narrative", "kind"}


def _person(actor: Actor) -> User:
    """The member of staff behind an action; reports are always someone's."""
    user = actor_user(actor)
    if user is None:
        raise PermissionDenied("Reports and reviews are written by people, not the system.")
    return user


def _kind_for_call(call: Call) -> str:
    code = call.call_type.code
    if code in COLLISION_TYPES:
        return ReportKind.COLLISION
    if code == "PROPFND":
        return ReportKind.FOUND_PROPERTY
    if code == "INFO":
        return ReportKind.INFORMATION
    return ReportKind.INCIDENT


@transaction.atomic
def report_create(
    *,
    actor: Actor,
    kind: str = "",
    call: Call | None = None,
    title: str = "",
    occurred_at: dt.datetime | None = None,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    narrative: str = "",
) -> IncidentReport:
    """Start a report, on its own or from a call whose facts it carries over."""
    require_role(actor, WRITERS, action="write reports")
    user = _person(actor)
    report = IncidentReport(
        number=number_next(prefix="RPT"),
        author=user,
        team=getattr(user, "team", None),
        narrative=narrative.strip(),
    )
    if call is not None:
        report.call = call
        report.kind = kind or _kind_for_call(call)
        report.title = title or call.call_type.name
        report.occurred_at = occurred_at or call.received_at
        report.address_text, report.block_text = call.address_text, call.block_text
        report.lat, report.lon, report.beat = call.lat, call.lon, call.beat
        report.narrative = report.narrative or call.description
    else:
        if kind not in ReportKind.values or kind == ReportKind.SUPPLEMENT:
            raise ValidationFailed("Choose the kind of report.", field="kind")
        report.kind, report.title = kind, title.strip()
        report.occurred_at = occurred_at or timezone.now()
        if address or (lat is not None and lon is not None):
            place = location_resolve(lat=lat, lon=lon, address=address)
            report.address_text, report.block_text = place.address_text, place.block_text
            report.lat, report.lon, report.beat = place.lat, place.lon, place.beat
    if not report.title:
        raise ValidationFailed("Give the report a title.", field="title")
    report.full_clean()
    report.save()
    if call is not None and call.caller_name:
        ReportPerson.objects.create(
            report=report,
            role="reporting_party",
            name=call.caller_name,
            phone=call.caller_phone,
            email=call.caller_email,
        )
    history_record(
        obj=report,
        actor=actor,
        verb="report started",
        data={"call": call.number if call else None, "kind": report.kind},
    )
    return report


def _require_editable(actor: Actor, report: IncidentReport) -> None:
    if report.status == ReviewStatus.APPROVED:
        raise ReportLocked(f"{report.number} is approved and locked; add a supplement instead.")
    if not report.is_editable:
        raise ReportLocked(
            f"{report.number} is waiting for review; it can be changed again "
            "if the supervisor returns it."
        )
    if getattr(actor, "pk", None) != report.author_id:
        raise PermissionDenied("Only the report's author may change it.")


@transaction.atomic
def report_update(*, actor: Actor, report: IncidentReport, **fields: Any) -> IncidentReport:
    _require_editable(actor, report)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    changed = [name for name, value in fields.items() if getattr(report, name) != value]
    for name in changed:
        setattr(report, name, fields[name])
    report.full_clean()
    report.save()
    if changed:
        history_record(obj=report, actor=actor, verb="report edited", data={"fields": changed})
    return report


@transaction.atomic
def report_person_add(*, actor: Actor, report: IncidentReport, **fields: Any) -> ReportPerson:
    _require_editable(actor, report)
    if fields.get("is_confidential") and not fields.get("confidentiality_reason"):
        raise ValidationFailed(
            "Choose why this person is confidential.", field="confidentiality_reason"
        )
    person = ReportPerson(report=report, **fields)
    validate(person)
    person.save()
    # The history names the role, never the person (R16: no victim names in audit rows).
    history_record(
        obj=report,
        actor=actor,
        verb="person added",
        data={"role": person.role, "confidential": person.is_confidential},
    )
    return person


@transaction.atomic
def report_vehicle_add(*, actor: Actor, report: IncidentReport, **fields: Any) -> ReportVehicle:
    _require_editable(actor, report)
    vehicle = ReportVehicle(report=report, **fields)
    validate(vehicle)
    vehicle.save()
    history_record(obj=report, actor=actor, verb="vehicle added", data={"plate": vehicle.plate})
    return vehicle


@transaction.atomic
def report_property_add(*, actor: Actor, report: IncidentReport, **fields: Any) -> ReportProperty:
    _require_editable(actor, report)
    item = ReportProperty(report=report, **fields)
    validate(item)
    item.save()
    history_record(obj=report, actor=actor, verb="property added", data={"category": item.category})
    return item


def _sniff(head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


@transaction.atomic
def report_attachment_add(*, actor: Actor, report: IncidentReport, upload: Any) -> ReportAttachment:
    """Store a photo or PDF under a new name, hashing it as it streams in."""
    _require_editable(actor, report)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRejected("Attachments can be at most 20 MB.", field="attachment")
    digest = hashlib.sha256()
    content = bytearray()
    for chunk in upload.chunks(64 * 1024):
        digest.update(chunk)
        content.extend(chunk)
    content_type = _sniff(bytes(content[:16]))
    if not content_type:
        raise AttachmentRejected(
            "Attach photos (JPEG, PNG, WebP) or PDF documents only.", field="attachment"
        )
    extension = content_type.split("/")[1]
    attachment = ReportAttachment(
        report=report,
        original_name=str(upload.name)[:200],
        content_type=content_type,
        size=len(content),
        sha256=digest.hexdigest(),
        uploaded_by=_person(actor),
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(bytes(content)), save=False)
    attachment.save()
    history_record(
        obj=report,
        actor=actor,
        verb="attachment added",
        data={"name": attachment.original_name, "sha256": attachment.sha256},
    )
    return attachment


def attachment_read(*, actor: Actor, attachment: ReportAttachment) -> bytes:
    """The file's bytes, after checking them against the SHA-256 taken at upload."""
    if attachment.quarantined_at is not None:
        raise AttachmentIntegrityError(
            f"{attachment.original_name} is quarantined: it changed "
            "after upload. Tell the records custodian."
        )
    # Straight from storage, never a cached copy: the check is about what is stored now.
    with attachment.file.storage.open(attachment.file.name or "", "rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        with transaction.atomic():
            ReportAttachment.objects.filter(pk=attachment.pk).update(quarantined_at=timezone.now())
            history_record(
                obj=attachment.report,
                actor=actor,
                verb="attachment integrity failure",
                data={"name": attachment.original_name, "expected": attachment.sha256},
                outcome="failure",
            )
        raise AttachmentIntegrityError(
            f"{attachment.original_name} does not match the file "
            "that was uploaded; it is quarantined."
        )
    return data


@transaction.atomic
def report_submit(*, actor: Actor, report: IncidentReport) -> IncidentReport:
    _require_editable(actor, report)
    if not report.narrative.strip():
        raise ValidationFailed("Write the narrative before submitting.", field="narrative")
    report.status = ReviewStatus.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["status", "submitted_at", "updated_at"])
    history_record(obj=report, actor=actor, verb="submitted for review")
    return report


def _require_reviewer(actor: Actor, author_id: int | None, what: str) -> None:
    require_role(actor, REVIEWERS, action=f"review {what}")
    if getattr(actor, "pk", None) == author_id:
        raise PermissionDenied(f"Nobody may review their own {what}; another supervisor must.")


@transaction.atomic
def report_return(*, actor: Actor, report: IncidentReport, comment: str) -> IncidentReport:
    _require_reviewer(actor, report.author_id, "report")
    if report.status != ReviewStatus.SUBMITTED:
        raise ReviewRefused(
            f"{report.number} is {report.get_status_display().lower()}; only "
            "submitted reports can be returned."
        )
    if not comment.strip():
        raise ValidationFailed("Say what needs fixing.", field="comment")
    ReviewComment.objects.create(
        report=report, author=_person(actor), at=timezone.now(), text=comment.strip()
    )
    report.status = ReviewStatus.RETURNED
    report.save(update_fields=["status", "updated_at"])
    history_record(
        obj=report,
        actor=actor,
        verb="returned with comments",
        data={"comment": comment.strip()[:200]},
    )
    return report


@transaction.atomic
def report_approve(*, actor: Actor, report: IncidentReport) -> IncidentReport:
    _require_reviewer(actor, report.author_id, "report")
    if report.status != ReviewStatus.SUBMITTED:
        raise ReviewRefused(
            f"{report.number} is {report.get_status_display().lower()}; only "
            "submitted reports can be approved."
        )
    report.status = ReviewStatus.APPROVED
    report.approved_at, report.approved_by = timezone.now(), _person(actor)
    report.full_clean()
    report.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    history_record(obj=report, actor=actor, verb="approved")
    return report


@transaction.atomic
def supplement_create(
    *, actor: Actor, report: IncidentReport, narrative: str = "", title: str = ""
) -> IncidentReport:
    """Add to an approved report; the supplement goes through the same review."""
    require_role(actor, WRITERS, action="write supplements")
    if report.status != ReviewStatus.APPROVED:
        raise ReviewRefused(f"{report.number} is not approved yet; change it directly.")
    count = report.supplements.count() + 1
    user = _person(actor)
    supplement = IncidentReport.objects.create(
        number=f"{report.number}-S{count}",
        kind=ReportKind.SUPPLEMENT,
        supplement_of=report,
        author=user,
        team=getattr(user, "team", None),
        call=report.call,
        title=title or f"Supplement {count} to {report.number}",
        occurred_at=report.occurred_at,
        address_text=report.address_text,
        block_text=report.block_text,
        lat=report.lat,
        lon=report.lon,
        beat=report.beat,
        narrative=narrative.strip(),
    )
    history_record(
        obj=report, actor=actor, verb="supplement started", data={"supplement": supplement.number}
    )
    history_record(
        obj=supplement, actor=actor, verb="report started", data={"supplement_of": report.number}
    )
    return supplement


# --- daily activity reports -------------------------------------------------------------


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(), tz)
    return start, start + dt.timedelta(days=1)


@transaction.atomic
def dar_open(*, actor: Actor, day: dt.date) -> DailyActivityReport:
    """The CSO's DAR for a day, created on first open."""
    require_role(actor, {Role.CSO}, action="write daily activity reports")
    user = _person(actor)
    dar, created = DailyActivityReport.objects.get_or_create(
        user=user, shift_date=day, defaults={"team": getattr(user, "team", None)}
    )
    if created:
        history_record(obj=dar, actor=actor, verb="activity report started")
    return dar


def dar_activity(*, dar: DailyActivityReport) -> list[dict[str, Any]]:
    """What the system recorded for the day, or the snapshot taken at submission."""
    if dar.status != ReviewStatus.DRAFT and dar.status != ReviewStatus.RETURNED:
        return list(dar.snapshot)
    start, end = _day_bounds(dar.shift_date)
    return [
        {
            "kind": i.kind,
            "reference": i.reference,
            "title": i.title,
            "started_at": i.started_at.isoformat() if i.started_at else None,
            "ended_at": i.ended_at.isoformat() if i.ended_at else None,
            "minutes": i.minutes,
            "detail": i.detail,
        }
        for i in activity_for(user=dar.user, start=start, end=end)
    ]


@transaction.atomic
def dar_submit(*, actor: Actor, dar: DailyActivityReport, remarks: str) -> DailyActivityReport:
    if getattr(actor, "pk", None) != dar.user_id:
        raise PermissionDenied("Only the CSO may submit their own activity report.")
    if dar.status not in ReviewStatus.editable():
        raise ReportLocked("This activity report is already submitted.")
    dar.snapshot = dar_activity(dar=dar)
    dar.remarks = remarks.strip()
    dar.status, dar.submitted_at = ReviewStatus.SUBMITTED, timezone.now()
    dar.save()
    history_record(
        obj=dar, actor=actor, verb="submitted for review", data={"items": len(dar.snapshot)}
    )
    return dar


@transaction.atomic
def dar_return(*, actor: Actor, dar: DailyActivityReport, comment: str) -> DailyActivityReport:
    _require_reviewer(actor, dar.user_id, "activity report")
    if dar.status != ReviewStatus.SUBMITTED:
        raise ReviewRefused("Only a submitted activity report can be returned.")
    if not comment.strip():
        raise ValidationFailed("Say what needs fixing.", field="comment")
    ReviewComment.objects.create(
        activity_report=dar, author=_person(actor), at=timezone.now(), text=comment.strip()
    )
    dar.status = ReviewStatus.RETURNED
    dar.save(update_fields=["status", "updated_at"])
    history_record(obj=dar, actor=actor, verb="returned with comments")
    return dar


@transaction.atomic
def dar_approve(*, actor: Actor, dar: DailyActivityReport) -> DailyActivityReport:
    _require_reviewer(actor, dar.user_id, "activity report")
    if dar.status != ReviewStatus.SUBMITTED:
        raise ReviewRefused("Only a submitted activity report can be approved.")
    dar.status, dar.approved_at, dar.approved_by = (
        ReviewStatus.APPROVED,
        timezone.now(),
        _person(actor),
    )
    dar.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    history_record(obj=dar, actor=actor, verb="approved")
    return dar


def actor_is_reviewer(actor: Actor) -> bool:
    return actor_role(actor) in REVIEWERS


@dataclass
class FixityResult:
    checked: int = 0
    failed: list[str] = field(default_factory=list)


def attachments_fixity_sweep(*, actor: Actor) -> FixityResult:
    """Re-hash every stored attachment; mismatches are quarantined and audited (R21)."""
    result = FixityResult()
    for attachment in (
        ReportAttachment.objects.filter(quarantined_at__isnull=True)
        .select_related("report")
        .iterator()
    ):
        result.checked += 1
        try:
            attachment_read(actor=actor, attachment=attachment)
        except AttachmentIntegrityError:
            result.failed.append(f"{attachment.report.number}: {attachment.original_name}")
    return result
