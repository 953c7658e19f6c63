"""Property: for random valid walks through ORDER_FLOW (random roles the table allows, random time
steps) of several orders of a few sellers, the records and figures stored by the update after every
event are exactly those the nightly recompute builds from the whole event log."""
from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.transitions import NEW, ORDER_FLOW
from trust.models import OrderRecord, SellerPerformance
from trust.services import seller_performance_recompute_all, seller_performance_update

from .helpers import NOW, Shop, days, hours, move

pytestmark = pytest.mark.django_db

MOVES = sorted((frm, to, role) for frm, to, role in ORDER_FLOW.triples() if frm != NEW)
START = NOW - days(150)

step = st.tuples(
    st.integers(0, 7),                       # which order (past the last one: a new order)
    st.integers(0, 1000),                    # which allowed move, and the new order's seller and lead time
    st.integers(0, 240),                     # hours since the previous event
    st.sampled_from([None, "0.00", "0.01", "25.00"]),  # the refund when the move is a resolution
)


def stored() -> tuple[list, list]:
    records = list(OrderRecord.objects.order_by("pk").values())
    figures = list(SellerPerformance.objects.order_by("pk").values("seller_id", "figures", "orders_90d",
                                                                    "accept_hours_90d", "on_time_pct_90d",
                                                                    "dispute_free_pct_90d"))
    return records, figures


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=30))
def test_incremental_after_every_event_equals_full_recompute(db, steps):
    with transaction.atomic():
        shops = [Shop(f"Seller {i}") for i in range(3)]
        orders = []
        clock = START
        for slot, choice, gap, refund in steps:
            clock += hours(gap)
            if slot >= len(orders):
                shop = shops[choice % 3]
                order = shop.order(clock, lead_time_days=choice % 11)
                orders.append(order)
            else:
                order = orders[slot]
                allowed = [(to, role) for frm, to, role in MOVES if frm == order.status]
                if not allowed:
                    continue
                to, role = allowed[choice % len(allowed)]
                move(order, to, role, clock, payload={"refund_amount": refund} if to == "resolved" else None)
            seller_performance_update(order_id=order.pk, now=NOW)
            incremental = stored()
            seller_performance_recompute_all(now=NOW)
            assert stored() == incremental
        transaction.set_rollback(True)
