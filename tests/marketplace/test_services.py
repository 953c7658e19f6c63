"""Catalogue services used by the API: creating for the actor's company, images, and the rules
around changes that wait for review."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from PIL import Image

from core.exceptions import ApplicationError, Conflict, Forbidden
from marketplace import services
from marketplace.models import Listing, ListingImage, ListingStatus
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.marketplace.conftest import assert_unchanged, image_upload, valid_body

pytestmark = pytest.mark.django_db

TAG_MESSAGE = "HTML tags and scripts are not allowed in this field."


# --- listing_create_for_actor ---------------------------------------------------------------------

def test_create_for_actor_uses_the_first_company_joined(seller, owner, other_seller):
    MembershipFactory(company=other_seller, user=owner)

    listing = services.listing_create_for_actor(actor=owner, data=valid_body())

    assert (listing.seller, listing.currency, listing.status) == (seller, "TRY", ListingStatus.DRAFT)


def test_create_for_actor_uses_the_named_company(seller, owner, other_seller):
    MembershipFactory(company=other_seller, user=owner)

    listing = services.listing_create_for_actor(actor=owner, data=valid_body(), seller_id=other_seller.pk)

    assert (listing.seller, listing.currency) == (other_seller, "CNY")


@pytest.mark.parametrize("seller_id", ["other", 999999, None])
def test_create_for_actor_refuses_a_company_of_others(seller, owner, other_seller, seller_id):
    actor = UserFactory() if seller_id is None else owner
    seller_id = other_seller.pk if seller_id == "other" else seller_id

    with assert_unchanged(), pytest.raises(Forbidden) as exc:
        services.listing_create_for_actor(actor=actor, data=valid_body(), seller_id=seller_id)

    assert exc.value.message == "Only members of the selling company can do that."


# --- images ---------------------------------------------------------------------------------------

def test_images_are_appended_in_order(draft, owner):
    first = services.listing_image_add(listing=draft, actor=owner, image=image_upload("a.png"))
    second = services.listing_image_add(listing=draft, actor=owner, image=image_upload("b.jpg"))
    services.listing_image_delete(image=first, actor=owner)
    third = services.listing_image_add(listing=draft, actor=owner, image=image_upload("c.png"))

    assert list(ListingImage.objects.order_by("position").values_list("pk", "position")) == [
        (second.pk, 1), (third.pk, 2)]
    # b.jpg holds a PNG: the stored extension is that of the decoded content, not of the upload's name.
    assert second.image.name.startswith(f"listings/{draft.pk}/") and second.image.name.endswith(".png")


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED, ListingStatus.SUSPENDED])
def test_images_change_while_the_listing_is_not_live(make_listing, owner, status):
    listing = make_listing(status)

    image = services.listing_image_add(listing=listing, actor=owner, image=image_upload())

    assert ListingImage.objects.get().pk == image.pk


@pytest.mark.parametrize("status", [ListingStatus.PUBLISHED, ListingStatus.REJECTED, ListingStatus.ARCHIVED,
                                    ListingStatus.PENDING_REVIEW])
def test_images_do_not_change_on_a_live_or_closed_listing(make_listing, owner, status):
    listing = make_listing(status)
    image = ListingImage.objects.create(listing=listing, image="listings/x.png")

    with assert_unchanged():
        with pytest.raises(Conflict) as exc:
            services.listing_image_add(listing=listing, actor=owner, image=image_upload())
        assert (exc.value.code, exc.value.message) == (
            "not_editable", f"The images of a {ListingStatus(status).label} listing cannot be changed.")
        with pytest.raises(Conflict):
            services.listing_image_delete(image=image, actor=owner)


def test_images_are_for_members_only(draft, other_owner, moderator):
    image = ListingImage.objects.create(listing=draft, image="listings/x.png")

    with assert_unchanged():
        for actor in (other_owner, moderator):
            with pytest.raises(Forbidden):
                services.listing_image_add(listing=draft, actor=actor, image=image_upload())
            with pytest.raises(Forbidden):
                services.listing_image_delete(image=image, actor=actor)


def test_image_content_is_checked(draft, owner):
    with assert_unchanged(), pytest.raises(ApplicationError) as exc:
        services.listing_image_add(listing=draft, actor=owner, image=image_upload("x.png", b"GIF89a not really"))

    assert exc.value.fields == {"image": ["Upload a valid image. The file is not an image or is corrupted."]}


def test_a_real_gif_is_accepted_as_a_png_of_its_first_frame(draft, owner):
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, format="GIF")
    image = services.listing_image_add(listing=draft, actor=owner, image=image_upload("a.gif", buffer.getvalue(),
                                                                                         "image/gif"))

    assert image.image.name.endswith(".png")
    with image.image.open("rb") as handle, Image.open(handle) as stored:
        assert (stored.format, stored.size) == ("PNG", (4, 4))


# --- rules fixed while building the API -----------------------------------------------------------

def test_certificate_with_markup_is_refused_when_a_published_listing_is_edited(published, owner):
    """Held changes are checked when they are made, not only when a moderator approves them."""
    with assert_unchanged(), pytest.raises(ApplicationError) as exc:
        services.listing_update(listing=published, actor=owner, data={"certificates": [
            {"name": "<script>alert(1)</script>", "issuer": "TUV"}]})

    assert exc.value.fields == {"certificates": [TAG_MESSAGE]}


def test_valid_certificate_change_of_a_published_listing_waits_then_applies(published, owner, moderator):
    services.listing_update(listing=published, actor=owner, data={"certificates": [
        {"name": "ISO 9001", "issuer": "TUV", "valid_until": "2028-01-31"}]})
    assert published.certificates.count() == 0

    services.listing_approve(listing=Listing.objects.get(pk=published.pk), actor=moderator)

    assert list(published.certificates.values_list("name", "issuer", "number")) == [("ISO 9001", "TUV", "")]


@pytest.mark.parametrize(("price", "message"), [
    ("4.005", "Ensure that there are no more than 2 decimal places."),
    ("123456789012345", "Ensure that there are no more than 14 digits in total."),
])
@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.PUBLISHED])
def test_price_tier_is_checked_against_its_column(make_listing, owner, price, message, status):
    listing = make_listing(status, moq=100)

    with assert_unchanged(), pytest.raises(ApplicationError) as exc:
        services.listing_update(listing=listing, actor=owner, data={"price_tiers": [
            {"min_quantity": 100, "unit_price": price}]})

    assert exc.value.fields == {"price_tiers": [message]}


def test_price_tier_quantity_is_checked_against_its_column(draft, owner):
    """Beyond the integer column of the database in use (32 bits on PostgreSQL, 64 on SQLite)."""
    too_many = connection.ops.integer_field_range("PositiveIntegerField")[1] + 1

    with assert_unchanged(), pytest.raises(ApplicationError) as exc:
        services.listing_update(listing=draft, actor=owner, data={"moq": 1, "price_tiers": [
            {"min_quantity": 1, "unit_price": "5.00"}, {"min_quantity": too_many, "unit_price": "4.00"}]})

    assert exc.value.fields == {"price_tiers": [f"Ensure this value is less than or equal to {too_many - 1}."]}


def test_suspension_discards_the_changes_waiting_for_review(published, owner, moderator):
    services.listing_update(listing=published, actor=owner, data={"title": "Held back"})

    services.listing_suspend(listing=published, actor=moderator, reason="Check the origin")

    listing = Listing.objects.get(pk=published.pk)
    assert (listing.status, listing.title, listing.pending_changes, listing.pending_changes_at) == (
        ListingStatus.SUSPENDED, "Linen tablecloth", None, None)


def test_bulk_approve_keeps_going_after_a_refusal(make_listing, moderator):
    draft = make_listing(ListingStatus.DRAFT)
    pending = make_listing(ListingStatus.PENDING_REVIEW)

    outcome = services.listing_bulk_approve(listing_ids=[draft.pk, pending.pk, 424242], actor=moderator)

    assert outcome == {draft.pk: "A listing cannot go from draft to published.", pending.pk: "ok",
                       424242: "Not found."}
    assert Listing.objects.get(pk=pending.pk).price_from == Decimal("5.00")
