"""The one image rule (core.images): uploads are decoded, bounded and written again from their
pixels, under a name and an extension made on the server."""
from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from core.exceptions import ApplicationError
from core.images import image_reencode, stored_extension

SCRIPT = b"<script>alert(document.cookie)</script>"
NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


def encoded(fmt: str, size=(12, 8), mode: str = "RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else 3).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (41.0, 0.0, 0.0)
    return encoded("JPEG", exif=exif.tobytes())


@pytest.mark.parametrize(("fmt", "extension", "stored_format"), [
    ("JPEG", "jpg", "JPEG"), ("PNG", "png", "PNG"), ("WEBP", "webp", "WEBP"), ("GIF", "png", "PNG"),
])
def test_each_web_format_is_written_again_under_a_server_name(fmt, extension, stored_format):
    upload = SimpleUploadedFile("holiday.html", encoded(fmt, mode="P" if fmt == "GIF" else "RGB"))

    stored = image_reencode(upload, field="image")

    assert NAME.match(stored.name) and stored.name.endswith(f".{extension}")
    with Image.open(io.BytesIO(stored.read())) as image:
        assert (image.format, image.size) == (stored_format, (12, 8))


def test_gif_with_an_appended_script_becomes_a_png_without_it():
    content = encoded("GIF", mode="P") + SCRIPT
    with Image.open(io.BytesIO(content)) as image:
        image.verify()  # Pillow reads it as a valid GIF: the script rides along unless it is re-encoded

    stored = image_reencode(SimpleUploadedFile("cat.html", content, content_type="text/html"), field="image")

    data = stored.read()
    assert stored.name.endswith(".png") and "cat" not in stored.name and ".html" not in stored.name
    assert b"<script" not in data and data.startswith(b"\x89PNG")


def test_exif_gps_is_stripped_from_a_jpeg():
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif().get_ifd(0x8825)  # the upload carries a position

    data = image_reencode(SimpleUploadedFile("me.jpg", original), field="image").read()

    assert b"Exif" not in data and b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert dict(image.getexif()) == {}


def test_png_text_chunks_are_not_kept():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-location")
    original = encoded("PNG", pnginfo=info)
    assert b"secret-location" in original

    data = image_reencode(SimpleUploadedFile("a.png", original), field="logo").read()

    assert b"secret-location" not in data


def test_a_photo_turned_by_its_exif_is_stored_upright():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    original = encoded("JPEG", size=(20, 10), exif=exif.tobytes())

    data = image_reencode(SimpleUploadedFile("p.jpg", original), field="image").read()

    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (10, 20)


@pytest.mark.parametrize(("content", "message"), [
    (b"<html><script>alert(1)</script></html>", "Upload a valid image. The file is not an image or is corrupted."),
    (encoded("PNG")[:60], "Upload a valid image. The file is not an image or is corrupted."),
    (encoded("BMP"), "Upload a PNG, JPEG, WebP or GIF image."),
])
def test_what_is_not_a_web_image_is_a_400_naming_the_field(content, message):
    with pytest.raises(ApplicationError) as excinfo:
        image_reencode(SimpleUploadedFile("x.png", content), field="company.logo")

    assert (excinfo.value.status_code, excinfo.value.fields) == (400, {"company.logo": [message]})


def test_bytes_and_pixels_are_bounded(settings):
    content = encoded("PNG", size=(20, 20))
    settings.LOGO_MAX_PIXELS = 399
    with pytest.raises(ApplicationError) as excinfo:
        image_reencode(SimpleUploadedFile("x.png", content), field="image")
    assert excinfo.value.fields == {"image": ["The image has too many pixels."]}

    settings.LOGO_MAX_PIXELS = 400
    settings.LOGO_MAX_BYTES = len(content) - 1
    with pytest.raises(ApplicationError) as excinfo:
        image_reencode(SimpleUploadedFile("x.png", content), field="image")
    assert excinfo.value.fields == {"image": ["The image is larger than 0 MB."]}


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_a_pixel_bomb_is_refused_before_it_is_decoded(settings, side):
    # Millions of pixels in a few kilobytes of PNG: the header is read, the pixels never are. The
    # larger one is also beyond Pillow's own bound, which refuses it on opening.
    settings.LOGO_MAX_PIXELS = 4096 * 4096
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 200_000

    with pytest.raises(ApplicationError) as excinfo:
        image_reencode(SimpleUploadedFile("bomb.png", buffer.getvalue()), field="image")

    assert excinfo.value.fields == {"image": ["The image has too many pixels."]}


@pytest.mark.parametrize(("filename", "extension"), [
    ("0f.png", "png"), ("a.JPG", "jpg"), ("a.webp", "webp"), ("cat.html", "bin"), ("a.gif", "bin"), ("noext", "bin"),
])
def test_stored_extension_is_an_image_extension_or_bin(filename, extension):
    assert stored_extension(filename) == extension
