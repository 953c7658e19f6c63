"""Request response rate and hours to the first quote, on hand-built requests and quotes."""
from __future__ import annotations

from decimal import Decimal

import pytest

from marketplace.models import Category
from orders.models import Quote, Rfq, RfqRecipient
from trust.models import SellerPerformance
from trust.services import seller_performance_recompute_all, seller_performance_update

from .helpers import NOW, Shop, days, hours

pytestmark = pytest.mark.django_db


def rfq(shop: Shop, *, created, deadline, invite=None) -> Rfq:
    row = Rfq.objects.create(buyer=shop.buyer, created_by=shop.user, title="Towels", category=Category.objects.first(),
                             quantity=100, incoterm="DAP", deadline=deadline, audience="invited")
    Rfq.objects.filter(pk=row.pk).update(created_at=created)
    if invite is not None:
        RfqRecipient.objects.create(rfq=row, seller=invite)
    return row


def quote(shop: Shop, request: Rfq, at, status: str = "submitted") -> Quote:
    row = Quote.objects.create(rfq=request, seller=shop.seller, submitted_by=shop.user, unit_price=Decimal("1.00"),
                               currency="TRY", moq=1, lead_time_days=5, incoterm="DAP", valid_until=NOW.date(),
                               hs_code="630260", origin_country="TR", unit_weight_kg=Decimal("1.000"), status=status)
    Quote.objects.filter(pk=row.pk).update(created_at=at)
    return row


def test_response_rate_and_hours_to_first_quote():
    shop = Shop()
    created = NOW - days(10)
    deadline = NOW - days(3)
    for after in (2, 4, 6, 8):  # invited, quoted before the deadline
        quote(shop, rfq(shop, created=created, deadline=deadline, invite=shop.seller), created + hours(after))
    late = rfq(shop, created=created, deadline=deadline, invite=shop.seller)
    quote(shop, late, deadline + hours(1))  # quoted after the deadline: not an answer
    rfq(shop, created=created, deadline=deadline, invite=shop.seller)  # never quoted, deadline passed
    rfq(shop, created=created, deadline=NOW + days(1), invite=shop.seller)  # still open: not counted yet
    open_call = rfq(shop, created=created, deadline=deadline)  # not invited, quoted anyway
    quote(shop, open_call, created + hours(10), status="withdrawn")
    quote(shop, open_call, created + hours(20))  # a later quote on the same request does not count

    seller_performance_update(seller_id=shop.seller.pk, now=NOW)
    incremental = SellerPerformance.objects.get(pk=shop.seller.pk).figures
    seller_performance_recompute_all(now=NOW)
    figures = SellerPerformance.objects.get(pk=shop.seller.pk).figures
    assert incremental == figures
    expected = {"rfqs_invited": 6, "rfqs_answered": 4, "rfq_response_pct": 66.7, "rfqs_quoted": 6,
                "median_hours_to_quote": 7.0}  # 2, 4, 6, 8, 10 and 169 h
    assert {k: figures["all"][k] for k in expected} == expected
    assert {k: figures["90d"][k] for k in expected} == expected


def test_requests_older_than_ninety_days_count_for_all_time_only():
    shop = Shop()
    for age in (100, 100, 100, 100, 100, 5):
        created = NOW - days(age)
        quote(shop, rfq(shop, created=created, deadline=created + days(2), invite=shop.seller), created + hours(1))
    seller_performance_recompute_all(now=NOW)
    figures = SellerPerformance.objects.get(pk=shop.seller.pk).figures
    assert (figures["all"]["rfqs_invited"], figures["all"]["rfq_response_pct"],
            figures["all"]["median_hours_to_quote"]) == (6, 100.0, 1.0)
    assert (figures["90d"]["rfqs_invited"], figures["90d"]["rfq_response_pct"],
            figures["90d"]["median_hours_to_quote"]) == (1, None, None)
