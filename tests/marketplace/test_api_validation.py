"""Bad input to the catalogue API: a 400 naming the field, and nothing created or changed."""
from __future__ import annotations

import pytest

from marketplace.models import Listing, ListingImage, ListingStatus
from tests.core.helpers import assert_error
from tests.marketplace.conftest import LISTINGS, assert_unchanged, detail_url, image_upload, png_bytes, valid_body

pytestmark = pytest.mark.django_db

CANNOT_BE_SET = ["This field cannot be set."]

# (changes to the valid body, expected error fields), shared by create and update.
BAD_VALUES = [
    pytest.param({"hs_code": "12345"}, {"hs_code": ["An HS code has exactly 6 digits."]}, id="hs-code-5-digits"),
    pytest.param({"hs_code": "ABCDEF"}, {"hs_code": ["An HS code has exactly 6 digits."]}, id="hs-code-letters"),
    pytest.param({"hs_code": "6302601"}, {"hs_code": ["An HS code has exactly 6 digits.",
                                                      "Ensure this value has at most 6 characters (it has 7)."]},
                 id="hs-code-7-digits"),
    pytest.param({"origin_country": "XX"}, {"origin_country": ["XX is not an ISO 3166 country code."]},
                 id="unknown-origin-country"),
    pytest.param({"ships_to_countries": ["DE", "QQ"]}, {"ships_to_countries": ["QQ is not an ISO 3166 country code."]},
                 id="unknown-ships-to-country"),
    pytest.param({"incoterms": ["FOB", "XYZ"]}, {"incoterms": ["Unknown Incoterm: XYZ."]}, id="unknown-incoterm"),
    pytest.param({"price_tiers": [{"min_quantity": 100, "unit_price": "4.00"},
                                  {"min_quantity": 500, "unit_price": "4.50"}]},
                 {"price_tiers": ["A larger quantity cannot have a higher unit price."]}, id="increasing-tier-prices"),
    pytest.param({"price_tiers": [{"min_quantity": 200, "unit_price": "4.00"}]},
                 {"price_tiers": ["The first price tier must start at or below the minimum order quantity."]},
                 id="first-tier-above-moq"),
    pytest.param({"price_tiers": [{"min_quantity": 100, "unit_price": "4.00"},
                                  {"min_quantity": 100, "unit_price": "3.00"}]},
                 {"price_tiers": ["Two price tiers start at the same quantity."]}, id="duplicate-tier"),
    pytest.param({"price_tiers": [{"min_quantity": 100, "unit_price": "0"}]},
                 {"price_tiers": ["Enter a number greater than zero."]}, id="zero-price"),
    pytest.param({"price_tiers": [{"min_quantity": 100, "unit_price": "4.005"}]},
                 {"price_tiers.0.unit_price": ["Ensure that there are no more than 2 decimal places."]},
                 id="price-with-three-decimals"),
    pytest.param({"price_tiers": [{"min_quantity": 100, "unit_price": "4.00", "max_quantity": 9}]},
                 {"price_tiers.0.max_quantity": CANNOT_BE_SET}, id="tier-max-quantity-is-derived"),
    pytest.param({"stock": -1}, {"stock": ["Ensure this value is at least 0."]}, id="negative-stock"),
    pytest.param({"moq": 0}, {"moq": ["Ensure this value is at least 1."]}, id="moq-zero"),
    pytest.param({"order_multiple": 0}, {"order_multiple": ["Ensure this value is at least 1."]},
                 id="order-multiple-zero"),
    pytest.param({"moq": "many"}, {"moq": ["A valid integer is required."]}, id="moq-not-a-number"),
    pytest.param({"weight_kg": "0"}, {"weight_kg": ["Enter a number greater than zero."]}, id="weight-zero"),
    pytest.param({"weight_kg": "heavy"}, {"weight_kg": ["A valid number is required."]}, id="weight-not-a-number"),
    pytest.param({"length_cm": "-5"}, {"length_cm": ["Enter a number greater than zero."]}, id="negative-length"),
    pytest.param({"ships_to_mode": "only", "ships_to_countries": []},
                 {"ships_to_countries": ["Name at least one country the listing ships to."]},
                 id="ships-to-only-without-countries"),
    pytest.param({"ships_to_mode": "nowhere"}, {"ships_to_mode": ["Value 'nowhere' is not a valid choice."]},
                 id="unknown-ships-to-mode"),
    pytest.param({"unit": "barrel"}, {"unit": ["Value 'barrel' is not a valid choice."]}, id="unknown-unit"),
    pytest.param({"category": 999999}, {"category": ["Choose an existing category."]}, id="unknown-category"),
    pytest.param({"title": "x" * 201}, {"title": ["Ensure this field has no more than 200 characters."]},
                 id="long-title"),
    pytest.param({"certificates": [{"name": "ISO 9001", "issuer": "TUV", "valid_until": "soon"}]},
                 {"certificates.0.valid_until": [
                     "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
                 id="certificate-bad-date"),
    pytest.param({"colour": "blue"}, {"colour": CANNOT_BE_SET}, id="unknown-key"),
]

# Fields a client may never set, on create or on update.
PROTECTED = [
    pytest.param("status", "published", id="status"),
    pytest.param("currency", "USD", id="currency"),
    pytest.param("price_from", "0.01", id="price-from"),
    pytest.param("search_document", "cheap", id="search-document"),
    pytest.param("pending_changes", {"scalars": {}}, id="pending-changes"),
    pytest.param("published_at", "2020-01-01T00:00:00Z", id="published-at"),
    pytest.param("description_html", "<b>x</b>", id="description-html"),
    pytest.param("status_reason", "ok", id="status-reason"),
    pytest.param("id", 5, id="id"),
]


@pytest.mark.parametrize(("changes", "fields"), BAD_VALUES)
def test_bad_value_on_create_is_refused(as_user, owner, changes, fields):
    body = {**valid_body(), **changes}

    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, body, format="json")

    assert_error(response, 400, "validation_error", fields=fields)


@pytest.mark.parametrize(("changes", "fields"), BAD_VALUES)
def test_bad_value_on_update_of_a_draft_is_refused(as_user, owner, changes, fields, make_listing):
    listing = make_listing(moq=100, price_tiers=[{"min_quantity": 100, "unit_price": "5.00"}])

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), changes, format="json")

    assert_error(response, 400, "validation_error", fields=fields)


