"""The listing list and the moderation queue read a page in a fixed number of queries, however many
rows it holds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User, VerificationStatus
from marketplace.models import Listing, ListingIncoterm, ListingReport, ListingStatus, PriceTier
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.marketplace.conftest import LISTINGS, ship_to

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/listings/"


def clone(template: Listing, count: int, *, status: str, sellers: list) -> list[Listing]:
    """`count` copies of a listing with its price tiers and Incoterms, written in a few bulk inserts
    and spread over several sellers so the page joins several companies."""
    now = timezone.now()
    copies = []
    for n in range(count):
        copy = Listing.objects.get(pk=template.pk)
        copy.pk = None
        copy.title = f"{template.title} {n}"
        copy.seller = sellers[n % len(sellers)]
        copy.status = status
        copy.published_at = now - timedelta(minutes=n + 1) if status == ListingStatus.PUBLISHED else None
        copy.status_changed_at = now - timedelta(minutes=n + 1)
        copies.append(copy)
    created = Listing.objects.bulk_create(copies)
    tiers = list(template.price_tiers.all())
    PriceTier.objects.bulk_create(PriceTier(listing=listing, min_quantity=tier.min_quantity,
                                            unit_price=tier.unit_price) for listing in created for tier in tiers)
    terms = list(template.incoterm_rows.values_list("incoterm", flat=True))
    ListingIncoterm.objects.bulk_create(ListingIncoterm(listing=listing, incoterm=term)
                                        for listing in created for term in terms)
    return created


def queries_of(client, url: str, params: dict) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(context.captured_queries), response.json()


@pytest.fixture
def sellers(seller, other_seller):
    companies = [seller, other_seller, CompanyFactory(legal_name="Delta Foods", country="KE",
                                                      verification_status=VerificationStatus.VERIFIED)]
    for company in companies:
        ship_to(company, ["DE"])
    return companies


@pytest.mark.parametrize("params", [{}, {"sort": "price_asc"}, {"incoterm": "FOB", "ships_to": "DE"},
                                    {"q": "Towel", "verified_only": "true"}])
def test_listing_list_queries_do_not_grow_with_the_page(api_client, make_listing, sellers, params):
    template = make_listing(ListingStatus.PUBLISHED, title="Towel", moq=10,
                            price_tiers=[{"min_quantity": 10, "unit_price": "5.00"},
                                         {"min_quantity": 100, "unit_price": "4.00"}])
    query = {**params, "page_size": 50}

    one, body = queries_of(api_client, LISTINGS, query)
    assert body["count"] == 1
    clone(template, 49, status=ListingStatus.PUBLISHED, sellers=sellers)
    fifty, body = queries_of(api_client, LISTINGS, query)

    assert (body["count"], len(body["results"])) == (50, 50)
    assert all(len(row["price_tiers"]) == 2 and row["incoterms"] == ["EXW", "FOB"] for row in body["results"])
    assert fifty == one


def test_moderation_queue_queries_do_not_grow_with_the_page(as_user, make_listing, owner, sellers, moderator):
    template = make_listing(ListingStatus.PENDING_REVIEW, title="Towel")
    published = make_listing(ListingStatus.PUBLISHED, title="Reported towel")
    reporter = MembershipFactory().user
    ListingReport.objects.create(listing=published, reporter=reporter, reason="Fake")
    Listing.objects.filter(pk=published.pk).update(pending_changes={"scalars": {"moq": 20}},
                                                   pending_changes_at=timezone.now())

    def measure() -> tuple[int, dict]:
        # A fresh user object, so the moderator check is not served from a previous request's cache.
        return queries_of(as_user(User.objects.get(pk=moderator.pk)), QUEUE, {"page_size": 50})

    one, body = measure()
    assert body["count"] == 2
    copies = clone(template, 48, status=ListingStatus.PENDING_REVIEW, sellers=sellers)
    ListingReport.objects.bulk_create(ListingReport(listing=listing, reporter=reporter, reason="Odd")
                                      for listing in copies[:10])
    fifty, body = measure()

    assert (body["count"], len(body["results"])) == (50, 50)
    assert [row["open_reports"] for row in body["results"] if row["id"] == published.pk] == [1]
    assert fifty == one
