"""Writes in the property room. Every movement appends one hash-chained custody event under a
lock on the item, so concurrent movements cannot fork its chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from beatbook.accounts.models import User
from beatbook.calls.models import Call
from beatbook.calls.photos import photo_process
from beatbook.core.actors import SYSTEM, Actor, actor_label
from beatbook.core.exceptions import NotFound, PermissionDenied, ValidationFailed, validate
from beatbook.core.history import history_record
from beatbook.core.models import NumberSequence
from beatbook.core.numbering import number_next
from beatbook.core.permissions import actor_role, require_role
from beatbook.core.roles import Role
from beatbook.places.selectors import location_resolve, place_or_words
from beatbook.property.chain import (
    CHECKPOINT_FORMAT,
    CONTENT_FIELDS,
    GENESIS,
    ChainBreak,
    chain_check,
    checkpoint_due,
    checkpoint_latest,
    checkpoint_make,
    checkpoint_trusted,
    checkpoint_write,
    event_hash,
)
from beatbook.property.choices import CustodyEventKind, DisposalMethod, ItemKind, ItemStatus
from beatbook.property.exceptions import CustodyRefused
from beatbook.property.fixity import FixityResult, spool_with_hash, stored_sha256
from beatbook.property.models import (
    CustodyEvent,
    ItemPhoto,
    LostReport,
    PropertyItem,
    StorageLocation,
)
from beatbook.property.offline_verify import (
    consistency_proof,
    leaf_hash,
    log_leaf,
    tree_root,
    verify_consistency,
)
from beatbook.property.tasks import custody_checkpoint_task, lost_owner_notify_task

HANDLERS = {Role.CSO, Role.SUPERVISOR, Role.ADMIN}
CUSTODIANS = {Role.SUPERVISOR, Role.ADMIN}  # release and disposal (R13)


def _name(user: User | None) -> str:
    return actor_label(user) if user is not None else ""


def custody_log_turn() -> None:
    """Appends take turns on one lock held to commit, so the Merkle log's order (by id) is
    the order events were committed and a checkpoint never misses one committed earlier."""
    NumberSequence.objects.select_for_update().get_or_create(prefix="CUSTLOG", year=0)


def _append(
    *,
    actor: Actor,
    item: PropertyItem,
    kind: str,
    reason: str,
    to_custodian: User | None = None,
    to_location: StorageLocation | None = None,
) -> CustodyEvent:
    """Caller holds the item's row lock. Records who, when, from where to where, and why."""
    custody_log_turn()
    last = item.events.order_by("-seq").first()
    fields: dict[str, Any] = {
        "seq": (last.seq + 1) if last else 1,
        "kind": kind,
        "at": timezone.now(),
        "actor_label": actor_label(actor)[:150],
        "from_custodian": _name(item.custodian),
        "to_custodian": _name(to_custodian),
        "from_location": item.location.code if item.location else "",
        "to_location": to_location.code if to_location else "",
        "reason": reason.strip()[:500],
    }
    prev = last.hash if last else GENESIS
    event = CustodyEvent.objects.create(
        item=item, prev_hash=prev, hash=event_hash(prev, item.number, fields), **fields
    )
    transaction.on_commit(_checkpoint_soon)
    item.custodian, item.location = to_custodian, to_location
    item.save(
        update_fields=[
            "custodian",
            "location",
            "status",
            "updated_at",
            "disposal_requested_by",
            "disposal_method",
        ]
    )
    return event


def _lock(item: PropertyItem) -> PropertyItem:
    return (
        PropertyItem.objects.select_for_update(of=("self",))
        .select_related("custodian", "location")
        .get(pk=item.pk)
    )


