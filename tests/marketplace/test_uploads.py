"""Listing images: what is stored is the decoded picture written again, under a name and an
extension made on the server, whatever name and content type the client sent."""
from __future__ import annotations

import io
import re

import pytest
from django.test import override_settings
from PIL import Image

from marketplace.models import ListingImage
from tests.core.helpers import assert_error
from tests.core.test_uploads_media import assert_inline_image
from tests.marketplace.conftest import assert_unchanged, detail_url, image_upload

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (6, 4), 2).save(buffer, format="GIF")
    return buffer.getvalue()


def test_gif_with_a_script_posted_as_html_is_stored_as_png_without_the_script(as_user, owner, draft):
    response = as_user(owner).post(f"{detail_url(draft)}images/",
                                   {"image": image_upload("cat.html", gif_bytes() + SCRIPT, "text/html")},
                                   format="multipart")

    assert response.status_code == 201, response.content
    image = ListingImage.objects.get()
    assert re.fullmatch(rf"listings/{draft.pk}/[0-9a-f]{{32}}\.png", image.image.name)
    assert response.json()["image"] == f"http://testserver/media/{image.image.name}"
    with image.image.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored and stored.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(stored)) as decoded:
        assert (decoded.format, decoded.size) == ("PNG", (6, 4))


def test_a_jpeg_keeps_its_format_and_loses_its_exif(as_user, owner, draft):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[1] = "N"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buffer, format="JPEG", exif=exif.tobytes())

    response = as_user(owner).post(f"{detail_url(draft)}images/",
                                   {"image": image_upload("photo.png", buffer.getvalue(), "image/png")},
                                   format="multipart")

    assert response.status_code == 201, response.content
    image = ListingImage.objects.get()
    assert image.image.name.endswith(".jpg")
    with image.image.open("rb") as handle:
        stored = handle.read()
    assert b"Exif" not in stored and b"PhoneMaker" not in stored


def test_html_posted_as_an_image_is_a_400_and_nothing_is_stored(as_user, owner, draft, settings):
    with assert_unchanged():
        response = as_user(owner).post(f"{detail_url(draft)}images/",
                                       {"image": image_upload("cat.gif", b"GIF89a" + SCRIPT, "image/gif")},
                                       format="multipart")

    assert_error(response, 400, "validation_error",
                 fields={"image": ["Upload a valid image. The file is not an image or is corrupted."]})
    listings_dir = settings.MEDIA_ROOT / "listings"
    assert not listings_dir.exists() or not any(listings_dir.rglob("*.*"))


@override_settings(DEBUG=False)
def test_the_image_url_from_the_api_answers_with_the_image_and_safe_headers(as_user, owner, draft, client, settings):
    response = as_user(owner).post(f"{detail_url(draft)}images/",
                                   {"image": image_upload("cat.html", gif_bytes() + SCRIPT, "text/html")},
                                   format="multipart")
    url = response.json()["image"]
    assert url.startswith(f"http://testserver/media/listings/{draft.pk}/") and url.endswith(".png")

    served = client.get(url.removeprefix("http://testserver"))

    stored = (settings.MEDIA_ROOT / url.removeprefix("http://testserver/media/")).read_bytes()
    assert_inline_image(served, "image/png", url.rsplit("/", 1)[-1], stored)
    assert b"<script" not in stored
