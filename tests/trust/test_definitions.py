"""The performance figures on hand-built event histories, through the nightly recompute and the
update after each event (both must give these numbers)."""
from __future__ import annotations

import pytest

from trust.models import Answer, CancelledBy, OrderRecord, SellerPerformance
from trust.services import seller_performance_recompute_all, seller_performance_update

from .helpers import NOW, R, S, Shop, days, history, hours

pytestmark = pytest.mark.django_db

EMPTY_RFQ = {"rfqs_invited": 0, "rfqs_answered": 0, "rfq_response_pct": None, "rfqs_quoted": 0,
             "median_hours_to_quote": None}


def incremental(seller_id: int) -> dict:
    """The figures the updates after each event store (each order updated once: it folds every event)."""
    from orders.models import Order

    for order_id in Order.objects.filter(seller_id=seller_id).order_by("pk").values_list("pk", flat=True):
        seller_performance_update(order_id=order_id, now=NOW)
    return SellerPerformance.objects.get(pk=seller_id).figures


def nightly(seller_id: int) -> dict:
    seller_performance_recompute_all(now=NOW)
    return SellerPerformance.objects.get(pk=seller_id).figures


@pytest.fixture
def mixed():
    """Twelve orders of one seller placed ten days ago, lead time 5 days, one of each kind."""
    shop = Shop()
    t0 = NOW - days(10)
    o = [shop.order(t0 + hours(i)) for i in range(12)]
    history(o[0], [(S.ACCEPTED, R.SELLER, hours(2)), (S.PAID, R.SELLER, days(1)), (S.SHIPPED, R.SELLER, days(5)),
                   (S.DELIVERED, R.BUYER, days(7)), (S.COMPLETED, R.BUYER, days(8))])  # on time (paid + 5 d)
    history(o[1], [(S.ACCEPTED, R.SELLER, hours(4)), (S.SHIPPED, R.SELLER, days(6)), (S.DELIVERED, R.BUYER, days(7)),
                   (S.DISPUTED, R.BUYER, days(8)), (S.RESOLVED, R.MODERATOR, days(9))],
            payload={"refund_amount": "50.00", "currency": "TRY"})  # late: accepted + 5 d < 6 d
    history(o[2], [(S.REFUSED, R.SELLER, hours(1))])
    history(o[3], [(S.REFUSED, R.SYSTEM, hours(72))])  # timed out
    history(o[4], [(S.CANCELLED, R.BUYER, hours(1))])  # withdrawn before an answer
    history(o[5], [(S.ACCEPTED, R.SELLER, hours(6)), (S.CANCELLED, R.SELLER, days(1))])
    history(o[6], [(S.ACCEPTED, R.SELLER, hours(8)), (S.CANCELLED, R.SYSTEM, days(8))])  # not paid in time
    history(o[7], [(S.ACCEPTED, R.SELLER, hours(10)), (S.CANCELLED, R.BUYER, days(1))])
    history(o[8], [(S.ACCEPTED, R.SELLER, hours(12))])  # ship-by passed unshipped: late
    history(o[9], [(S.ACCEPTED, R.SELLER, hours(1)), (S.SHIPPED, R.SELLER, days(2)), (S.DELIVERED, R.BUYER, days(3)),
                   (S.DISPUTED, R.BUYER, days(4)), (S.RESOLVED, R.MODERATOR, days(5))],
            payload={"refund_amount": None})  # resolved without a refund
    history(o[10], [(S.ACCEPTED, R.SELLER, hours(3)), (S.SHIPPED, R.SELLER, days(3)), (S.DELIVERED, R.BUYER, days(5))])
    # o[11] is still waiting for an answer
    return shop, o


MIXED = {
    "orders": 12, "answered": 10, "accepted": 8, "refused": 1, "timed_out": 1, "withdrawn": 1, "accepted_pct": 80.0,
    "median_hours_to_accept": 5.0,
    "cancelled_by_seller": 1, "cancelled_by_buyer": 1, "cancelled_by_system": 1,
    "shipping_judged": 5, "shipped_on_time": 3, "on_time_pct": 60.0,
    "delivered": 4, "delivered_without_dispute": 2, "dispute_free_pct": None,
    "disputes": 2, "disputes_refunded": 1, "refunded_pct": None,
    **EMPTY_RFQ,
}


