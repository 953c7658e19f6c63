"""The catalogue counts its matches up to a cap: past it, the page says "more than" and pages stop there."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import VerificationStatus
from core.pagination import CappedPaginator
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def towels():
    """60 published towels, newest last."""
    seller = CompanyFactory(verification_status=VerificationStatus.VERIFIED)
    start = timezone.now() - timedelta(days=90)
    return [PublishedListingFactory(seller=seller, title=f"Towel {number:02d}",
                                    published_at=start + timedelta(hours=number)) for number in range(60)]


@pytest.fixture
def cap_of_30(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 30)


def titles(response) -> list[str]:
    return [listing.title for listing in response.context["page"].object_list]


def test_more_matches_than_the_cap_are_shown_as_more_than_the_cap(client, towels, cap_of_30):
    first = client.get("/listings/?q=towel&sort=newest")

    assertContains(first, '<p class="result-count" id="result-count">More than 30 listings</p>', html=True)
    assertContains(first, "<span>Page 1</span>", html=True)
    assertNotContains(first, "Page 1 of")
    assertContains(first, '<a rel="next" href="?q=towel&amp;sort=newest&amp;page=2">Next</a>', html=True)
    assertNotContains(first, 'id="results-capped"')


def test_pages_end_at_the_cap_and_say_how_to_find_the_others(client, towels, cap_of_30):
    last = client.get("/listings/?q=towel&sort=newest&page=2")

    assert titles(last) == [f"Towel {n:02d}" for n in range(35, 29, -1)]
    assertNotContains(last, 'rel="next"')
    assertContains(last, '<p class="notice" id="results-capped">These are the first 30. Add a word or a filter '
                         'to find the others.</p>', html=True)
    # a page past the cap is the last page within it, not a deep OFFSET
    assert titles(client.get("/listings/?q=towel&sort=newest&page=3")) == titles(last)
    assert titles(client.get("/listings/?q=towel&sort=newest&page=999999")) == titles(last)


def test_as_many_matches_as_the_cap_are_counted_exactly(client, towels, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "count_cap", 60)

    response = client.get("/listings/?q=towel")

    assertContains(response, '<p class="result-count" id="result-count">60 listings</p>', html=True)
    assertContains(response, "Page 1 of 3")
    assertNotContains(response, 'id="results-capped"')


def test_a_category_page_is_capped_too(client, towels, cap_of_30):
    response = client.get("/categories/textiles/")

    assertContains(response, '<p class="result-count" id="result-count">More than 30 listings</p>', html=True)


def test_the_count_reads_at_most_one_row_past_the_cap_without_sorting(client, towels, cap_of_30):
    with CaptureQueriesContext(connection) as captured:
        client.get("/listings/?q=towel&sort=price_asc")

    counts = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 31" in counts[0]
    assert "ORDER BY" not in counts[0].upper()


def test_the_capped_page_makes_as_many_queries_as_a_short_one(client, towels, cap_of_30):
    with CaptureQueriesContext(connection) as capped:
        client.get("/listings/?q=towel")
    with CaptureQueriesContext(connection) as short:
        client.get("/listings/?q=towel+00")

    assert len(capped) == len(short)
