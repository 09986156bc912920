"""Coach profile photos: checked and re-encoded on the server before they are stored.

An upload is accepted only when Pillow can decode it as JPEG, PNG or WebP (an SVG, which
can carry script, or anything else is refused), within COACH_PHOTO_MAX_BYTES. It is turned
upright (EXIF), cropped square, resized to PHOTO_SIZE and saved as a fresh JPEG, so no byte
of the original (metadata, polyglot payloads) reaches storage. Stored through Django's
storage API (S3 in production through django-storages, var/media locally)."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
PHOTO_SIZE = (400, 400)
# Decompression bombs: a 20,000 x 20,000 PNG is small on disk and huge in memory.
MAX_PIXELS = 40_000_000


def coach_photo_process(upload) -> ContentFile:
    """The stored form of an uploaded photo, or ValidationError with a message for the field."""
    limit = settings.COACH_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The photo is {upload.size / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB."
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            probe.verify()  # structure check; the image must be reopened afterwards
        if kind not in ACCEPTED_FORMATS:
            raise ValidationError("Upload a JPEG, PNG or WebP image.")
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("The image has too many pixels; upload a smaller one.")
            upright = ImageOps.exif_transpose(image)
            square = ImageOps.fit(upright.convert("RGB"), PHOTO_SIZE, Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError("Upload a JPEG, PNG or WebP image.") from exc
    out = io.BytesIO()
    square.save(out, format="JPEG", quality=85, optimize=True)
    digest = hashlib.sha256(out.getvalue()).hexdigest()[:16]
    return ContentFile(out.getvalue(), name=f"{digest}.jpg")