def test_mixed_history_nightly(mixed):
    shop, _orders = mixed
    figures = nightly(shop.seller.pk)
    assert figures == {"90d": MIXED, "all": MIXED}
    performance = SellerPerformance.objects.get(pk=shop.seller.pk)
    assert (performance.orders_90d, performance.accept_hours_90d, performance.on_time_pct_90d,
            performance.dispute_free_pct_90d, performance.computed_at) == (12, 5.0, 60.0, None, NOW)


def test_mixed_history_incremental(mixed):
    shop, _orders = mixed
    assert incremental(shop.seller.pk) == {"90d": MIXED, "all": MIXED}


def test_records_of_each_kind(mixed):
    shop, o = mixed
    seller_performance_recompute_all(now=NOW)
    rows = {r.order_id: r for r in OrderRecord.objects.filter(seller=shop.seller)}
    assert [rows[x.pk].answer for x in o] == [
        Answer.ACCEPTED, Answer.ACCEPTED, Answer.REFUSED, Answer.TIMED_OUT, Answer.WITHDRAWN, Answer.ACCEPTED,
        Answer.ACCEPTED, Answer.ACCEPTED, Answer.ACCEPTED, Answer.ACCEPTED, Answer.ACCEPTED, Answer.PENDING]
    assert [rows[x.pk].cancelled_by for x in o] == [
        "", "", "", "", "", CancelledBy.SELLER, CancelledBy.SYSTEM, CancelledBy.BUYER, "", "", "", ""]
    # The ship-by clock starts at the payment when the order went through "paid", else at acceptance.
    assert rows[o[0].pk].ship_by == o[0].placed_at + days(1) + days(5)
    assert rows[o[1].pk].ship_by == o[1].placed_at + hours(4) + days(5)
    assert rows[o[11].pk].ship_by is None
    assert (rows[o[1].pk].refunded, rows[o[9].pk].refunded, rows[o[9].pk].resolved) == (True, False, True)
    assert rows[o[0].pk].completed and rows[o[0].pk].hours_to_accept == 2.0


def _accepted_orders(shop, count, *, placed_at, after=hours(2)):
    for _ in range(count):
        history(shop.order(placed_at), [(S.ACCEPTED, R.SELLER, after)])


def test_four_orders_are_not_enough_five_are():
    shop = Shop()
    _accepted_orders(shop, 4, placed_at=NOW - days(1))
    figures = nightly(shop.seller.pk)["90d"]
    assert (figures["answered"], figures["accepted_pct"], figures["median_hours_to_accept"]) == (4, None, None)
    assert SellerPerformance.objects.get(pk=shop.seller.pk).accept_hours_90d is None

    _accepted_orders(shop, 1, placed_at=NOW - days(1))
    figures = nightly(shop.seller.pk)["90d"]
    assert (figures["answered"], figures["accepted_pct"], figures["median_hours_to_accept"]) == (5, 100.0, 2.0)
    assert SellerPerformance.objects.get(pk=shop.seller.pk).accept_hours_90d == 2.0


def test_ninety_day_window_by_placing_time():
    shop = Shop()
    _accepted_orders(shop, 5, placed_at=NOW - days(89), after=hours(10))
    _accepted_orders(shop, 5, placed_at=NOW - days(91), after=hours(30))
    figures = nightly(shop.seller.pk)
    assert (figures["90d"]["orders"], figures["90d"]["median_hours_to_accept"]) == (5, 10.0)
    assert (figures["all"]["orders"], figures["all"]["median_hours_to_accept"]) == (10, 20.0)


def test_refusals_by_the_seller_and_by_the_clock_are_told_apart():
    shop = Shop()
    for _ in range(2):
        history(shop.order(NOW - days(5)), [(S.REFUSED, R.SELLER, hours(3))])
    for _ in range(3):
        history(shop.order(NOW - days(5)), [(S.REFUSED, R.SYSTEM, hours(72))])
    history(shop.order(NOW - days(5)), [(S.CANCELLED, R.BUYER, hours(1))])
    figures = nightly(shop.seller.pk)["all"]
    assert {k: figures[k] for k in ("orders", "answered", "accepted", "refused", "timed_out", "withdrawn",
                                    "accepted_pct", "median_hours_to_accept")} == {
        "orders": 6, "answered": 5, "accepted": 0, "refused": 2, "timed_out": 3, "withdrawn": 1,
        "accepted_pct": 0.0, "median_hours_to_accept": None}


