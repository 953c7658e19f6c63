"""Shared validators: plain text, currency codes and uploaded images."""
from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.validators import CURRENCY_CHOICES, validate_currency_code, validate_image_upload, validate_plain_text


@pytest.mark.parametrize("value", [
    "",
    "a < b and 5 > 3",
    "if x < y or y > z",
    "Prices < 100 USD > nothing",
    "x<5",
    "1 <2> 3",
    "Tom & Jerry's \"quoted\" text",
    "Çok güzel ürünler, 质量很好",
])
def test_plain_text_accepts_text_with_angle_brackets(value):
    assert validate_plain_text(value) is None


@pytest.mark.parametrize("value", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<b>bold</b>",
    "< script>alert(1)</script>",
    "</div>",
    "<!-- hidden -->",
    "<?php echo 1; ?>",
    "<SVG onload=alert(1)>",
    "text <a href='https://evil.example'>link</a> text",
    "<iframe\nsrc=//evil.example>",
    "Write to <sales@example.com>",  # looks like a tag, so it is refused as well
])
def test_plain_text_refuses_tags(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_plain_text(value)

    assert excinfo.value.code == "markup"
    assert excinfo.value.messages == ["HTML tags and scripts are not allowed in this field."]


@pytest.mark.parametrize("code", ["EUR", "USD", "TRY", "CNY", "JPY"])
def test_currency_accepts_iso_4217_codes(code):
    assert validate_currency_code(code) is None


@pytest.mark.parametrize("code", ["ABC", "eur", "EU", "EURO", "", "XX1"])
def test_currency_refuses_anything_else(code):
    with pytest.raises(ValidationError) as excinfo:
        validate_currency_code(code)

    assert excinfo.value.code == "invalid_currency"
    assert excinfo.value.messages == [f"{code} is not an ISO 4217 currency code."]


def test_currency_choices_are_sorted_codes_with_names():
    codes = [code for code, _label in CURRENCY_CHOICES]
    assert codes == sorted(codes)
    assert dict(CURRENCY_CHOICES)["EUR"] == "EUR – Euro"
    assert "ABC" not in codes


def image_file(fmt: str = "PNG", size=(10, 10), name: str = "logo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 120, 200)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_image_upload_accepts_the_web_formats_and_rewinds(fmt):
    upload = image_file(fmt)
    upload.seek(3)

    assert validate_image_upload(upload) is None
    assert upload.tell() == 3


@pytest.mark.parametrize(("upload", "code", "message"), [
    (SimpleUploadedFile("logo.png", b"plain text"), "invalid_image",
     "Upload a valid image. The file is not an image or is corrupted."),
    (image_file("BMP"), "invalid_format", "Upload a PNG, JPEG, WebP or GIF image."),
    (SimpleUploadedFile("logo.png", image_file().read()[:40]), "invalid_image",
     "Upload a valid image. The file is not an image or is corrupted."),
])
def test_image_upload_refuses_what_is_not_a_web_image(upload, code, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(upload)

    assert (excinfo.value.code, excinfo.value.messages) == (code, [message])


def test_image_upload_refuses_too_many_bytes(settings):
    upload = image_file()
    settings.LOGO_MAX_BYTES = upload.size - 1

    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(upload)

    assert excinfo.value.code == "too_large"


def test_image_upload_refuses_too_many_pixels(settings):
    settings.LOGO_MAX_PIXELS = 99

    with pytest.raises(ValidationError) as excinfo:
        validate_image_upload(image_file(size=(10, 10)))

    assert (excinfo.value.code, excinfo.value.messages) == ("too_many_pixels", ["The image has too many pixels."])
