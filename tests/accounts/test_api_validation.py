"""Bad input to registration and to the company profile: a 400 (or 409) naming the field, and nothing saved."""
from __future__ import annotations

import copy

import pytest
from django.conf import settings

from accounts.models import Company, Membership, User
from tests.accounts.helpers import assert_unchanged, png_bytes, upload
from tests.core.helpers import assert_error

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"

VALID = {
    "email": "registrant@example.com",
    "password": "Quiet-Harbour-Lamp-73",
    "full_name": "Rita Registrant",
    "preferred_language": "tr",
    "company": {
        "legal_name": "Delta Tools GmbH", "country": "DE", "registration_number": "HRB-12345",
        "address": "Hauptstrasse 1, Berlin", "default_currency": "EUR", "kind": "both",
        "description": "Hand tools: pliers < 20 cm and > 5 cm.", "website": "https://delta.example.com",
    },
}

TAG_MESSAGE = "HTML tags and scripts are not allowed in this field."


def body_with(**changes) -> dict:
    """VALID with changes; "company__x" changes the company's field x; a value of None removes the key."""
    body = copy.deepcopy(VALID)
    for key, value in changes.items():
        target, name = (body["company"], key.removeprefix("company__")) if key.startswith("company__") else (body, key)
        if value is None:
            target.pop(name)
        else:
            target[name] = value
    return body


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Company.objects.count(), Membership.objects.count()


# --- registration --------------------------------------------------------------------------------

def test_valid_registration_creates_user_company_and_owner_membership(api_client):
    response = api_client.post(REGISTER, VALID, format="json")

    assert response.status_code == 201
    user = User.objects.get()
    company = Company.objects.get()
    assert (user.email, user.full_name, user.preferred_language) == (
        "registrant@example.com", "Rita Registrant", "tr")
    assert (company.legal_name, company.country.code, company.default_currency, company.kind,
            company.verification_status, company.description) == (
        "Delta Tools GmbH", "DE", "EUR", "both", "unverified", "Hand tools: pliers < 20 cm and > 5 cm.")
    assert list(Membership.objects.values_list("user_id", "company_id", "role")) == [(user.pk, company.pk, "owner")]


def test_country_and_currency_codes_are_normalised_to_upper_case(api_client):
    response = api_client.post(REGISTER, body_with(company__country="de", company__default_currency="eur"),
                               format="json")

    assert response.status_code == 201
    assert (response.json()["company"]["country"], response.json()["company"]["default_currency"]) == ("DE", "EUR")


@pytest.mark.parametrize(("changes", "fields"), [
    pytest.param({"company__country": "XX"}, {"company.country": ["Value 'XX' is not a valid choice."]},
                 id="unknown-country"),
    pytest.param({"company__default_currency": "ABC"},
                 {"company.default_currency": ["Value 'ABC' is not a valid choice."]}, id="unknown-currency"),
    pytest.param({"company__description": "<script>alert(1)</script>"}, {"company.description": [TAG_MESSAGE]},
                 id="script-in-description"),
    pytest.param({"company__description": "<img src=x onerror=alert(1)>"}, {"company.description": [TAG_MESSAGE]},
                 id="img-onerror-in-description"),
    pytest.param({"company__legal_name": "<b>Delta</b>"}, {"company.legal_name": [TAG_MESSAGE]},
                 id="tag-in-legal-name"),
    pytest.param({"full_name": "<script>x</script>"}, {"full_name": [TAG_MESSAGE]}, id="tag-in-full-name"),
    pytest.param({"company__website": "javascript:alert(1)"}, {"company.website": ["Enter a valid URL."]},
                 id="script-url-as-website"),
    pytest.param({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}, id="bad-email"),
    pytest.param({"password": "password123"}, {"password": ["This password is too common."]},
                 id="common-password"),
    pytest.param({"password": "short"}, {"password": [
        "This password is too short. It must contain at least 10 characters."]}, id="short-password"),
    pytest.param({"password": "7305168249113"}, {"password": ["This password is entirely numeric."]},
                 id="numeric-password"),
    pytest.param({"email": None}, {"email": ["This field is required."]}, id="missing-email"),
    pytest.param({"password": None}, {"password": ["This field is required."]}, id="missing-password"),
    pytest.param({"company": None}, {"company": ["This field is required."]}, id="missing-company"),
    pytest.param({"company__legal_name": None, "company__kind": None},
                 {"company.legal_name": ["This field is required."], "company.kind": ["This field is required."]},
                 id="missing-company-fields"),
    pytest.param({"company__kind": "reseller"}, {"company.kind": ['"reseller" is not a valid choice.']},
                 id="unknown-kind"),
    pytest.param({"preferred_language": "de"}, {"preferred_language": ['"de" is not a valid choice.']},
                 id="unknown-language"),
])
def test_bad_registration_is_refused_and_creates_nothing(api_client, changes, fields):
    response = api_client.post(REGISTER, body_with(**changes), format="json")

    assert_error(response, 400, "validation_error", fields=fields)
    assert counts() == (0, 0, 0)


