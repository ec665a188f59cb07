"""Photos and screenshots sent with a report, re-encoded so that no metadata survives.

Each image is decoded and drawn again into a new image of the same pixels: EXIF (with any GPS
position and camera details), XMP, IPTC, ICC profiles, PNG text chunks and HEIC metadata are
all left behind, because the new file is written from pixels alone. The image is first turned
the right way up, since that too is only metadata.
"""

import io
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

try:  # HEIC from phones, where the library to read it is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIC_SUPPORTED = False

MAX_PHOTOS = 3
MAX_SIDE = 2560
# Refuse decompression bombs: no photo a pupil sends is larger than this once decoded.
MAX_PIXELS = 50_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "MPO"} | ({"HEIF"} if HEIC_SUPPORTED else set())
# The decoders tried on an upload (the JPEG decoder also reads a camera's multi-picture MPO).
_DECODERS = ("JPEG", "PNG", *(("HEIF",) if HEIC_SUPPORTED else ()))


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    width: int
    height: int


def _max_bytes() -> int:
    return settings.REPORT_PHOTO_MAX_MB * 1024 * 1024


def photo_clean(file: IO[bytes], *, position: int) -> CleanPhoto:
    """Read an uploaded image and return it re-encoded without metadata.

    Screenshots (PNG) stay lossless PNG; photos become JPEG. Raises ``ValidationError`` naming
    the photo for anything that is too large or is not a JPEG, PNG or HEIC image.
    """
    label = f"Photo {position}"
    size = getattr(file, "size", None)
    if size is not None and size > _max_bytes():
        raise ValidationError(f"{label} is larger than {settings.REPORT_PHOTO_MAX_MB} MB")
    data = file.read(_max_bytes() + 1)
    if len(data) > _max_bytes():
        raise ValidationError(f"{label} is larger than {settings.REPORT_PHOTO_MAX_MB} MB")
    formats = "JPEG, PNG or HEIC" if HEIC_SUPPORTED else "JPEG or PNG"
    not_an_image = ValidationError(f"{label} must be a {formats} image")
    too_many_pixels = ValidationError(f"{label} has too many pixels")
    try:
        # Only the accepted formats are even parsed: no other decoder sees what a pupil sends.
        with Image.open(io.BytesIO(data), formats=_DECODERS) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise not_an_image
            if image.width * image.height > MAX_PIXELS:
                raise too_many_pixels
            image.load()
            try:
                upright = ImageOps.exif_transpose(image)
            except Exception:  # metadata too damaged to read: keep the pixels as they are
                upright = image.copy()
            lossless = image.format == "PNG"
            has_alpha = upright.mode in ("RGBA", "LA") or (
                upright.mode == "P" and "transparency" in upright.info
            )
            pixels = upright.convert("RGBA" if lossless and has_alpha else "RGB")
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        # The library refuses dimensions far beyond any photo before reading the pixels.
        raise too_many_pixels from None
    except Exception:  # whatever a damaged file makes a decoder raise
        raise not_an_image from None
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    # A fresh image holds pixels only: no info dictionary, no EXIF, no profile.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if lossless:
        clean.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        clean.save(out, format="JPEG", quality=85, optimize=True)
        content_type = "image/jpeg"
    return CleanPhoto(out.getvalue(), content_type, clean.width, clean.height)
