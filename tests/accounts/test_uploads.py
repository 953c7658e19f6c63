"""Company logos: the decoded picture written again, under a name and an extension made on the
server, at registration and on the profile."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from accounts import services
from accounts.models import Company
from core.exceptions import ApplicationError
from tests.accounts.helpers import assert_unchanged, upload
from tests.core.helpers import assert_error

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (5, 5), 1).save(buffer, format="GIF")
    return buffer.getvalue()


def test_logo_gif_with_a_script_posted_as_html_is_stored_as_png_without_it(api_client, company_a, member_a):
    api_client.force_authenticate(user=member_a)

    response = api_client.patch(f"/api/v1/companies/{company_a.pk}/",
                                {"logo": upload("cat.html", gif_bytes() + SCRIPT, "text/html")}, format="multipart")

    assert response.status_code == 200, response.content
    company_a.refresh_from_db()
    prefix = "logos/TR/"
    assert company_a.logo.name.startswith(prefix) and company_a.logo.name.endswith(
        f"/{company_a.registration_number}.png")
    with company_a.logo.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored and stored.startswith(b"\x89PNG")


def test_logo_that_is_no_image_is_a_400_naming_the_field(api_client, company_a, member_a):
    api_client.force_authenticate(user=member_a)

    with assert_unchanged():
        response = api_client.patch(f"/api/v1/companies/{company_a.pk}/",
                                    {"logo": upload("logo.png", b"<html>" + SCRIPT, "image/png")}, format="multipart")

    assert_error(response, 400, "validation_error",
                 fields={"logo": ["Upload a valid image. The file is not an image or is corrupted."]})
    assert Company.objects.get(pk=company_a.pk).logo.name == ""


def test_a_logo_given_at_registration_is_written_again_too():
    _user, company = services.user_register(
        email="new@example.com", password="Quiet-Harbour-Lamp-73", full_name="New Owner", company={
            "legal_name": "Delta Tools GmbH", "country": "DE", "registration_number": "HRB-12345",
            "address": "Hauptstrasse 1, Berlin", "default_currency": "EUR", "kind": "buyer",
            "logo": upload("cat.html", gif_bytes() + SCRIPT, "text/html")})

    assert company.logo.name.startswith("logos/DE/") and company.logo.name.endswith("/HRB-12345.png")
    with company.logo.open("rb") as handle:
        assert b"<script" not in handle.read()


def test_a_logo_refused_at_registration_names_the_company_field():
    with assert_unchanged(), pytest.raises(ApplicationError) as excinfo:
        services.user_register(
            email="new@example.com", password="Quiet-Harbour-Lamp-73", full_name="New Owner", company={
                "legal_name": "Delta Tools GmbH", "country": "DE", "registration_number": "HRB-12345",
                "address": "Hauptstrasse 1, Berlin", "default_currency": "EUR", "kind": "buyer",
                "logo": upload("logo.png", b"not an image", "image/png")})

    assert excinfo.value.fields == {"company.logo": ["Upload a valid image. The file is not an image or is corrupted."]}
