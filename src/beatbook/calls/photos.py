"""Photos from residents and CSOs: checked by content, re-encoded without metadata, thumbnailed."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from beatbook.core.exceptions import ValidationFailed

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
THUMB_SIZE = (320, 320)
ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoRejected(ValidationFailed):
    code = "photo_rejected"


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str


def photo_process(upload: IO[bytes], *, size: int) -> ProcessedPhoto:
    """Accept JPEG, PNG or WebP by their content (not their name), drop EXIF/GPS by
    re-encoding the pixels, and make a thumbnail."""
    if size > MAX_BYTES:
        raise PhotoRejected(
            f"Photos can be at most {MAX_BYTES // (1024 * 1024)} MB.", field="photos"
        )
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(upload) as probe:
            kind = probe.format or ""
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            if kind not in ALLOWED:
                raise PhotoRejected("Only JPEG, PNG or WebP photos are accepted.", field="photos")
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise PhotoRejected(
            "That file is not a photo we can read (JPEG, PNG or WebP).", field="photos"
        ) from None
    if picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    clean = io.BytesIO()
    # Saving the pixels alone leaves every EXIF, GPS and XMP tag behind.
    picture.save(clean, format="JPEG", quality=85, optimize=True)
    thumb_image = picture.copy()
    thumb_image.thumbnail(THUMB_SIZE)
    thumb = io.BytesIO()
    thumb_image.save(thumb, format="JPEG", quality=80)
    data = clean.getvalue()
    return ProcessedPhoto(
        image=data,
        thumbnail=thumb.getvalue(),
        content_type="image/jpeg",
        extension="jpg",
        width=picture.width,
        height=picture.height,
        sha256=hashlib.sha256(data).hexdigest(),
    )
