"""The figures on the listing page, the listing cards of browse and the company page: stored, loaded
with the seller, so the pages make the same number of queries with or without them; and the browse
filters and sorts by them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from accounts.models import VerificationStatus
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory
from tests.marketplace.conftest import ship_to
from trust.models import Answer
from trust.services import _performance, figures_compute

from .helpers import NOW

pytestmark = pytest.mark.django_db


def measured(seller, *, accept_hours: list[float], shipped_on_time: int = 0, shipped_late: int = 0):
    """Stores figures computed from made-up records: one accepted order per value of `accept_hours`,
    of which the first shipped on time, the next late."""
    records = []
    for index, hours in enumerate(accept_hours):
        shipped = index < shipped_on_time + shipped_late
        ship_by = NOW - timedelta(days=1)
        records.append({"seller_id": seller.pk, "placed_at": NOW - timedelta(days=3), "answer": Answer.ACCEPTED,
                        "hours_to_accept": hours, "cancelled_by": "", "delivered": False, "disputed": False,
                        "resolved": False, "refunded": False, "ship_by": ship_by if shipped else None,
                        "shipped_at": (ship_by - timedelta(hours=1) if index < shipped_on_time
                                       else ship_by + timedelta(hours=1)) if shipped else None})
    performance = _performance(seller.pk, figures_compute(records=records, invites=[], first_quotes=[], now=NOW), NOW)
    performance.save()
    return performance


def verified_seller(name: str):
    seller = CompanyFactory(legal_name=name, verification_status=VerificationStatus.VERIFIED)
    ship_to(seller, ["DE"])
    return seller


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_listing_page_shows_both_periods_with_their_base_and_costs_no_query(client):
    seller = verified_seller("Fast Towels Ltd")
    listing = PublishedListingFactory(seller=seller)
    url = f"/listings/{listing.pk}/"
    without = page_queries(client, url)
    assertContains(client.get(url), '<p class="figure-none">not enough orders yet</p>', html=True)

    measured(seller, accept_hours=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], shipped_on_time=4, shipped_late=1)
    assert page_queries(client, url) == without
    response = client.get(url)
    assertContains(response, "<h3>Last 90 days, based on 14 orders</h3>", html=True)
    assertContains(response, "<h3>All time, based on 14 orders</h3>", html=True)
    assertContains(response, '<dd class="figure-accept-hours">7.5 h <span class="muted">based on 14 orders</span></dd>',
                   html=True, count=2)
    assertContains(response, '<dd class="figure-on-time">80% <span class="muted">based on 5 orders</span></dd>',
                   html=True, count=2)
    assertContains(response, '<dd class="figure-dispute-free">not enough orders yet</dd>', html=True, count=2)
    assertContains(response, '<dd class="figure-rfq-response">not enough requests yet</dd>', html=True, count=2)


def test_four_orders_say_not_enough_orders_yet(client):
    seller = verified_seller("New Towels Ltd")
    listing = PublishedListingFactory(seller=seller)
    measured(seller, accept_hours=[1, 2, 3, 4])
    response = client.get(f"/listings/{listing.pk}/")
    assertContains(response, "<h3>Last 90 days, based on 4 orders</h3>", html=True)
    assertContains(response, '<dd class="figure-accept-hours">not enough orders yet</dd>', html=True, count=2)
    assertNotContains(response, "Accepts orders in")


def test_browse_cards_show_a_compact_line_and_the_query_count_does_not_change(client):
    sellers = [verified_seller(f"Seller {n} Ltd") for n in range(5)]
    for seller in sellers:
        for _ in range(4):
            PublishedListingFactory(seller=seller, title="Towel")
    before = page_queries(client, "/listings/")
    for index, seller in enumerate(sellers):
        measured(seller, accept_hours=[index + 1] * 6, shipped_on_time=5)
    assert page_queries(client, "/listings/") == before
    response = client.get("/listings/")
    listing = sellers[0].listings.first()
    assertContains(response, f'<p class="performance-line muted" id="performance-{listing.pk}">'
                             '<span class="performance-accept">Accepts orders in 1 h (median)</span> '
                             '<span class="performance-on-time">100% shipped on time</span> '
                             '<span class="performance-base">last 90 days, 6 orders</span></p>', html=True)


def test_a_card_of_a_seller_without_figures_says_so(client):
    listing = PublishedListingFactory(seller=verified_seller("Quiet Ltd"))
    assertContains(client.get("/listings/"), f'<p class="performance-line muted" id="performance-{listing.pk}">'
                                             'Seller performance: not enough orders yet</p>', html=True)


def test_company_page_shows_the_figures_of_a_seller(client):
    seller = verified_seller("Company Page Ltd")
    measured(seller, accept_hours=[2] * 5, shipped_on_time=5)
    response = client.get(f"/companies/{seller.pk}/")
    assertContains(response, "<h3>Last 90 days, based on 5 orders</h3>", html=True)
    assertContains(response, '<dd class="figure-on-time">100% <span class="muted">based on 5 orders</span></dd>',
                   html=True, count=2)
    buyer = CompanyFactory(kind="buyer", verification_status=VerificationStatus.VERIFIED)
    assertNotContains(client.get(f"/companies/{buyer.pk}/"), 'id="seller-performance"')


def _titles(response) -> list[str]:
    return [card.listing.seller.legal_name for card in response.context["cards"]]


@pytest.fixture
def three_sellers():
    slow, fast, none = verified_seller("Slow Ltd"), verified_seller("Fast Ltd"), verified_seller("Unmeasured Ltd")
    for seller in (slow, fast, none):
        PublishedListingFactory(seller=seller, title="Towel")
    measured(slow, accept_hours=[30] * 5, shipped_on_time=5)          # 30 h, 100 % on time
    measured(fast, accept_hours=[10] * 5, shipped_on_time=4, shipped_late=1)  # 10 h, 80 %
    return slow, fast, none


def test_browse_filters_and_sorts_by_the_figures(client, three_sellers):
    assert _titles(client.get("/listings/?responds_within=24")) == ["Fast Ltd"]
    assert sorted(_titles(client.get("/listings/?responds_within=48"))) == ["Fast Ltd", "Slow Ltd"]
    assert _titles(client.get("/listings/?on_time_min=90")) == ["Slow Ltd"]
    assert _titles(client.get("/listings/?on_time_min=80&responds_within=24")) == ["Fast Ltd"]
    assert _titles(client.get("/listings/?sort=fastest_response")) == ["Fast Ltd", "Slow Ltd", "Unmeasured Ltd"]
    assert _titles(client.get("/listings/?sort=most_on_time")) == ["Slow Ltd", "Fast Ltd", "Unmeasured Ltd"]


@pytest.mark.parametrize(("query", "field", "message"), [
    ("responds_within=12", "responds_within", "Choose 24, 48 or 72 hours."),
    ("responds_within=abc", "responds_within", "Choose 24, 48 or 72 hours."),
    ("on_time_min=101", "on_time_min", "Ensure this value is less than or equal to 100."),
    ("on_time_min=-1", "on_time_min", "Ensure this value is greater than or equal to 0."),
    ("on_time_min=ninety", "on_time_min", "Enter a whole number."),
])
def test_bad_filter_values_are_form_errors_and_the_filter_is_ignored(client, three_sellers, query, field, message):
    response = client.get(f"/listings/?{query}")
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert len(_titles(response)) == 3


def test_turkish_and_chinese_pages_render(client):
    seller = verified_seller("Dil Ltd")
    listing = PublishedListingFactory(seller=seller)
    measured(seller, accept_hours=[3] * 5)
    for language in ("tr", "zh-hans"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(f"/listings/{listing.pk}/")
        assert response.status_code == 200
        assert response.headers["Content-Language"] == language
        assertContains(response, 'id="seller-performance"')


def test_browse_filters_and_sorts_by_rating(client, three_sellers):
    from decimal import Decimal

    from reviews.models import SellerRating

    slow, fast, _none = three_sellers
    SellerRating.objects.create(seller=slow, review_count=3, average=Decimal("3.500"))
    SellerRating.objects.create(seller=fast, review_count=2, average=Decimal("4.750"))
    assert _titles(client.get("/listings/?rating_min=4")) == ["Fast Ltd"]
    assert _titles(client.get("/listings/?sort=best_rated")) == ["Fast Ltd", "Slow Ltd", "Unmeasured Ltd"]
    response = client.get("/listings/?rating_min=9")
    assert response.context["form"].errors == {
        "rating_min": ["Select a valid choice. 9 is not one of the available choices."]}
    assert len(_titles(response)) == 3


def test_company_page_query_count_does_not_depend_on_the_orders_measured(client):
    small, large = verified_seller("Small Ltd"), verified_seller("Large Ltd")
    unmeasured = verified_seller("Unmeasured Ltd")
    measured(small, accept_hours=[2] * 5)
    measured(large, accept_hours=[2] * 500, shipped_on_time=300)
    counts = {page_queries(client, f"/companies/{seller.pk}/") for seller in (small, large, unmeasured)}
    assert len(counts) == 1