@pytest.mark.parametrize(("changes", "fields"), BAD_VALUES)
def test_bad_value_on_update_of_a_published_listing_is_refused(as_user, owner, changes, fields, make_listing):
    listing = make_listing(ListingStatus.PUBLISHED, moq=100,
                           price_tiers=[{"min_quantity": 100, "unit_price": "5.00"}])

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), changes, format="json")

    assert_error(response, 400, "validation_error", fields=fields)


@pytest.mark.parametrize(("changes", "fields"), [
    pytest.param({"price_tiers": []}, {"price_tiers": ["This field is required."]}, id="empty-price-tiers"),
    pytest.param({"incoterms": []}, {"incoterms": ["This field is required."]}, id="no-incoterms"),
    pytest.param({"title": None}, {"title": ["This field may not be null."]}, id="null-title"),
    pytest.param({"title": ""}, {"title": ["This field is required."]}, id="blank-title"),
    pytest.param({"certificates": [{"name": "ISO 9001"}]}, {"certificates.0.issuer": ["This field is required."]},
                 id="certificate-without-issuer"),
])
def test_required_values_on_create(as_user, owner, changes, fields):
    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, {**valid_body(), **changes}, format="json")

    assert_error(response, 400, "validation_error", fields=fields)


def test_missing_fields_on_create_are_all_named(as_user, owner):
    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, {"title": "Towel"}, format="json")

    required = ["This field is required."]
    assert_error(response, 400, "validation_error", fields={
        "category": required, "origin_country": required, "hs_code": required, "weight_kg": required,
        "incoterms": required, "price_tiers": required})


@pytest.mark.parametrize(("changes", "fields"), [
    pytest.param({"price_tiers": []}, {"price_tiers": ["Give at least one price tier."]}, id="empty-price-tiers"),
    pytest.param({"incoterms": []}, {"incoterms": ["Offer at least one Incoterm."]}, id="no-incoterms"),
    pytest.param({"title": ""}, {"title": ["This field cannot be blank."]}, id="blank-title"),
    pytest.param({"certificates": [{"name": "ISO 9001"}]},
                 {"certificates": ["Each certificate needs a name and an issuer."]}, id="certificate-without-issuer"),
])
def test_emptying_required_values_on_update(as_user, owner, draft, changes, fields):
    with assert_unchanged():
        response = as_user(owner).patch(detail_url(draft), changes, format="json")

    assert_error(response, 400, "validation_error", fields=fields)


@pytest.mark.parametrize(("field", "value"), PROTECTED)
def test_protected_field_on_create_is_refused(as_user, owner, field, value):
    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, {**valid_body(), field: value}, format="json")

    assert_error(response, 400, "validation_error", fields={field: CANNOT_BE_SET})


@pytest.mark.parametrize(("field", "value"), [*PROTECTED, pytest.param("seller", 1, id="seller")])
@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.PUBLISHED])
def test_protected_field_on_update_is_refused(as_user, owner, make_listing, field, value, status):
    listing = make_listing(status)

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), {"title": "Renamed", field: value}, format="json")

    assert_error(response, 400, "validation_error", fields={field: CANNOT_BE_SET})


