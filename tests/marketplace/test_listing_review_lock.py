"""A listing under review keeps the text the moderator reads: no edit in place, only its stock moves."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.exceptions import Conflict
from marketplace import services
from marketplace.models import Listing
from marketplace.models import ListingStatus as S
from tests.core.helpers import assert_error
from tests.marketplace.conftest import assert_unchanged, detail_url

UNDER_REVIEW = ("This listing is under review and cannot be edited until a moderator decides. "
                "Only its stock can change meanwhile.")


@pytest.mark.parametrize("body", [
    {"title": "Swapped after submission"},
    {"description": "Another text entirely."},
    {"price_tiers": [{"min_quantity": 10, "unit_price": "1.00"}]},
    {"incoterms": ["CIF"]},
    {"title": "Swapped", "stock": 5},
])
def test_editing_a_listing_under_review_is_refused_and_changes_nothing(as_user, make_listing, owner, body):
    listing = make_listing(S.PENDING_REVIEW, title="What the moderator reads")

    with assert_unchanged():
        response = as_user(owner).patch(detail_url(listing), body, format="json")

    assert_error(response, 409, "under_review", message=UNDER_REVIEW)
    listing.refresh_from_db()
    assert (listing.title, listing.status, listing.pending_changes, listing.stock) == (
        "What the moderator reads", S.PENDING_REVIEW, None, 1000)


def test_the_stock_of_a_listing_under_review_still_changes(as_user, make_listing, owner):
    listing = make_listing(S.PENDING_REVIEW, title="What the moderator reads")

    response = as_user(owner).patch(detail_url(listing), {"stock": 7}, format="json")

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.title, listing.stock, listing.status, listing.price_from) == (
        "What the moderator reads", 7, S.PENDING_REVIEW, Decimal("5.00"))


def test_the_moderator_publishes_exactly_what_was_submitted(as_user, make_listing, owner, moderator):
    listing = make_listing(S.DRAFT, title="Original title")
    services.listing_submit(listing=listing, actor=owner)

    with pytest.raises(Conflict) as exc:
        services.listing_update(listing=listing, actor=owner, data={"title": "Bait and switch"})
    services.listing_approve(listing=listing, actor=moderator)

    assert exc.value.code == "under_review"
    published = Listing.objects.get(pk=listing.pk)
    assert (published.title, published.status) == ("Original title", S.PUBLISHED)


def test_after_changes_are_requested_the_seller_edits_in_place_again(as_user, make_listing, owner, moderator):
    listing = make_listing(S.PENDING_REVIEW, title="Original title")
    services.listing_request_changes(listing=listing, actor=moderator, reason="Add the weight")

    updated = services.listing_update(listing=Listing.objects.get(pk=listing.pk), actor=owner,
                                      data={"title": "Better title"})

    assert (updated.title, updated.status) == ("Better title", S.CHANGES_REQUESTED)
