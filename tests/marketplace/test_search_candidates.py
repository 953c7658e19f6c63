"""A search sorted by relevance on PostgreSQL reads its newest candidates once
(marketplace.search.RankedCandidates): the capped count takes their number and the page reads
them by pk, so a common word walks the listings once per request."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import VerificationStatus
from core.pagination import CappedPaginator
from marketplace import search
from marketplace.selectors import SearchParams, listing_card_page_rows, listing_card_rows, listing_search
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL candidates")]


@pytest.fixture
def towels():
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    return [PublishedListingFactory(seller=seller, title=f"Cotton towel {number}") for number in range(5)]


def page_of(params: SearchParams, per_page: int = 2):
    page = CappedPaginator(listing_card_rows(listing_search(params=params)), per_page).get_page(1)
    return page, listing_card_page_rows(page.object_list)


@pytest.mark.parametrize("text", ["cotton", "cottn"])
def test_the_candidates_are_read_once_and_counted_without_a_query(towels, text):
    with CaptureQueriesContext(connection) as captured:
        page, rows = page_of(SearchParams(q=text))
    sqls = [query["sql"] for query in captured.captured_queries]
    assert page.paginator.count == 5 and len(rows) == 2
    assert not any(sql.startswith("SELECT COUNT(*)") for sql in sqls)
    # The stored vectors are read by the candidates' query alone (two for a misspelt word: the
    # strict one that finds nothing, then the forgiving one); the page reads the candidates by pk.
    assert len([sql for sql in sqls if "search_vector" in sql]) == (1 if text == "cotton" else 2)
    assert "= ANY(" in sqls[-1] and "search_vector" not in sqls[-1]


@pytest.mark.parametrize("text", ["cotton", "cottn"])
def test_every_page_has_the_rows_and_order_of_every_match_ranked(towels, text):
    PublishedListingFactory(seller=towels[0].seller, title="Bath towel", description="Soft cotton.")
    ranked = search.postgresql_text_search(listing_search(params=SearchParams()), text, by_relevance=False)
    expected = [row.pk for row in ranked.order_by(*search.RELEVANCE_ORDER)]
    assert len(expected) == 6 and expected[-1] not in {towel.pk for towel in towels}  # title first
    paginator = CappedPaginator(listing_card_rows(listing_search(params=SearchParams(q=text))), 4)
    with CaptureQueriesContext(connection) as captured:
        second = listing_card_page_rows(paginator.page(2).object_list)
    # The second page (rows 5 and 6) reads the candidates up to its end in the page's order.
    assert captured.captured_queries[-1]["sql"].count(",") >= 6
    assert [row.pk for row in listing_card_page_rows(paginator.page(1).object_list)] + [
        row.pk for row in second] == expected


def test_a_list_filtered_further_is_counted_by_a_query(towels):
    listings = listing_search(params=SearchParams(q="cotton")).exclude(pk=towels[0].pk)
    with CaptureQueriesContext(connection) as captured:
        assert CappedPaginator(listings, 2).count == 4
    assert captured.captured_queries[-1]["sql"].startswith("SELECT COUNT(*)")
