"""A walk photo stored without any metadata: no EXIF (GPS, camera, time), XMP, ICC or text.

Phones write where and when a photo was taken, the device and often the owner's name into
the file. The photo is decoded and its pixels re-encoded into a new JPEG, so nothing of the
original file but the picture survives. Photos document places (a broken lamp, an
overgrown path); faces are not their purpose, and the form says so.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["MAX_PHOTO_BYTES", "MAX_SIDE", "PhotoRejected", "strip_photo"]

MAX_PHOTO_BYTES = 12 * 1024 * 1024
"""Largest photo file accepted (a phone's full-size JPEG is 3–8 MB)."""

MAX_SIDE = 1600
"""The stored photo's longer side in pixels: enough to see a lamp or a path."""

_MAX_PIXELS = 60_000_000  # ~ a 200-megapixel camera would be refused: decompression bombs
_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"})


class PhotoRejected(ValueError):
    """The upload is not a photo this service accepts; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def strip_photo(data: bytes) -> bytes:
    """Return the photo as a new JPEG with its pixels only.

    The orientation the camera recorded is applied to the pixels first (so the picture
    stands the right way without its EXIF tag), the image is scaled to at most
    :data:`MAX_SIDE` pixels on its longer side, and saved with no EXIF, XMP, ICC profile,
    comment or other chunk.

    Parameters
    ----------
    data : bytes
        The uploaded file.

    Raises
    ------
    PhotoRejected
        ``"too_large"`` over :data:`MAX_PHOTO_BYTES`, ``"not_image"`` when it cannot be
        read as a picture, ``"unsupported"`` for another format, ``"too_many_pixels"``
        for a decompression bomb.
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected("too_large")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as original:
                if original.format not in _FORMATS:
                    raise PhotoRejected("unsupported")
                if original.width * original.height > _MAX_PIXELS:
                    raise PhotoRejected("too_many_pixels")
                upright = ImageOps.exif_transpose(original)
                upright.thumbnail((MAX_SIDE, MAX_SIDE))
                rgb = upright.convert("RGB")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRejected("too_many_pixels") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            if isinstance(exc, PhotoRejected):
                raise
            raise PhotoRejected("not_image") from None
    # A fresh image from the raw pixels carries no info dictionary at all.
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
