"""A walk photo keeps its pixels and loses every metadata field its camera wrote."""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from geoservice.core.walks.photo import MAX_SIDE, PhotoRejected, strip_photo

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Anna Andersson</dc:creator>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def _icc() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def camera_jpeg() -> bytes:
    """A phone-like JPEG: GPS position, owner, device, time, orientation, XMP and ICC."""
    image = Image.new("RGB", (400, 300), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    exif[0x013B] = "Anna Andersson"  # Artist
    exif[0x0132] = "2026:11:29 23:12:00"  # DateTime
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (58.0, 42.0, 1.8)
    gps[3], gps[4] = "E", (12.0, 27.0, 12.6)
    out = io.BytesIO()
    image.save(
        out, format="JPEG", exif=exif.tobytes(), icc_profile=_icc(), xmp=XMP, comment=b"secret"
    )
    return out.getvalue()


def assert_no_metadata(data: bytes) -> None:
    """Read the stored bytes back and find no metadata of any kind."""
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif(), dict(stored.getexif())
        for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"):
            assert key not in stored.info, key
        assert not getattr(stored, "applist", [])[1:], stored.applist  # only JFIF APP0
    for marker in (
        b"Exif",
        b"http://ns.adobe.com",
        b"ICC_PROFILE",
        b"Anna",
        b"PhoneMaker",
        b"secret",
    ):
        assert marker not in data, marker


def test_every_camera_field_is_gone_and_the_picture_stands_upright():
    original = camera_jpeg()
    assert b"Exif" in original and b"Anna" in original and b"ICC_PROFILE" in original
    stored = strip_photo(original)
    assert_no_metadata(stored)
    with Image.open(io.BytesIO(stored)) as image:
        # Orientation 6 was applied to the pixels: 400×300 stands as 300×400.
        assert image.size == (300, 400)
        red, green, _blue = image.getpixel((150, 200))
        assert red > 150 and green < 90


def test_png_text_chunks_are_gone_too():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Anna Andersson")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    assert_no_metadata(strip_photo(out.getvalue()))


def test_a_large_photo_is_scaled_down():
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 120, 10)).save(out, format="JPEG")
    with Image.open(io.BytesIO(strip_photo(out.getvalue()))) as image:
        assert max(image.size) == MAX_SIDE


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not an image at all", "not_image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "not_image"),
        (b"%PDF-1.4 " + b"x" * 100, "not_image"),
        (b"x" * (12 * 1024 * 1024 + 1), "too_large"),
    ],
)
def test_what_is_not_a_photo_is_refused(data, code):
    with pytest.raises(PhotoRejected) as caught:
        strip_photo(data)
    assert caught.value.code == code


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, format="PNG")  # 144 megapixels, small file
    with pytest.raises(PhotoRejected) as caught:
        strip_photo(out.getvalue())
    assert caught.value.code == "too_many_pixels"
