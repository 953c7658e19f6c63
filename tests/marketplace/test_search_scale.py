"""PostgreSQL search at scale: documents are matched by their stored vectors (migration 0012), and a
page sorted by relevance ranks only the newest matches (search.RANKED_CANDIDATES), while a page sorted
otherwise reads every match in its own order."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import VerificationStatus
from core.pagination import COUNT_CAP, CappedPaginator
from marketplace import search
from marketplace.models import Listing
from marketplace.selectors import SearchParams, listing_search
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text search")]


def found(**params) -> list[int]:
    return [listing.pk for listing in listing_search(params=SearchParams(**params))]


@pytest.fixture
def three_cotton_listings():
    """The oldest names cotton in its title; the two newer ones only in their descriptions."""
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    now = timezone.now()
    in_title = PublishedListingFactory(seller=seller, title="Cotton bath towel", unit_price="3.00",
                                       published_at=now - timedelta(days=3))
    older = PublishedListingFactory(seller=seller, title="Bathrobe", description="Soft cotton.", unit_price="2.00",
                                    published_at=now - timedelta(days=2))
    newest = PublishedListingFactory(seller=seller, title="Hand towel", description="Cotton loops.",
                                     unit_price="1.00", published_at=now - timedelta(days=1))
    return in_title, older, newest


def test_every_match_is_ranked_when_there_are_fewer_than_the_candidates(three_cotton_listings):
    in_title, older, newest = three_cotton_listings
    assert search.RANKED_CANDIDATES == COUNT_CAP + 1
    assert found(q="cotton") == [in_title.pk, newest.pk, older.pk]


@pytest.mark.parametrize("word", ["cotton", "cottn"])
def test_relevance_ranks_only_the_newest_candidates(three_cotton_listings, monkeypatch, word):
    """As written or misspelt: the candidates are the newest matches."""
    in_title, older, newest = three_cotton_listings
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    assert found(q=word) == [newest.pk, older.pk]
    # A title match among the candidates still ranks first.
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 3)
    assert found(q=word) == [in_title.pk, newest.pk, older.pk]


def test_another_sort_reads_every_match(three_cotton_listings, monkeypatch):
    in_title, older, newest = three_cotton_listings
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 1)
    assert found(q="cotton", sort="price_desc") == [in_title.pk, older.pk, newest.pk]
    assert found(q="cottn", sort="newest") == [newest.pk, older.pk, in_title.pk]


def test_the_page_still_says_there_are_more_than_it_ranks(three_cotton_listings, monkeypatch):
    monkeypatch.setattr(search, "RANKED_CANDIDATES", 3)
    paginator = CappedPaginator(listing_search(params=SearchParams(q="cotton")), 24, count_cap=2)
    assert (paginator.count, paginator.count_capped) == (2, True)


def test_the_stored_vector_follows_the_document(three_cotton_listings):
    in_title, _, _ = three_cotton_listings
    Listing.objects.filter(pk=in_title.pk).update(search_document="Zebra print linen\nHome textiles")
    assert found(q="zebra") == [in_title.pk]
    assert found(q="linens") == [in_title.pk]  # its English stem, stored too
    assert in_title.pk not in found(q="cotton")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector = to_tsvector('sme_simple', search_document)"
                       " || to_tsvector('english', search_document) || to_tsvector('turkish', search_document)"
                       " FROM marketplace_listing WHERE id = %s", [in_title.pk])
        assert cursor.fetchone() == (True,)