def test_shipping_late_on_time_and_overdue():
    """Lead time 2 days: shipped at 1 d and exactly 2 d are on time, at 3 d late; an accepted order whose
    deadline passed unshipped is late, one whose deadline is still ahead is not judged, nor one cancelled."""
    shop = Shop()
    t0 = NOW - days(20)
    for after in (days(1), days(2), days(3)):
        history(shop.order(t0, lead_time_days=2), [(S.ACCEPTED, R.SELLER, hours(0)), (S.SHIPPED, R.SELLER, after)])
    history(shop.order(t0, lead_time_days=2), [(S.ACCEPTED, R.SELLER, hours(0))])  # overdue
    history(shop.order(t0, lead_time_days=2), [(S.ACCEPTED, R.SELLER, hours(0)), (S.CANCELLED, R.BUYER, days(3))])
    history(shop.order(NOW - days(1), lead_time_days=30), [(S.ACCEPTED, R.SELLER, hours(0))])  # not due yet
    history(shop.order(t0, lead_time_days=2), [(S.ACCEPTED, R.SELLER, hours(0)), (S.PAID, R.SYSTEM, days(5)),
                                              (S.SHIPPED, R.SELLER, days(6))])  # paid + 2 d: on time
    figures = nightly(shop.seller.pk)["all"]
    assert (figures["shipping_judged"], figures["shipped_on_time"], figures["on_time_pct"]) == (5, 3, 60.0)


def test_disputes_with_and_without_a_refund():
    shop = Shop()
    t0 = NOW - days(30)
    steps = [(S.ACCEPTED, R.SELLER, hours(1)), (S.SHIPPED, R.SELLER, days(1)), (S.DELIVERED, R.BUYER, days(2))]
    for refund in ("10.00", "0.01", "0.00", None, "5"):
        history(shop.order(t0), [*steps, (S.DISPUTED, R.BUYER, days(3)), (S.RESOLVED, R.MODERATOR, days(4))],
                payload={"refund_amount": refund})
    history(shop.order(t0), [*steps, (S.DISPUTED, R.BUYER, days(3))])  # still open
    for _ in range(4):
        history(shop.order(t0), [*steps, (S.COMPLETED, R.SYSTEM, days(20))])
    figures = nightly(shop.seller.pk)["all"]
    assert {k: figures[k] for k in ("delivered", "delivered_without_dispute", "dispute_free_pct", "disputes",
                                    "disputes_refunded", "refunded_pct")} == {
        "delivered": 10, "delivered_without_dispute": 4, "dispute_free_pct": 40.0, "disputes": 6,
        "disputes_refunded": 3, "refunded_pct": 50.0}
    assert SellerPerformance.objects.get(pk=shop.seller.pk).dispute_free_pct_90d == 40.0


def test_old_events_without_a_lead_time_use_the_listings_lead_time():
    from orders.models import OrderLine
    from tests.factories.marketplace import PublishedListingFactory

    shop = Shop()
    order = shop.order(NOW - days(10), lead_time_days=None)
    for days_ in (3, 9):
        listing = PublishedListingFactory(seller=shop.seller, lead_time_days=days_)
        OrderLine.objects.create(order=order, listing=listing, listing_ref=listing.pk, title="x", hs_code="630260",
                                 origin_country="TR", unit="piece", quantity=1, unit_price=1, line_total=1,
                                 unit_weight_kg=1, weight_kg=1)
    history(order, [(S.ACCEPTED, R.SELLER, hours(1))])
    seller_performance_update(order_id=order.pk, now=NOW)
    assert OrderRecord.objects.get(pk=order.pk).ship_by == order.placed_at + hours(1) + days(9)
    seller_performance_recompute_all(now=NOW)
    assert OrderRecord.objects.get(pk=order.pk).ship_by == order.placed_at + hours(1) + days(9)