def test_list_body_instead_of_an_object_is_refused(as_user, owner):
    with assert_unchanged():
        response = as_user(owner).post(LISTINGS, [valid_body()], format="json")

    assert_error(response, 400, "validation_error",
                 fields={"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})


# --- images ---------------------------------------------------------------------------------------

def images_url(listing) -> str:
    return f"{detail_url(listing)}images/"


@pytest.mark.parametrize(("upload", "message"), [
    pytest.param(lambda: image_upload("notes.png", b"just some text, not a picture"),
                 "Upload a valid image. The file is not an image or is corrupted.", id="text-named-png"),
    pytest.param(lambda: image_upload("run.exe", b"MZ\x90\x00\x03", "application/octet-stream"),
                 "Upload a valid image. The file is not an image or is corrupted.", id="executable"),
])
def test_non_image_upload_is_refused(as_user, owner, draft, upload, message):
    with assert_unchanged():
        response = as_user(owner).post(images_url(draft), {"image": upload()}, format="multipart")

    assert_error(response, 400, "validation_error", fields={"image": [message]})


def test_oversized_image_is_refused(as_user, owner, draft, settings):
    content = png_bytes(64, 64)
    settings.LOGO_MAX_BYTES = len(content) - 1

    with assert_unchanged():
        response = as_user(owner).post(images_url(draft), {"image": image_upload(content=content)},
                                       format="multipart")

    assert_error(response, 400, "validation_error", fields={"image": ["The image is larger than 0 MB."]})


def test_image_with_too_many_pixels_is_refused(as_user, owner, draft, settings):
    settings.LOGO_MAX_PIXELS = 100

    with assert_unchanged():
        response = as_user(owner).post(images_url(draft), {"image": image_upload(content=png_bytes(20, 20))},
                                       format="multipart")

    assert_error(response, 400, "validation_error", fields={"image": ["The image has too many pixels."]})


def test_image_upload_needs_exactly_one_image_field(as_user, owner, draft):
    with assert_unchanged():
        assert_error(as_user(owner).post(images_url(draft), {}, format="multipart"), 400, "validation_error",
                     fields={"image": ["No file was submitted."]})
        assert_error(as_user(owner).post(images_url(draft), {"image": image_upload(content=b"")},
                                         format="multipart"),
                     400, "validation_error", fields={"image": ["The submitted file is empty."]})
        assert_error(as_user(owner).post(images_url(draft), {"image": image_upload(), "position": "0"},
                                         format="multipart"),
                     400, "validation_error", fields={"position": CANNOT_BE_SET})
    assert ListingImage.objects.count() == 0


def test_listing_edits_are_json_only(as_user, owner, draft):
    with assert_unchanged():
        response = as_user(owner).patch(detail_url(draft), {"title": "Renamed"}, format="multipart")

    assert response.status_code == 415


# --- search parameters ----------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "fields"), [
    ({"origin_country": "XX"}, {"origin_country": ["XX is not an ISO 3166 country code."]}),
    ({"seller_country": "ZZZ"}, {"seller_country": ["ZZZ is not an ISO 3166 country code."]}),
    ({"ships_to": "QQ"}, {"ships_to": ["QQ is not an ISO 3166 country code."]}),
    ({"price_min": "cheap"}, {"price_min": ["A valid number is required."]}),
    ({"price_max": "1e999"}, {"price_max": ["Ensure that there are no more than 14 digits in total."]}),
    ({"price_min": "-1"}, {"price_min": ["Ensure this value is greater than or equal to 0."]}),
    ({"moq_max": "ten"}, {"moq_max": ["A valid integer is required."]}),
    ({"incoterm": "XYZ"}, {"incoterm": ['"XYZ" is not a valid choice.']}),
    ({"sort": "cheapest"}, {"sort": ['"cheapest" is not a valid choice.']}),
    ({"category": "999999"}, {"category": ['Invalid pk "999999" - object does not exist.']}),
    ({"category": "textiles"}, {"category": ["Incorrect type. Expected pk value, received str."]}),
    ({"verified_only": "perhaps"}, {"verified_only": ["Must be a valid boolean."]}),
])
def test_bad_search_parameter_is_400_naming_it(api_client, published, params, fields):
    response = api_client.get(LISTINGS, params)

    assert_error(response, 400, "validation_error", fields=fields)


def test_empty_search_parameters_are_ignored(api_client, published):
    response = api_client.get(LISTINGS, {"q": "", "origin_country": "", "incoterm": "", "price_min": "",
                                         "category": ""})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [published.pk]
    assert Listing.objects.count() == 1
