"""R23: the court export, checked the way a court would: the bundled verifier run by a bare
Python with no site-packages, no database and no Django."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.models import AuditEntry
from beatbook.property import offline_verify, services
from beatbook.property.chain import checkpoint_latest
from beatbook.property.court_export import court_export
from beatbook.property.exceptions import CustodyRefused
from beatbook.property.models import ItemPhoto, PropertyItem
from beatbook.property.tests.test_custody import bypass_triggers, raw, wallet
from beatbook.property.tests.test_photos import jpeg_with_exif

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(agency: dict[str, Any], shelf: Any, settings: Any, tmp_path: Path) -> PropertyItem:
    settings.MEDIA_ROOT = tmp_path / "media"
    item = wallet(agency, shelf)
    services.item_check_out(actor=agency["cso"], item=item, to=agency["cso"], reason="Lab")
    services.item_check_in(actor=agency["cso"], item=item, location=shelf)
    upload = jpeg_with_exif()
    services.item_photo_add(actor=agency["cso"], item=item, upload=upload, size=upload.size or 0)
    return item


def run_verifier(folder: Path, export: Path, *args: str, bare: bool = True) -> Any:
    """Extract verify_export.py from the export itself and run it, as a court would."""
    script = folder / "verify_export.py"
    if zipfile.is_zipfile(export):
        script.write_bytes(zipfile.ZipFile(export).read("verify_export.py"))
    else:  # an encrypted export: the agency hands the checker over with it
        script.write_bytes(Path(offline_verify.__file__).read_bytes())
    isolation = ["-I", "-S"] if bare else ["-I"]  # -S: the standard library only
    return subprocess.run(  # noqa: S603  (our own script on our own test file)
        [sys.executable, *isolation, str(script), str(export), *args],
        capture_output=True,
        text=True,
        cwd=folder,
        env={},
        timeout=120,
        check=False,
    )


def rewrite_member(source: Path, target: Path, name: str) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            body = old.read(info.filename)
            if info.filename == name:
                body = bytes([body[0] ^ 0x01]) + body[1:]
            new.writestr(info, body)


def test_the_export_verifies_offline_and_any_changed_byte_is_named(
    agency: dict[str, Any], item: PropertyItem, tmp_path: Path
) -> None:
    filename, data = court_export(actor=agency["supervisor"], item=item)
    assert filename == f"{item.number}-court-export.zip"
    export = tmp_path / filename
    export.write_bytes(data)
    names = set(zipfile.ZipFile(export).namelist())
    for member in (
        "custody-log.json",
        "custody-log.csv",
        "checkpoint.json",
        "inclusion-proofs.json",
        "custody-report.pdf",
        "manifest.json",
        "manifest.sig",
        "verify_export.py",
    ):
        assert member in names
    assert any(n.startswith("photos/") for n in names)
    result = run_verifier(tmp_path, export)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"OK: {item.number}")
    for member in ("custody-log.csv", "custody-report.pdf", "checkpoint.json"):
        changed = tmp_path / f"changed-{member.replace('/', '_')}.zip"
        rewrite_member(export, changed, member)
        result = run_verifier(tmp_path, changed)
        assert result.returncode == 1
        assert f"FAIL: {member}: SHA-256 differs" in result.stdout
    photo = next(n for n in names if n.startswith("photos/"))
    rewrite_member(export, tmp_path / "changed-photo.zip", photo)
    assert photo in run_verifier(tmp_path, tmp_path / "changed-photo.zip").stdout


def test_a_log_rewritten_with_a_fresh_manifest_still_fails_without_the_key(
    agency: dict[str, Any], item: PropertyItem, tmp_path: Path
) -> None:
    """Someone who edits the log and rebuilds the manifest cannot sign it with the agency key."""
    _, data = court_export(actor=agency["supervisor"], item=item)
    source = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(source.read("manifest.json"))
    log = json.loads(source.read("custody-log.json"))
    log[1]["reason"] = "Taken home"
    forged_log = json.dumps(log).encode()
    manifest["files"]["custody-log.json"] = hashlib.sha256(forged_log).hexdigest()
    forged = tmp_path / "forged.zip"
    with zipfile.ZipFile(forged, "w") as new:
        for name in source.namelist():
            body = source.read(name)
            if name == "custody-log.json":
                body = forged_log
            elif name == "manifest.json":
                body = json.dumps(manifest).encode()
            new.writestr(name, body)
    result = run_verifier(tmp_path, forged)
    assert result.returncode == 1
    assert "FAIL: manifest.sig: the signature does not match" in result.stdout


def test_pinning_the_agency_key_refuses_an_export_signed_by_another(
    agency: dict[str, Any], item: PropertyItem, tmp_path: Path, settings: Any
) -> None:
    _, data = court_export(actor=agency["supervisor"], item=item)
    export = tmp_path / "export.zip"
    export.write_bytes(data)
    agency_key = json.loads(zipfile.ZipFile(export).read("manifest.json"))["public_key"]
    assert run_verifier(tmp_path, export, "--public-key", agency_key).returncode == 0
    settings.BEATBOOK_CUSTODY_CHECKPOINT_KEY = "someone-elses-key"
    _, other = court_export(actor=agency["supervisor"], item=item)
    (tmp_path / "other.zip").write_bytes(other)
    result = run_verifier(tmp_path, tmp_path / "other.zip", "--public-key", agency_key)
    assert result.returncode == 1
    assert "signed with a different key" in result.stdout


def test_an_encrypted_export_opens_only_with_its_passphrase(
    agency: dict[str, Any], item: PropertyItem, tmp_path: Path
) -> None:
    filename, data = court_export(
        actor=agency["admin"], item=item, passphrase="correct horse battery staple"
    )
    assert filename.endswith(".zip.aes")
    assert data[:4] == b"BBX1"
    assert b"custody-log" not in data
    export = tmp_path / filename
    export.write_bytes(data)
    (tmp_path / "right.txt").write_text("correct horse battery staple\n")
    (tmp_path / "wrong.txt").write_text("incorrect horse battery staple\n")
    # Decryption needs the `cryptography` package, so this run keeps site-packages.
    result = run_verifier(tmp_path, export, "--passphrase-file", "right.txt", bare=False)
    assert result.returncode == 0, result.stdout + result.stderr
    wrong = run_verifier(tmp_path, export, "--passphrase-file", "wrong.txt", bare=False)
    assert wrong.returncode == 1
    assert "wrong passphrase" in wrong.stderr
    with pytest.raises(ValidationFailed, match="at least 12"):
        court_export(actor=agency["admin"], item=item, passphrase="short")


def test_export_writes_a_checkpoint_and_an_audit_row(
    agency: dict[str, Any], item: PropertyItem
) -> None:
    court_export(actor=agency["supervisor"], item=item)
    latest = checkpoint_latest()
    assert latest is not None
    assert latest["tree_size"] == item.events.count()
    entry = AuditEntry.objects.get(verb="court export", object_id=str(item.pk))
    assert entry.data["encrypted"] is False


def test_only_custodians_export_and_a_broken_item_is_refused(
    agency: dict[str, Any], item: PropertyItem
) -> None:
    for role in ("cso", "dispatcher", "analyst"):
        with pytest.raises(PermissionDenied):
            court_export(actor=agency[role], item=item)
    bypass_triggers()
    raw("UPDATE property_custodyevent SET reason = 'x' WHERE item_id = %s AND seq = 2", [item.pk])
    with pytest.raises(CustodyRefused, match="its chain breaks"):
        court_export(actor=agency["supervisor"], item=item)


def test_a_photo_changed_in_storage_stops_the_export(
    agency: dict[str, Any], item: PropertyItem
) -> None:
    photo = ItemPhoto.objects.get()
    storage, name = photo.image.storage, photo.image.name or ""
    storage.delete(name)
    storage.save(name, ContentFile(b"swapped"))
    with pytest.raises(CustodyRefused, match="does not match what was uploaded"):
        court_export(actor=agency["supervisor"], item=item)


def test_the_page_offers_the_export_to_custodians_only(
    client_for: Any, agency: dict[str, Any], item: PropertyItem
) -> None:
    response = client_for("supervisor").post(f"/property/{item.pk}/court-export/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{item.number}-court-export.zip"'
    )
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None
    assert client_for("cso").post(f"/property/{item.pk}/court-export/").status_code == 403
    short = client_for("admin").post(
        f"/property/{item.pk}/court-export/", {"passphrase": "short"}, follow=True
    )
    assert "at least 12 characters" in short.content.decode()
