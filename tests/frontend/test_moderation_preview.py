"""The listing moderation queue shows each listing with its pictures and, for an edit of a published
listing, what the edit changes field by field, in a number of queries that does not grow with the queue."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from accounts.models import VerificationStatus
from marketplace import selectors, services
from marketplace.models import Category, ListingImage
from marketplace.selectors import FieldChange
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seller():
    return CompanyFactory(legal_name="Anatolia Textiles", country="TR", default_currency="TRY",
                          verification_status=VerificationStatus.VERIFIED)


@pytest.fixture
def owner(seller):
    return MembershipFactory(company=seller).user


def _picture(listing) -> ListingImage:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (31, 111, 139)).save(buffer, format="PNG")
    return ListingImage.objects.create(listing=listing, image=ContentFile(buffer.getvalue(), name="towel.png"))


def _edited(seller, owner, title="Cotton towel"):
    listing = PublishedListingFactory(seller=seller, actor=owner, title=title, moq=10, weight_kg=Decimal("0.500"),
                                      incoterms=["EXW", "FOB"], unit_price="5.00")
    services.listing_update(listing=listing, actor=owner, data={
        "title": f"Organic {title.lower()}",
        "category": Category.objects.get(path="textiles/fabrics").pk,
        "weight_kg": "0.5",  # the same weight written differently: no change
        "incoterms": ["FOB", "DAP"],
        "price_tiers": [{"min_quantity": 10, "unit_price": "4.80"}, {"min_quantity": 100, "unit_price": "4.20"}],
        "ships_to_mode": "only", "ships_to_countries": ["DE", "FR"],
    })
    listing.refresh_from_db()
    return listing


def test_the_diff_lists_each_changed_field_old_and_new(seller, owner):
    listing = _edited(seller, owner)

    assert selectors.listing_pending_diff(listing) == [
        FieldChange("title", "Title", "Cotton towel", "Organic cotton towel"),
        FieldChange("category", "Category", "Home textiles", "Fabrics"),
        FieldChange("incoterms", "Incoterms", "EXW – Ex Works, FOB – Free on Board",
                    "DAP – Delivered at Place, FOB – Free on Board"),
        FieldChange("price_tiers", "Price tiers", "from 10: 5.00 TRY",
                    "from 10: 4.80 TRY; from 100: 4.20 TRY"),
        FieldChange("ships_to_mode", "Ships to", "All countries except the listed ones", "Only the listed countries"),
        FieldChange("ships_to_countries", "Countries", "—", "Germany, France"),
    ]


def test_a_listing_without_waiting_changes_has_no_diff(seller, owner):
    assert selectors.listing_pending_diff(PublishedListingFactory(seller=seller, actor=owner)) == []


def test_the_queue_shows_pictures_with_alt_text_and_the_diff(client_as, moderator, seller, owner):
    listing = _edited(seller, owner)
    _picture(listing)
    _picture(listing)
    submitted = ListingFactory(seller=seller, actor=owner, title="Linen sheet")
    services.listing_submit(listing=submitted, actor=owner)

    page = client_as(moderator).get("/moderation/listings/").content.decode()

    assert page.count('alt="Cotton towel, picture ') == 2
    assert 'alt="Cotton towel, picture 2" width="96" height="72" loading="lazy">' in page
    assert f'<table class="table moderation-diff" id="changes-{listing.pk}">' in page
    assert ('<tr class="diff-title"><th scope="row">Title</th><td class="diff-old"><del>Cotton towel</del></td>'
            '<td class="diff-new"><ins>Organic cotton towel</ins></td></tr>') in page
    assert ('<td class="diff-old"><del>from 10: 5.00 TRY</del></td>'
            '<td class="diff-new"><ins>from 10: 4.80 TRY; from 100: 4.20 TRY</ins></td>') in page
    assert f'id="changes-{submitted.pk}"' not in page
    preview = page.split(f'id="preview-{submitted.pk}"', 1)[1].split("</div>", 1)[0]
    assert "No picture yet" in preview


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/moderation/listings/")
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_pictures_and_edits(client_as, moderator, seller, owner):
    client = client_as(moderator)
    _picture(_edited(seller, owner, title="Towel 0"))
    _page_queries(client)
    with_one = _page_queries(client)
    for number in range(1, 8):
        listing = _edited(seller, owner, title=f"Towel {number}")
        _picture(listing)
        _picture(listing)

    with_eight = _page_queries(client)

    assert with_eight == with_one
    response = client.get("/moderation/listings/")
    assert [len(row.changes) for row in response.context["rows"]] == [6] * 8