@transaction.atomic
def item_intake(
    *,
    actor: Actor,
    kind: str,
    category: str,
    description: str,
    location: StorageLocation,
    serial_number: str = "",
    value: Decimal | None = None,
    call: Call | None = None,
    address: str = "",
    found_at: dt.datetime | None = None,
) -> PropertyItem:
    """Book an item into the property room: its number, label code and first custody event."""
    require_role(actor, HANDLERS, action="book property")
    if kind not in ItemKind.values:
        raise ValidationFailed("Choose found, safekeeping or evidence.", field="kind")
    if not description.strip():
        raise ValidationFailed("Describe the item.", field="description")
    address_text, block = "", ""
    if call is not None:
        address_text, block = call.address_text, call.block_text
    elif address.strip():
        place = location_resolve(address=address)
        address_text, block = place.address_text, place.block_text
    found = found_at or timezone.now()
    item = PropertyItem(
        number=number_next(prefix="PRP"),
        label_code=secrets.token_hex(6).upper(),
        kind=kind,
        category=category,
        description=description.strip(),
        serial_number=serial_number.strip(),
        value=value,
        call=call,
        found_at=found,
        address_text=address_text,
        block_text=block,
        status=ItemStatus.IN_CUSTODY,
        retain_until=timezone.localdate(found)
        + dt.timedelta(days=settings.BEATBOOK_PROPERTY_HOLD_DAYS[kind]),
    )
    validate(item)
    item.save()
    _append(
        actor=actor,
        item=item,
        kind=CustodyEventKind.INTAKE,
        to_location=location,
        reason=f"Booked in as {ItemKind(kind).label.lower()}",
    )
    history_record(obj=item, actor=actor, verb="booked in", data={"location": location.code})
    return item


@transaction.atomic
def item_check_out(*, actor: Actor, item: PropertyItem, to: User, reason: str) -> PropertyItem:
    require_role(actor, HANDLERS, action="check property out")
    item = _lock(item)
    if item.status != ItemStatus.IN_CUSTODY:
        raise CustodyRefused(
            f"{item.number} is {item.get_status_display().lower()}; only an "
            "item in the property room can be checked out."
        )
    if not reason.strip():
        raise ValidationFailed("Say why it leaves the property room.", field="reason")
    item.status = ItemStatus.CHECKED_OUT
    _append(actor=actor, item=item, kind=CustodyEventKind.CHECK_OUT, to_custodian=to, reason=reason)
    return item


@transaction.atomic
def item_transfer(*, actor: Actor, item: PropertyItem, to: User, reason: str) -> PropertyItem:
    """Hand a checked-out item from one person to another (transport, lab, court)."""
    require_role(actor, HANDLERS, action="transfer property")
    item = _lock(item)
    if item.status != ItemStatus.CHECKED_OUT:
        raise CustodyRefused(f"{item.number} is not checked out; check it out first.")
    if to.pk == item.custodian_id:
        raise ValidationFailed(f"{to} already holds {item.number}.", field="to")
    if not reason.strip():
        raise ValidationFailed("Say why it changes hands.", field="reason")
    _append(actor=actor, item=item, kind=CustodyEventKind.TRANSFER, to_custodian=to, reason=reason)
    return item


@transaction.atomic
def item_check_in(
    *,
    actor: Actor,
    item: PropertyItem,
    location: StorageLocation,
    reason: str = "Returned to the property room",
) -> PropertyItem:
    require_role(actor, HANDLERS, action="check property in")
    item = _lock(item)
    if item.status != ItemStatus.CHECKED_OUT:
        raise CustodyRefused(
            f"{item.number} is {item.get_status_display().lower()}; only a "
            "checked-out item can be checked in."
        )
    item.status = ItemStatus.IN_CUSTODY
    _append(
        actor=actor, item=item, kind=CustodyEventKind.CHECK_IN, to_location=location, reason=reason
    )
    return item


