"""Updates running at once on PostgreSQL: the order row lock lets one update fold an order's events
at a time and the seller row lock one refresh store at a time, so parallel updates of one order and
of many orders of one seller end with the records and figures the nightly recompute builds."""
from __future__ import annotations

import pytest
from django.db import connection

from tests.integration.threads import run_pool
from trust.models import OrderRecord, SellerPerformance
from trust.services import seller_performance_recompute_all, seller_performance_update

from .helpers import NOW, R, S, Shop, days, history, hours

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def stored() -> tuple[list, list]:
    return (list(OrderRecord.objects.order_by("pk").values()),
            list(SellerPerformance.objects.order_by("pk").values("seller_id", "figures", "accept_hours_90d",
                                                                 "on_time_pct_90d", "dispute_free_pct_90d")))


def test_parallel_updates_of_one_order_and_of_one_seller_agree_with_the_nightly_recompute():
    shop = Shop()
    orders = []
    for index in range(8):
        order = shop.order(NOW - days(10) + hours(index))
        history(order, [(S.ACCEPTED, R.SELLER, hours(index + 1)), (S.SHIPPED, R.SELLER, days(index % 4 + 2)),
                        (S.DELIVERED, R.BUYER, days(7))])
        orders.append(order)

    # Eight updates of the same order at once: one creates its record, the others find nothing new.
    results = run_pool([lambda: seller_performance_update(order_id=orders[0].pk, now=NOW)] * 8, workers=8)
    assert all(result is not None for result in results)
    assert OrderRecord.objects.count() == 1
    # Then every order updated twice, all at once.
    run_pool([lambda pk=order.pk: seller_performance_update(order_id=pk, now=NOW) for order in orders * 2],
             workers=16)
    incremental = stored()
    assert len(incremental[0]) == 8 and incremental[1][0]["figures"]["all"]["orders"] == 8

    seller_performance_recompute_all(now=NOW)
    assert stored() == incremental
