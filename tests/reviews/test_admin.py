"""The review tables in the Django admin: pages load and nothing can be added, changed or deleted
there (the services write them)."""
from __future__ import annotations

import pytest

from reviews import services
from tests.reviews.helpers import post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["review", "reviewreport", "reviewdecision", "sellerrating"])
def test_the_review_admin_pages_load_read_only(client, admin_user, world, completed, model):
    review = post(world, completed)
    services.review_report(actor=world.other_owner, review=review, reason="Fake")
    services.review_hide(actor=world.moderator, review_id=review.pk, reason="Spam")
    client.force_login(admin_user)

    listing = client.get(f"/admin/reviews/{model}/")

    assert listing.status_code == 200
    assert len(listing.context["cl"].result_list) == 1
    row = listing.context["cl"].result_list[0]
    detail = client.get(f"/admin/reviews/{model}/{row.pk}/change/")
    assert detail.status_code == 200
    assert client.get(f"/admin/reviews/{model}/add/").status_code == 403
    assert client.post(f"/admin/reviews/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