@transaction.atomic
def item_release(
    *, actor: Actor, item: PropertyItem, owner_name: str, identity_checked: str
) -> PropertyItem:
    """Give an item back to its owner, after their identity was checked."""
    require_role(actor, CUSTODIANS, action="release property")
    item = _lock(item)
    if item.kind == ItemKind.EVIDENCE:
        raise CustodyRefused(
            f"{item.number} is evidence; it is released only by disposal after the case allows it."
        )
    if item.status != ItemStatus.IN_CUSTODY:
        raise CustodyRefused(f"{item.number} must be in the property room to be released.")
    if not owner_name.strip() or not identity_checked.strip():
        raise ValidationFailed(
            "Record the owner and how their identity was checked.", field="identity_checked"
        )
    item.status = ItemStatus.RELEASED
    _append(
        actor=actor,
        item=item,
        kind=CustodyEventKind.RELEASE,
        reason=f"Released to the owner; identity checked by {identity_checked.strip()}",
    )
    history_record(obj=item, actor=actor, verb="released to owner")
    return item


@transaction.atomic
def disposal_request(*, actor: Actor, item: PropertyItem, method: str) -> PropertyItem:
    require_role(actor, CUSTODIANS, action="request disposal")
    item = _lock(item)
    if method not in DisposalMethod.values:
        raise ValidationFailed("Choose return, auction, donate or destroy.", field="method")
    if item.status != ItemStatus.IN_CUSTODY:
        raise CustodyRefused(f"{item.number} must be in the property room to be disposed of.")
    if item.retain_until > timezone.localdate():
        raise CustodyRefused(f"{item.number} must be held until {item.retain_until}.")
    item.disposal_requested_by_id, item.disposal_method = getattr(actor, "pk", None), method
    item.save(update_fields=["disposal_requested_by", "disposal_method", "updated_at"])
    history_record(obj=item, actor=actor, verb="disposal requested", data={"method": method})
    return item


@transaction.atomic
def disposal_approve(*, actor: Actor, item: PropertyItem) -> PropertyItem:
    """A second custodian approves the disposal (two people, R13) and it is recorded."""
    require_role(actor, CUSTODIANS, action="approve disposal")
    item = _lock(item)
    if item.disposal_requested_by_id is None:
        raise CustodyRefused(f"Nobody has requested disposal of {item.number}.")
    if item.status != ItemStatus.IN_CUSTODY:
        raise CustodyRefused(f"{item.number} must be in the property room to be disposed of.")
    if item.disposal_requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(
            "The disposal must be approved by someone other than the person who requested it."
        )
    method = DisposalMethod(item.disposal_method).label.lower()
    item.status = ItemStatus.DISPOSED
    _append(
        actor=actor,
        item=item,
        kind=CustodyEventKind.DISPOSAL,
        reason=f"{method}; requested by {_name(item.disposal_requested_by)}",
    )
    history_record(obj=item, actor=actor, verb="disposed", data={"method": item.disposal_method})
    return item


# --- verification ------------------------------------------------------------------------


@dataclass
class VerifyResult:
    items: int = 0
    events: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)
    checkpoint: str = ""


def _chains() -> dict[str, list[CustodyEvent]]:
    chains: dict[str, list[CustodyEvent]] = {}
    for event in CustodyEvent.objects.select_related("item").order_by("item_id", "seq"):
        chains.setdefault(event.item.number, []).append(event)
    for number in PropertyItem.objects.exclude(number__in=chains).values_list("number", flat=True):
        chains[number] = []
    return chains


def custody_log() -> list[tuple[str, int, str]]:
    """Every custody event as (item, seq, hash), in the order they were committed."""
    return list(CustodyEvent.objects.order_by("id").values_list("item__number", "seq", "hash"))


def log_leaves(entries: list[tuple[str, int, str]]) -> list[bytes]:
    return [leaf_hash(log_leaf(*entry)) for entry in entries]


