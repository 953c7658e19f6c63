"""The public listing API counts its matches up to a cap and says when there are more."""
from __future__ import annotations

import pytest

from accounts.models import VerificationStatus
from core.pagination import CappedPaginator
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/listings/"


@pytest.fixture
def towels(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 5)
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    return [PublishedListingFactory(seller=seller, title=f"Towel {number}") for number in range(7)]


def test_the_count_stops_at_the_cap(api_client, towels):
    body = api_client.get(LISTINGS, {"page_size": 2}).json()

    assert (body["count"], body["count_capped"], len(body["results"])) == (5, True, 2)


def test_the_pages_end_at_the_cap(api_client, towels):
    last = api_client.get(LISTINGS, {"page_size": 2, "page": 3})

    assert (len(last.json()["results"]), last.json()["next"]) == (1, None)
    assert api_client.get(LISTINGS, {"page_size": 2, "page": 4}).status_code == 404


def test_fewer_matches_than_the_cap_are_counted_exactly(api_client, towels):
    body = api_client.get(LISTINGS, {"q": "towel 3"}).json()

    assert (body["count"], body["count_capped"]) == (1, False)


def test_a_sellers_own_list_keeps_its_exact_count(as_user, make_listing, owner, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 2)
    for number in range(3):
        make_listing(title=f"Draft {number}")

    body = as_user(owner).get(f"{LISTINGS}mine/").json()

    assert body["count"] == 3
    assert "count_capped" not in body


def test_the_schema_documents_count_capped(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()

    page = schema["components"]["schemas"]["ListingSearchPage"]
    assert page["properties"]["count_capped"]["type"] == "boolean"