def test_duplicate_email_is_refused_whatever_its_case(api_client, member_a):
    with assert_unchanged():
        response = api_client.post(REGISTER, body_with(email=member_a.email.upper()), format="json")

    assert_error(response, 400, "validation_error", message="An account with this e-mail address already exists.",
                 fields={"email": ["An account with this e-mail address already exists."]})
    assert counts() == (1, 1, 1)


def test_duplicate_registration_number_in_the_same_country_is_refused(api_client, company_a):
    body = body_with(company__country="TR", company__registration_number=company_a.registration_number)

    with assert_unchanged():
        response = api_client.post(REGISTER, body, format="json")

    message = "Company with this Country and Registration number already exists."
    assert_error(response, 400, "validation_error", message=message,
                 fields={"company.registration_number": [message]})
    assert User.objects.filter(email="registrant@example.com").exists() is False


def test_same_registration_number_in_another_country_is_fine(api_client, company_a):
    body = body_with(company__country="DE", company__registration_number=company_a.registration_number)

    response = api_client.post(REGISTER, body, format="json")

    assert response.status_code == 201
    assert Company.objects.filter(registration_number=company_a.registration_number).count() == 2


def test_body_that_is_not_an_object_is_refused(api_client):
    response = api_client.post(REGISTER, ["a", "list"], format="json")

    assert_error(response, 400, "validation_error",
                 fields={"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
    assert counts() == (0, 0, 0)


# --- company profile (PATCH) ----------------------------------------------------------------------

@pytest.fixture
def owner_client(api_client, member_a):
    api_client.force_authenticate(user=member_a)
    return api_client


def patch_a(client, company, data, fmt="json"):
    return client.patch(f"/api/v1/companies/{company.pk}/", data, format=fmt)


@pytest.mark.parametrize(("data", "fields"), [
    pytest.param({"country": "XX"}, {"country": ["Value 'XX' is not a valid choice."]}, id="unknown-country"),
    pytest.param({"country": "TUR"}, {"country": ["Ensure this field has no more than 2 characters."]},
                 id="three-letter-country"),
    pytest.param({"default_currency": "ABC"}, {"default_currency": ["Value 'ABC' is not a valid choice."]},
                 id="unknown-currency"),
    pytest.param({"description": "<script>alert(1)</script>"}, {"description": [TAG_MESSAGE]}, id="script"),
    pytest.param({"description": "<img src=x onerror=alert(1)>"}, {"description": [TAG_MESSAGE]}, id="img-onerror"),
    pytest.param({"address": "<iframe src=//evil.example>"}, {"address": [TAG_MESSAGE]}, id="iframe-in-address"),
    pytest.param({"legal_name": ""}, {"legal_name": ["This field may not be blank."]}, id="blank-legal-name"),
    pytest.param({"legal_name": "A"}, {"legal_name": ["Ensure this value has at least 2 characters (it has 1)."]},
                 id="one-letter-legal-name"),
    pytest.param({"website": "not a url"}, {"website": ["Enter a valid URL."]}, id="bad-website"),
])
def test_bad_company_patch_is_refused_and_changes_nothing(owner_client, company_a, data, fields):
    with assert_unchanged():
        response = patch_a(owner_client, company_a, data)

    assert_error(response, 400, "validation_error", fields=fields)


def test_patch_to_a_registration_number_taken_in_that_country_is_refused(owner_client, company_a, company_b):
    message = "Company with this Country and Registration number already exists."
    Company.objects.filter(pk=company_b.pk).update(registration_number="91110000600037341L")  # a valid USCC
    company_b.refresh_from_db()

    with assert_unchanged():
        response = patch_a(owner_client, company_a, {"country": "CN",
                                                     "registration_number": company_b.registration_number})

    assert_error(response, 400, "validation_error", fields={"registration_number": [message]})
    company_a.refresh_from_db()
    assert (company_a.country.code, company_a.registration_number) == ("TR", company_a.registration_number)


def test_valid_patch_changes_only_the_given_fields(owner_client, company_a):
    response = patch_a(owner_client, company_a, {"description": "Cotton and linen.", "default_currency": "eur"})

    assert response.status_code == 200
    company_a.refresh_from_db()
    assert (company_a.description, company_a.default_currency, company_a.legal_name, company_a.country.code) == (
        "Cotton and linen.", "EUR", "Alpha Textiles", "TR")


# --- logo uploads ----------------------------------------------------------------------------------

def test_valid_png_logo_is_stored(owner_client, company_a):
    response = patch_a(owner_client, company_a, {"logo": upload("logo.png", png_bytes(32, 16))}, fmt="multipart")

    assert response.status_code == 200
    company_a.refresh_from_db()
    assert company_a.logo.name.startswith("logos/TR/")
    assert company_a.logo.name.endswith(f"/{company_a.registration_number}.png")
    assert (company_a.logo.width, company_a.logo.height) == (32, 16)
    assert response.json()["logo"].endswith(company_a.logo.name)


def test_after_a_logo_other_fields_can_still_be_edited(owner_client, company_a):
    patch_a(owner_client, company_a, {"logo": upload("logo.png", png_bytes())}, fmt="multipart")

    response = patch_a(owner_client, company_a, {"description": "Still editable."})

    assert response.status_code == 200
    company_a.refresh_from_db()
    assert company_a.description == "Still editable."


def test_oversized_logo_is_refused(owner_client, company_a):
    content = png_bytes()
    content += b"\0" * (settings.LOGO_MAX_BYTES + 1 - len(content))
    assert len(content) == settings.LOGO_MAX_BYTES + 1

    with assert_unchanged():
        response = patch_a(owner_client, company_a, {"logo": upload("logo.png", content)}, fmt="multipart")

    assert_error(response, 400, "validation_error", fields={"logo": ["The image is larger than 2 MB."]})


def test_text_file_named_png_is_refused(owner_client, company_a):
    with assert_unchanged():
        response = patch_a(owner_client, company_a,
                           {"logo": upload("logo.png", b"just some text, not an image\n", "image/png")},
                           fmt="multipart")

    assert_error(response, 400, "validation_error",
                 fields={"logo": ["Upload a valid image. The file is not an image or is corrupted."]})


def test_image_in_a_refused_format_is_refused(owner_client, company_a):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="BMP")

    with assert_unchanged():
        response = patch_a(owner_client, company_a, {"logo": upload("logo.png", buffer.getvalue())},
                           fmt="multipart")

    assert_error(response, 400, "validation_error", fields={"logo": ["Upload a PNG, JPEG, WebP or GIF image."]})


def test_image_with_too_many_pixels_is_refused(owner_client, company_a, settings):
    settings.LOGO_MAX_PIXELS = 100 * 100

    with assert_unchanged():
        response = patch_a(owner_client, company_a, {"logo": upload("logo.png", png_bytes(101, 100))},
                           fmt="multipart")

    assert_error(response, 400, "validation_error", fields={"logo": ["The image has too many pixels."]})


def test_image_at_the_pixel_limit_is_accepted(owner_client, company_a, settings):
    settings.LOGO_MAX_PIXELS = 100 * 100

    response = patch_a(owner_client, company_a, {"logo": upload("logo.png", png_bytes(100, 100))}, fmt="multipart")

    assert response.status_code == 200
    company_a.refresh_from_db()
    assert (company_a.logo.width, company_a.logo.height) == (100, 100)


def test_empty_logo_file_is_refused(owner_client, company_a):
    with assert_unchanged():
        response = patch_a(owner_client, company_a, {"logo": upload("logo.png", b"")}, fmt="multipart")

    assert_error(response, 400, "validation_error", fields={"logo": ["The submitted file is empty."]})