def _checkpoint_breaks(
    latest: dict[str, Any], chains: dict[str, list[CustodyEvent]], reason: str
) -> list[ChainBreak]:
    """Name the items whose heads no longer match the signed checkpoint."""
    named = []
    for number, (seq, head) in sorted(latest["heads"].items()):
        events = chains.get(number, [])
        if len(events) < seq:
            named.append(ChainBreak(number, seq, "events removed since the checkpoint"))
        elif events[seq - 1].hash != head:
            named.append(ChainBreak(number, seq, "chain rewritten since the signed checkpoint"))
    return named or [ChainBreak("log", latest["tree_size"], reason)]


def custody_verify() -> VerifyResult:
    """Check every item's chain, then the whole log against the latest signed checkpoint
    with an RFC 9162 consistency proof."""
    chains = _chains()
    result = VerifyResult(items=len(chains), events=sum(len(c) for c in chains.values()))
    for number, events in sorted(chains.items()):
        broken = chain_check(number, events)
        if broken is not None:
            result.breaks.append(broken)
        elif not events:
            result.breaks.append(ChainBreak(number, 1, "has no intake event"))
    latest = checkpoint_latest()
    if latest is None:
        return result
    result.checkpoint = latest["path"]
    if latest.get("format") != CHECKPOINT_FORMAT or not checkpoint_trusted(latest):
        result.breaks.append(ChainBreak("checkpoint", 0, "signature does not match its key"))
        return result
    leaves = log_leaves(custody_log())
    size = int(latest["tree_size"])
    if len(leaves) < size:
        result.breaks += _checkpoint_breaks(latest, chains, "events removed since the checkpoint")
        return result
    if size and not verify_consistency(
        size,
        len(leaves),
        consistency_proof(size, leaves),
        bytes.fromhex(latest["root_hash"]),
        tree_root(leaves),
    ):
        result.breaks += _checkpoint_breaks(
            latest, chains, "the log is not consistent with the signed checkpoint"
        )
    return result


CHECKPOINT_EVERY = dt.timedelta(hours=24)


def custody_checkpoint_if_due() -> str:
    """The daily checkpoint without a scheduler: the first custody movement after a day
    without one writes it (cron running `beatbook custody checkpoint` covers quiet days)."""
    if not settings.BEATBOOK_CUSTODY_CHECKPOINT_KEY or not checkpoint_due(CHECKPOINT_EVERY):
        return ""
    return custody_checkpoint()


def _checkpoint_soon() -> None:
    if settings.BEATBOOK_CUSTODY_CHECKPOINT_KEY and checkpoint_due(CHECKPOINT_EVERY):
        custody_checkpoint_task.enqueue()


def custody_checkpoint() -> str:
    """Sign the Merkle root of the whole custody log with the key kept outside the database;
    returns the file written."""
    return str(checkpoint_write(custody_checkpoint_build()[0]))


def custody_checkpoint_build() -> tuple[dict[str, Any], list[tuple[str, int, str]]]:
    entries = custody_log()
    heads = {number: [seq, digest] for number, seq, digest in entries}
    checkpoint = checkpoint_make(
        tree_size=len(entries), root=tree_root(log_leaves(entries)), heads=heads
    )
    return checkpoint, entries


def event_fields(event: CustodyEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in CONTENT_FIELDS}


def actor_may_handle(actor: Actor) -> bool:
    return actor_role(actor) in HANDLERS


# --- lost and found -------------------------------------------------------------------


@transaction.atomic
def lost_report_create(
    *,
    actor: Actor,
    category: str,
    description: str,
    lost_on: dt.date,
    address: str = "",
    owner_name: str = "",
    owner_email: str = "",
    owner_phone: str = "",
    language: str = "",
) -> LostReport:
    """A resident's lost-item report (from the portal or the front desk)."""
    if not description.strip():
        raise ValidationFailed("Describe what you lost.", field="description")
    if lost_on > timezone.localdate():
        raise ValidationFailed("The date cannot be in the future.", field="lost_on")
    lat, lon, address_text = place_or_words(address)
    report = LostReport(
        number=number_next(prefix="LST"),
        public_token=secrets.token_urlsafe(24),
        category=category,
        description=description.strip(),
        lost_on=lost_on,
        address_text=address_text,
        lat=lat,
        lon=lon,
        owner_name=owner_name.strip(),
        owner_email=owner_email.strip(),
        owner_phone=owner_phone.strip(),
        language=language[:8],
    )
    validate(report)
    report.save()
    history_record(obj=report, actor=actor, verb="lost report received")
    return report


