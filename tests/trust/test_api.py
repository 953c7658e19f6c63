"""GET /api/v1/sellers/{id}/performance/ and the listings API's performance filters and sorts."""
from __future__ import annotations

import pytest

from accounts.models import VerificationStatus
from tests.factories.accounts import CompanyFactory, MembershipFactory
from tests.factories.marketplace import PublishedListingFactory
from trust.services import seller_performance_recompute_all

from .helpers import NOW, R, S, Shop, days, history, hours
from .test_pages import measured, verified_seller

pytestmark = pytest.mark.django_db

ZERO_PERIOD = {
    "orders": 0, "answered": 0, "accepted": 0, "refused": 0, "timed_out": 0, "withdrawn": 0, "accepted_pct": None,
    "median_hours_to_accept": None, "cancelled_by_seller": 0, "cancelled_by_buyer": 0, "cancelled_by_system": 0,
    "shipping_judged": 0, "shipped_on_time": 0, "on_time_pct": None, "delivered": 0, "delivered_without_dispute": 0,
    "dispute_free_pct": None, "disputes": 0, "disputes_refunded": 0, "refunded_pct": None, "rfqs_invited": 0,
    "rfqs_answered": 0, "rfq_response_pct": None, "rfqs_quoted": 0, "median_hours_to_quote": None,
}


def test_performance_of_a_seller_with_both_periods(api_client):
    shop = Shop()
    shop.seller.verification_status = VerificationStatus.VERIFIED
    shop.seller.save(update_fields=["verification_status"])
    for age in (10, 10, 10, 10, 10, 200):
        history(shop.order(NOW - days(age)), [(S.ACCEPTED, R.SELLER, hours(age))])
    history(shop.order(NOW - days(5)), [(S.REFUSED, R.SYSTEM, hours(72))])
    seller_performance_recompute_all(now=NOW)

    response = api_client.get(f"/api/v1/sellers/{shop.seller.pk}/performance/")
    assert response.status_code == 200
    body = response.json()
    assert body["seller"] == shop.seller.pk
    assert body["computed_at"] == "2026-06-01T12:00:00Z"
    assert body["last_90_days"] == {**ZERO_PERIOD, "orders": 6, "answered": 6, "accepted": 5, "timed_out": 1,
                                    "accepted_pct": 83.3, "median_hours_to_accept": 10.0,
                                    "shipping_judged": 5, "on_time_pct": 0.0}  # none shipped within 5 days
    assert body["all_time"] == {**ZERO_PERIOD, "orders": 7, "answered": 7, "accepted": 6, "timed_out": 1,
                                "accepted_pct": 85.7, "median_hours_to_accept": 10.0,
                                "shipping_judged": 6, "on_time_pct": 0.0}


def test_a_seller_with_nothing_measured_gets_zero_counts(api_client):
    seller = verified_seller("Quiet Ltd")
    body = api_client.get(f"/api/v1/sellers/{seller.pk}/performance/").json()
    assert body == {"seller": seller.pk, "last_90_days": ZERO_PERIOD, "all_time": ZERO_PERIOD, "computed_at": None}


def test_not_a_visible_seller_is_404(api_client):
    buyer = CompanyFactory(kind="buyer", verification_status=VerificationStatus.VERIFIED)
    unverified = CompanyFactory(verification_status=VerificationStatus.UNVERIFIED)
    for pk in (buyer.pk, unverified.pk, 987654):
        response = api_client.get(f"/api/v1/sellers/{pk}/performance/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    # Its own members see an unverified seller's figures.
    api_client.force_authenticate(MembershipFactory(company=unverified).user)
    assert api_client.get(f"/api/v1/sellers/{unverified.pk}/performance/").status_code == 200


@pytest.fixture
def sellers():
    slow, fast, none = verified_seller("Slow Ltd"), verified_seller("Fast Ltd"), verified_seller("Unmeasured Ltd")
    listings = {seller.legal_name: PublishedListingFactory(seller=seller, title="Towel")
                for seller in (slow, fast, none)}
    measured(slow, accept_hours=[30] * 5, shipped_on_time=5)
    measured(fast, accept_hours=[10] * 5, shipped_on_time=4, shipped_late=1)
    return listings


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_listings_api_filters_and_sorts_by_performance(api_client, sellers):
    slow, fast, none = sellers["Slow Ltd"].pk, sellers["Fast Ltd"].pk, sellers["Unmeasured Ltd"].pk
    assert _ids(api_client.get("/api/v1/listings/?responds_within=24")) == [fast]
    assert _ids(api_client.get("/api/v1/listings/?on_time_min=81")) == [slow]
    assert sorted(_ids(api_client.get("/api/v1/listings/?on_time_min=80"))) == sorted([slow, fast])
    assert _ids(api_client.get("/api/v1/listings/?sort=fastest_response")) == [fast, slow, none]
    assert _ids(api_client.get("/api/v1/listings/?sort=most_on_time")) == [slow, fast, none]


def test_listing_detail_carries_the_summary(api_client, sellers):
    body = api_client.get(f"/api/v1/listings/{sellers['Fast Ltd'].pk}/").json()
    assert body["seller_performance"] == {"orders_90d": 5, "accept_hours_90d": 10.0, "on_time_pct_90d": 80.0,
                                          "dispute_free_pct_90d": None}
    body = api_client.get(f"/api/v1/listings/{sellers['Unmeasured Ltd'].pk}/").json()
    assert body["seller_performance"] == {"orders_90d": 0, "accept_hours_90d": None, "on_time_pct_90d": None,
                                          "dispute_free_pct_90d": None}


@pytest.mark.parametrize(("query", "field", "message"), [
    ("responds_within=12", "responds_within", "Choose 24, 48 or 72 hours."),
    ("responds_within=x", "responds_within", "Choose 24, 48 or 72 hours."),
    ("on_time_min=101", "on_time_min", "Ensure this value is less than or equal to 100."),
    ("on_time_min=-5", "on_time_min", "Ensure this value is greater than or equal to 0."),
    ("on_time_min=1e9", "on_time_min", "A valid integer is required."),
    ("sort=best", "sort", '"best" is not a valid choice.'),
])
def test_bad_performance_filters_are_400_with_the_field(api_client, sellers, query, field, message):
    response = api_client.get(f"/api/v1/listings/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}


def test_listings_api_filters_and_sorts_by_rating(api_client, sellers):
    from decimal import Decimal

    from reviews.models import SellerRating

    slow, fast, none = sellers["Slow Ltd"], sellers["Fast Ltd"], sellers["Unmeasured Ltd"]
    SellerRating.objects.create(seller=slow.seller, review_count=3, average=Decimal("4.200"))
    SellerRating.objects.create(seller=fast.seller, review_count=9, average=Decimal("3.900"))
    assert _ids(api_client.get("/api/v1/listings/?rating_min=4")) == [slow.pk]
    assert sorted(_ids(api_client.get("/api/v1/listings/?rating_min=3"))) == sorted([slow.pk, fast.pk])
    assert _ids(api_client.get("/api/v1/listings/?sort=best_rated")) == [slow.pk, fast.pk, none.pk]
    for bad, message in (("0", "Ensure this value is greater than or equal to 1."),
                         ("6", "Ensure this value is less than or equal to 5."),
                         ("four", "A valid integer is required.")):
        response = api_client.get(f"/api/v1/listings/?rating_min={bad}")
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"rating_min": [message]}


def test_an_id_beyond_any_column_is_404(api_client):
    response = api_client.get(f"/api/v1/sellers/{10 ** 30}/performance/")
    assert response.status_code == 404
