"""The "Did you mean" line of the search page, on every database
(marketplace.selectors.listing_search_suggestion)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import VerificationStatus
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import ListingFactory, PublishedListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def towels():
    seller = CompanyFactory(legal_name="Anatolia Textiles", verification_status=VerificationStatus.VERIFIED)
    return [PublishedListingFactory(seller=seller, title="Cotton bath towel", origin_country="TR"),
            PublishedListingFactory(seller=seller, title="Linen tea towel", origin_country="PT")]


def test_a_misspelt_search_offers_the_corrected_one_with_the_same_filters(client, towels):
    response = client.get("/listings/?q=cotton+towl&origin_country=TR&sort=newest&page=1")

    assert response.status_code == 200
    assert response.context["did_you_mean"] == "cotton towel"
    assertContains(response, '<p class="did-you-mean" id="did-you-mean">Did you mean '
                             '<a href="/listings/?q=cotton+towel&amp;origin_country=TR&amp;sort=newest">'
                             'cotton towel</a>?</p>', html=True)
    assert [listing.pk for listing in response.context["page"].object_list] == [towels[0].pk]


def test_the_corrected_search_offers_nothing_more(client, towels):
    response = client.get("/listings/?q=cotton+towel&origin_country=TR&sort=newest")

    assert "did_you_mean" not in response.context
    assertNotContains(response, 'id="did-you-mean"')
    assert [listing.pk for listing in response.context["page"].object_list] == [towels[0].pk]


def test_a_category_page_keeps_its_address(client, towels):
    response = client.get("/categories/textiles/?q=towl")

    assertContains(response, '<a href="/categories/textiles/?q=towel">towel</a>', html=True)


def test_the_suggestion_is_escaped(client, towels):
    response = client.get('/listings/?q=towl+"><script>')

    assertNotContains(response, "<script>", html=False)


def test_nothing_is_offered_without_text_or_from_a_draft(client, towels):
    ListingFactory(title="Zanzibar spice blend")  # a draft
    assertNotContains(client.get("/listings/"), 'id="did-you-mean"')
    assertNotContains(client.get("/listings/?q=zanzibr"), 'id="did-you-mean"')


def test_a_misspelt_search_page_costs_the_same_whatever_the_number_of_results(client, towels):
    def page_queries() -> int:
        client.get("/listings/?q=towl")  # new titles are read into the typo vocabulary once
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/listings/?q=towl")
        assert response.context["did_you_mean"] == "towel"
        return len(captured)

    few = page_queries()
    for number in range(30):
        PublishedListingFactory(seller=towels[0].seller, title=f"Terry towel {number}")
    assert page_queries() == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the relevance candidates are PostgreSQL's")
def test_a_search_that_found_every_word_as_written_asks_nothing_more_for_a_suggestion(client, towels):
    def searches(q: str) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/listings/?q={q}")
        assert response.status_code == 200
        return [query["sql"] for query in captured.captured_queries if "search_vector" in query["sql"]]

    # "cotton towel" is found as written: the candidates are the only read of the documents.
    assert len(searches("cotton+towel")) == 1
    # "cotton towl": nothing as written, so the forgiving search runs, and the suggestion looks up
    # whether each word is in the catalogue (strict candidates, forgiving ones, then one per word).
    assert len(searches("cotton+towl")) == 4
    # Found as written only outside the filters: the suggestion still reads the whole catalogue and
    # finds no misspelt word.
    response = client.get("/listings/?q=linen&origin_country=TR")
    assert "did_you_mean" not in response.context
    assert list(response.context["page"].object_list) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the relevance candidates are PostgreSQL's")
def test_a_misspelt_search_reuses_what_its_search_read_for_the_suggestion(client, towels):
    def reads(address: str) -> tuple[int, int, str | None]:
        client.get(address)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        sqls = [query["sql"] for query in captured.captured_queries]
        return (sum("search_vector" in sql for sql in sqls), sum("marketplace_title_word" in sql for sql in sqls),
                response.context.get("did_you_mean"))

    # One word over the whole catalogue: the strict search found no public listing holding it, and
    # the forgiving one read its closest title word: the suggestion reads nothing more.
    assert reads("/listings/?q=towl") == (2, 1, "towel")
    # With a filter the strict search says nothing about the rest of the catalogue: whether the word
    # is in it is looked up; its closest title word is still known.
    assert reads("/listings/?q=towl&origin_country=PT") == (3, 1, "towel")
    # A word that is in the catalogue, but not among the filtered listings, is not "corrected".
    assert reads("/listings/?q=linen&origin_country=TR")[2] is None


def test_search_params_know_whether_a_filter_narrows_the_listings():
    from decimal import Decimal

    from marketplace.selectors import SearchParams

    assert not SearchParams().has_filters()
    assert not SearchParams(q="towel", sort="newest").has_filters()
    assert SearchParams(origin_country="TR").has_filters()
    assert SearchParams(price_min=Decimal("0")).has_filters()
    assert SearchParams(verified_only=True).has_filters()
    assert SearchParams(rating_min=4).has_filters()