@transaction.atomic
def lost_match_confirm(*, actor: Actor, report: LostReport, item: PropertyItem) -> LostReport:
    """Staff agree the found item is probably the lost one; the owner is told to come by."""
    require_role(actor, HANDLERS, action="confirm matches")
    # Locked: two clerks confirming different items for one report must not both win.
    report = LostReport.objects.select_for_update().get(pk=report.pk)
    if report.status != LostReport.Status.OPEN:
        raise CustodyRefused(f"{report.number} is {report.get_status_display().lower()}.")
    if item.kind != ItemKind.FOUND or item.status != ItemStatus.IN_CUSTODY:
        raise CustodyRefused(f"{item.number} is not found property in the room.")
    claimed = item.lost_reports.filter(status=LostReport.Status.MATCHED).first()
    if claimed is not None:
        raise CustodyRefused(f"{item.number} is already matched to {claimed.number}.")
    report.status, report.matched_item = LostReport.Status.MATCHED, item
    report.save(update_fields=["status", "matched_item", "updated_at"])
    history_record(obj=report, actor=actor, verb="match confirmed", data={"item": item.number})
    history_record(
        obj=item, actor=actor, verb="matched to lost report", data={"report": report.number}
    )
    if report.owner_email:
        report_id = report.pk
        transaction.on_commit(lambda: lost_owner_notify_task.enqueue(report_id=report_id))
    return report


def lost_owner_notify(*, report_id: int) -> int:
    report = LostReport.objects.filter(pk=report_id).select_related("matched_item").first()
    if report is None or not report.owner_email or report.matched_item is None:
        return 0
    with translation.override(report.language or "en"):
        body = render_to_string(
            "property/email/match_body.txt",
            {
                "report": report,
                "agency": settings.BEATBOOK_AGENCY_NAME,
                "url": settings.BEATBOOK_PUBLIC_URL.rstrip("/")
                + reverse("portal:lost_track", kwargs={"token": report.public_token}),
            },
        )
        subject = render_to_string("property/email/match_subject.txt", {"report": report}).strip()
    sent = send_mail(subject, body, None, [report.owner_email])
    history_record(obj=report, actor=SYSTEM, verb="owner notified", data={"messages": sent})
    return sent


@transaction.atomic
def lost_item_return(*, actor: Actor, report: LostReport, identity_checked: str) -> LostReport:
    """Give the matched item to the owner who reported it lost (a custody release)."""
    if report.status != LostReport.Status.MATCHED or report.matched_item is None:
        raise CustodyRefused(f"{report.number} has no confirmed match to return.")
    owner = report.owner_name or "the owner who reported it lost"
    item_release(
        actor=actor, item=report.matched_item, owner_name=owner, identity_checked=identity_checked
    )
    report.status = LostReport.Status.RETURNED
    report.save(update_fields=["status", "updated_at"])
    history_record(obj=report, actor=actor, verb="returned to owner")
    return report


# --- photos ---------------------------------------------------------------------------

MAX_PHOTOS_PER_ITEM = 10


