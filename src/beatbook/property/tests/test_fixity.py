"""R21: evidence files keep their camera original, hashed as it streams in; a sweep finds a
changed byte, quarantines the photo, audits and alerts; reads and exports refuse it."""

from __future__ import annotations

import hashlib
import io
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from beatbook.core.models import AuditEntry
from beatbook.property import services
from beatbook.property.court_export import court_export
from beatbook.property.exceptions import CustodyRefused
from beatbook.property.fixity import spool_with_hash, stored_sha256
from beatbook.property.models import ItemPhoto, PropertyItem
from beatbook.property.tests.test_custody import wallet
from beatbook.property.tests.test_photos import jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(agency: dict[str, Any], shelf: Any, settings: Any, tmp_path: Path) -> PropertyItem:
    settings.MEDIA_ROOT = tmp_path / "media"
    for role in ("supervisor", "admin"):
        agency[role].email = f"{role}@example.org"
        agency[role].save()
    return wallet(agency, shelf, kind="evidence")


def add_photo(agency: dict[str, Any], item: PropertyItem) -> tuple[ItemPhoto, bytes]:
    upload = jpeg_with_exif()
    sent = upload.read()
    upload.seek(0)
    photo = services.item_photo_add(actor=agency["cso"], item=item, upload=upload, size=len(sent))
    return photo, sent


def flip_first_byte(field: Any) -> None:
    storage, name = field.storage, field.name
    with storage.open(name, "rb") as f:
        data = f.read()
    storage.delete(name)
    storage.save(name, io.BytesIO(bytes([data[0] ^ 1]) + data[1:]))


def test_evidence_keeps_the_camera_file_byte_for_byte(
    agency: dict[str, Any], evidence: PropertyItem, client_for: Any
) -> None:
    photo, sent = add_photo(agency, evidence)
    assert photo.original_sha256 == hashlib.sha256(sent).hexdigest()
    original = services.item_photo_read(actor=agency["cso"], photo=photo, size="original")
    assert original == sent
    assert b"PhoneMaker" in original  # EXIF kept on the original only
    shown = services.item_photo_read(actor=agency["cso"], photo=photo)
    assert b"PhoneMaker" not in shown
    download = client_for("supervisor").get(
        f"/property/{evidence.pk}/photos/{photo.pk}/original.jpg"
    )
    assert download.content == sent
    assert "attachment" in download["Content-Disposition"]


def test_found_property_photos_have_no_original(
    agency: dict[str, Any],
    shelf: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    photo, _ = add_photo(agency, wallet(agency, shelf))
    assert not photo.original
    assert photo.original_sha256 == ""


def test_the_sweep_quarantines_a_changed_original_and_everything_refuses_it(
    agency: dict[str, Any], evidence: PropertyItem, client_for: Any
) -> None:
    photo, _ = add_photo(agency, evidence)
    call_command("custody", "fixity")
    flip_first_byte(photo.original)
    with pytest.raises(CommandError, match="1 of 2 files changed"):
        call_command("custody", "fixity")
    photo.refresh_from_db()
    assert photo.quarantined_at is not None
    entry = AuditEntry.objects.get(verb="photo integrity failure")
    assert entry.data["file"] == "original"
    assert entry.outcome == "failure"
    assert sorted(mail.outbox[0].to) == ["admin@example.org", "supervisor@example.org"]
    assert evidence.number in mail.outbox[0].body
    response = client_for("cso").get(f"/property/{evidence.pk}/photos/{photo.pk}/full.jpg")
    assert response.status_code == 409
    with pytest.raises(CustodyRefused, match="quarantined"):
        court_export(actor=agency["supervisor"], item=evidence)
    assert "quarantined" in client_for("cso").get(f"/property/{evidence.pk}/").content.decode()
    # Already quarantined: the next sweep does not alert again.
    assert services.fixity_sweep().failures == []


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=3 * 1024 * 1024 + 7))
def test_any_bytes_round_trip_through_the_streaming_hash(data: bytes) -> None:
    spool, digest, size = spool_with_hash(io.BytesIO(data))
    with spool:
        assert spool.read() == data
    assert (digest, size) == (hashlib.sha256(data).hexdigest(), len(data))


def test_a_200_mb_file_hashes_in_bounded_memory(tmp_path: Path) -> None:
    block = bytes(range(256)) * 4096  # 1 MiB
    path = tmp_path / "big.bin"
    expected = hashlib.sha256()
    with path.open("wb") as f:
        for _ in range(200):
            f.write(block)
            expected.update(block)

    class Stored:
        storage = FileSystemStorage(location=tmp_path)
        name = "big.bin"

    tracemalloc.start()
    try:
        digest = stored_sha256(Stored)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digest == expected.hexdigest()
    assert peak < 50 * 1024 * 1024
