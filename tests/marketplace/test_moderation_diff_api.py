"""The moderation queue of the API carries the same field-by-field changes as the page."""
from __future__ import annotations

import pytest

from tests.frontend.test_moderation_preview import _edited, _media_root, owner, seller  # noqa: F401

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/listings/"


def test_the_queue_rows_carry_the_changes(as_user, moderator, seller, owner):  # noqa: F811
    listing = _edited(seller, owner)

    body = as_user(moderator).get(QUEUE, {"kind": "changes"}).json()

    [row] = body["results"]
    assert row["id"] == listing.pk
    assert row["changes"][:2] == [
        {"field": "title", "label": "Title", "old": "Cotton towel", "new": "Organic cotton towel"},
        {"field": "category", "label": "Category", "old": "Home textiles", "new": "Fabrics"}]
    assert [change["field"] for change in row["changes"]] == [
        "title", "category", "incoterms", "price_tiers", "ships_to_mode", "ships_to_countries"]


def test_a_new_submission_has_no_changes(as_user, moderator, seller, owner):  # noqa: F811
    from marketplace import services
    from tests.factories.marketplace import ListingFactory

    listing = ListingFactory(seller=seller, actor=owner)
    services.listing_submit(listing=listing, actor=owner)

    [row] = as_user(moderator).get(QUEUE).json()["results"]
    assert (row["id"], row["changes"]) == (listing.pk, [])