@transaction.atomic
def item_photo_add(*, actor: Actor, item: PropertyItem, upload: IO[bytes], size: int) -> ItemPhoto:
    """Photograph an item: content-checked, stripped of EXIF/GPS, hashed, in its history. For
    evidence the camera's file is also kept exactly as received, hashed as it streams in."""
    require_role(actor, HANDLERS, action="photograph property")
    if item.photos.count() >= MAX_PHOTOS_PER_ITEM:
        raise ValidationFailed(
            f"An item can have at most {MAX_PHOTOS_PER_ITEM} photos.", field="photo"
        )
    spool, original_sha, _ = spool_with_hash(upload)
    with spool:
        processed = photo_process(spool, size=size)
        name = uuid.uuid4().hex
        photo = ItemPhoto(
            item=item,
            content_type=processed.content_type,
            size=len(processed.image),
            sha256=processed.sha256,
            uploaded_by=actor if isinstance(actor, User) else None,
        )
        if item.kind == ItemKind.EVIDENCE:
            spool.seek(0)
            photo.original.save(f"{name}-original", File(spool), save=False)
            photo.original_sha256 = original_sha
    photo.image.save(f"{name}.{processed.extension}", ContentFile(processed.image), save=False)
    photo.thumbnail.save(f"{name}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    photo.save()
    history_record(
        obj=item,
        actor=actor,
        verb="photo added",
        data={"sha256": processed.sha256, "original_sha256": photo.original_sha256},
    )
    return photo


def _integrity_failure(*, actor: Actor, photo: ItemPhoto, which: str, expected: str) -> None:
    history_record(
        obj=photo.item,
        actor=actor,
        verb="photo integrity failure",
        data={"photo": photo.pk, "file": which, "expected": expected},
        outcome="failure",
    )


def item_photo_read(*, actor: Actor, photo: ItemPhoto, size: str = "full") -> bytes:
    """The stored bytes; the full image and the original are checked against the SHA-256
    taken at upload, and a photo a sweep has quarantined is not served at all."""
    if photo.quarantined_at is not None:
        raise CustodyRefused(
            f"Photo {photo.pk} of {photo.item.number} is quarantined: it failed a fixity check."
        )
    fields = {"thumb": (photo.thumbnail, ""), "full": (photo.image, photo.sha256)}
    if photo.original:
        fields["original"] = (photo.original, photo.original_sha256)
    if size not in fields:
        raise NotFound("No such photo size.")
    stored, expected = fields[size]
    with stored.storage.open(stored.name or "", "rb") as f:
        data = f.read()
    if expected and hashlib.sha256(data).hexdigest() != expected:
        _integrity_failure(actor=actor, photo=photo, which=size, expected=expected)
        raise CustodyRefused(
            f"Photo {photo.pk} of {photo.item.number} does not match what was uploaded."
        )
    return data


def fixity_sweep() -> FixityResult:
    """Re-hash every stored photo and original; quarantine, audit and report any that
    changed. Meant for a daily schedule (`beatbook custody fixity`)."""
    result = FixityResult()
    failed: list[ItemPhoto] = []
    for photo in ItemPhoto.objects.select_related("item").filter(quarantined_at__isnull=True):
        for which, stored, expected in (
            ("full", photo.image, photo.sha256),
            ("original", photo.original, photo.original_sha256),
        ):
            if not stored or not expected:
                continue
            result.files += 1
            try:
                actual = stored_sha256(stored)
            except FileNotFoundError:
                actual = "missing"
            if actual != expected:
                _integrity_failure(actor=SYSTEM, photo=photo, which=which, expected=expected)
                result.failures.append(f"{photo.item.number} photo {photo.pk} ({which})")
                failed.append(photo)
    for photo in failed:
        ItemPhoto.objects.filter(pk=photo.pk).update(quarantined_at=timezone.now())
    if result.failures:
        _fixity_alert(result.failures)
    return result


def _fixity_alert(failures: list[str]) -> None:
    to = sorted(
        User.objects.filter(role__in=list(CUSTODIANS), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if to:
        send_mail(
            f"Property photo fixity failure ({len(failures)})",
            "These stored files no longer match the SHA-256 taken when they were uploaded; they "
            "are quarantined and will not be served or exported:\n\n" + "\n".join(failures),
            None,
            to,
        )
