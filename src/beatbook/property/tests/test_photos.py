from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from beatbook.core.models import AuditEntry
from beatbook.property.models import ItemPhoto, PropertyItem, StorageLocation
from beatbook.property.tests.test_views import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(client_for: Any, agency: Any, settings: Any, tmp_path: Path) -> PropertyItem:
    settings.MEDIA_ROOT = tmp_path
    shelf = StorageLocation.objects.create(code="PR-A-01", room="Property room A")
    book(client_for("cso"), shelf)
    return PropertyItem.objects.get()


def jpeg_with_exif() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 60, 20)).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("wallet.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_cso_photographs_an_item_and_staff_see_it(client_for: Any, item: PropertyItem) -> None:
    cso = client_for("cso")
    response = cso.post(f"/property/{item.pk}/photos/", {"photo": jpeg_with_exif()})
    assert response.status_code == 302
    photo = ItemPhoto.objects.get()
    page = cso.get(f"/property/{item.pk}/").content.decode()
    assert f"/property/{item.pk}/photos/{photo.pk}/thumb.jpg" in page
    full = cso.get(f"/property/{item.pk}/photos/{photo.pk}/full.jpg")
    assert full["Content-Type"] == "image/jpeg"
    data = b"".join(full.streaming_content) if full.streaming else full.content
    assert b"PhoneMaker" not in data
    assert Image.open(io.BytesIO(data)).size == (400, 300)
    assert AuditEntry.objects.filter(verb="photo added", object_id=str(item.pk)).exists()


def test_a_file_that_is_not_a_photo_is_refused(client_for: Any, item: PropertyItem) -> None:
    fake = SimpleUploadedFile("wallet.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg")
    response = client_for("cso").post(f"/property/{item.pk}/photos/", {"photo": fake}, follow=True)
    assert "not a photo we can read" in response.content.decode()
    assert ItemPhoto.objects.count() == 0


def test_a_photo_changed_in_storage_is_not_served(client_for: Any, item: PropertyItem) -> None:
    cso = client_for("cso")
    cso.post(f"/property/{item.pk}/photos/", {"photo": jpeg_with_exif()})
    photo = ItemPhoto.objects.get()
    storage, name = photo.image.storage, photo.image.name or ""
    storage.delete(name)
    assert storage.save(name, ContentFile(b"swapped")) == name
    response = cso.get(f"/property/{item.pk}/photos/{photo.pk}/full.jpg")
    assert response.status_code == 409
    assert AuditEntry.objects.filter(verb="photo integrity failure").exists()


def test_other_roles_cannot_see_or_add_photos(client_for: Any, item: PropertyItem) -> None:
    client_for("cso").post(f"/property/{item.pk}/photos/", {"photo": jpeg_with_exif()})
    photo = ItemPhoto.objects.get()
    for role in ("dispatcher", "analyst"):
        client = client_for(role)
        assert client.get(f"/property/{item.pk}/photos/{photo.pk}/full.jpg").status_code == 403
        upload = client.post(f"/property/{item.pk}/photos/", {"photo": jpeg_with_exif()})
        assert upload.status_code == 403
    assert ItemPhoto.objects.count() == 1
