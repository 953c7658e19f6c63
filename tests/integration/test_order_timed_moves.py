"""Timed moves on PostgreSQL: scans running at the same time move every due order exactly once."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.models import Listing
from orders import services
from orders.models import Order, OrderEvent, OrderStatus
from orders.services.timed import order_timed_moves_run
from tests.factories.accounts import MembershipFactory
from tests.integration.threads import run_pool
from tests.orders.helpers import buyer_company, make_zone, reference_tables, seller_company, towel

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
S = OrderStatus


def scans_at_once(count: int) -> list[dict]:
    return run_pool([order_timed_moves_run] * count, workers=count)


@pytest.fixture
def due_orders():
    """40 orders waiting for the seller, 10 accepted and unpaid, 10 shipped and unconfirmed and 10
    delivered and undisputed, all past their deadlines."""
    reference_tables()
    seller = seller_company("Tekstil A.S.", "TR", "TRY")
    seller_user = MembershipFactory(company=seller).user
    make_zone(seller, "Europe", ["DE"], [("500", "300.00")])
    listing = towel(seller, moq=1, order_multiple=1, stock=10_000,
                    price_tiers=[{"min_quantity": 1, "unit_price": "10.00"}])
    buyer = buyer_company("Waiting Buyer GmbH")
    user = MembershipFactory(company=buyer).user
    orders = []
    for index in range(70):
        services.cart_line_add(actor=user, buyer=buyer, listing_id=listing.pk, quantity=index % 5 + 1)
        orders.append(services.checkout_place(actor=user, buyer=buyer, idempotency_key=f"due-{index}")
                      .group.orders.get())
    for order in orders[40:]:
        services.order_accept(order_id=order.pk, actor=seller_user)
    for order in orders[50:]:
        order.refresh_from_db()
        services.order_mark_paid(order_id=order.pk, actor=seller_user, reference="R", amount=order.invoice_total,
                                 method="card")
        services.order_ship(order_id=order.pk, actor=seller_user, carrier="DHL", tracking_number=str(order.pk))
    for order in orders[60:]:
        services.order_confirm_delivery(order_id=order.pk, actor=user)
    long_ago = timezone.now() - timedelta(days=60)
    ids = [order.pk for order in orders]
    Order.objects.filter(pk__in=ids).update(placed_at=long_ago)
    Order.objects.filter(pk__in=ids[40:]).update(accepted_at=long_ago)
    Order.objects.filter(pk__in=ids[50:]).update(shipped_at=long_ago)
    Order.objects.filter(pk__in=ids[60:]).update(delivered_at=long_ago)
    return listing, ids


@pytest.mark.parametrize("scans", [2, 4])
def test_parallel_scans_move_every_due_order_once(due_orders, scans):
    listing, ids = due_orders

    results = scans_at_once(scans)

    moved = Counter()
    for counts in results:
        moved.update({name: n for name, n in counts.items() if name != "skipped"})
    assert moved == Counter({"accept_timeout": 40, "payment_timeout": 10, "delivery_confirm": 10,
                             "dispute_window": 10})
    system = list(OrderEvent.objects.filter(role="system").values_list("order_id", "from_status", "to_status"))
    assert len(system) == 70
    assert Counter(order_id for order_id, _f, _t in system) == Counter({pk: 1 for pk in ids})
    assert Counter((f, t) for _o, f, t in system) == Counter({
        ("placed", "refused"): 40, ("accepted", "cancelled"): 10, ("shipped", "delivered"): 10,
        ("delivered", "completed"): 10})
    assert dict(Counter(Order.objects.filter(pk__in=ids).values_list("status", flat=True))) == {
        S.REFUSED: 40, S.CANCELLED: 10, S.DELIVERED: 10, S.COMPLETED: 10}
    # The 50 refused or cancelled orders gave their units back; the 20 others still hold theirs.
    held = sum(index % 5 + 1 for index in range(50, 70))
    assert Listing.objects.get(pk=listing.pk).stock == 10_000 - held
    # A later scan finds the delivered orders (confirmed just now) not yet due, and nothing else.
    assert order_timed_moves_run() == {"skipped": 0, "accept_timeout": 0, "payment_timeout": 0,
                                       "delivery_confirm": 0, "dispute_window": 0, "resolution_close": 0}
