"""Timed moves, with the clock moved by time_machine: each fires once, after its deadline and not before."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings

from marketplace.models import Listing
from orders import services
from orders.models import OrderEvent, OrderStatus
from orders.services import timed
from orders.services.timed import order_timed_moves_run
from tests.orders.helpers import order_in, snapshot

pytestmark = pytest.mark.django_db
S = OrderStatus
NOTHING = {"skipped": 0, "accept_timeout": 0, "payment_timeout": 0, "delivery_confirm": 0, "dispute_window": 0,
           "resolution_close": 0}


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return order_timed_moves_run()


def system_events(order):
    return list(OrderEvent.objects.filter(order=order, role="system").values_list("actor", "from_status", "to_status",
                                                                                 "reason"))


def test_the_deadlines_are_settings():
    assert (settings.ORDER_ACCEPT_TIMEOUT_HOURS, settings.ORDER_PAYMENT_TIMEOUT_DAYS,
            settings.ORDER_DELIVERY_CONFIRM_DAYS, settings.ORDER_DISPUTE_WINDOW_DAYS,
            settings.ORDER_RESOLVED_COMPLETE_DAYS) == (72, 7, 30, 14, 7)


def test_an_order_not_accepted_in_72_hours_is_refused_once(world):
    order = order_in(world, S.PLACED)
    assert Listing.objects.get(pk=world.towel.pk).stock == 980

    assert run_at(order.placed_at + timedelta(hours=72)) == NOTHING
    assert run_at(order.placed_at + timedelta(hours=72, seconds=1)) == {**NOTHING, "accept_timeout": 1}
    assert run_at(order.placed_at + timedelta(hours=80)) == NOTHING

    order.refresh_from_db()
    assert order.status == S.REFUSED
    assert system_events(order) == [(None, "placed", "refused",
                                     "The seller did not accept the order within 72 hours.")]
    assert Listing.objects.get(pk=world.towel.pk).stock == 1000


def test_an_order_not_paid_in_7_days_is_cancelled_once(world):
    order = order_in(world, S.ACCEPTED)

    assert run_at(order.accepted_at + timedelta(days=7)) == NOTHING
    assert run_at(order.accepted_at + timedelta(days=7, seconds=1))["payment_timeout"] == 1
    assert run_at(order.accepted_at + timedelta(days=30))["payment_timeout"] == 0

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert system_events(order) == [(None, "accepted", "cancelled",
                                     "No payment was recorded within 7 days of acceptance.")]
    assert Listing.objects.get(pk=world.towel.pk).stock == 1000


def test_a_shipment_not_confirmed_in_30_days_is_delivered_once(world):
    order = order_in(world, S.SHIPPED)

    assert run_at(order.shipped_at + timedelta(days=30)) == NOTHING
    assert run_at(order.shipped_at + timedelta(days=30, seconds=1))["delivery_confirm"] == 1

    order.refresh_from_db()
    assert (order.status, order.delivered_at) == (S.DELIVERED, order.shipped_at + timedelta(days=30, seconds=1))
    assert system_events(order) == [(None, "shipped", "delivered",
                                     "Delivery is taken as confirmed 30 days after shipping.")]


def test_a_delivery_not_disputed_in_14_days_completes_once(world):
    order = order_in(world, S.DELIVERED)

    assert run_at(order.delivered_at + timedelta(days=14)) == NOTHING
    assert run_at(order.delivered_at + timedelta(days=14, seconds=1))["dispute_window"] == 1
    assert run_at(order.delivered_at + timedelta(days=60)) == NOTHING

    order.refresh_from_db()
    assert order.status == S.COMPLETED
    assert system_events(order) == [(None, "delivered", "completed",
                                     "No dispute was opened within 14 days of delivery.")]


def test_a_disputed_order_does_not_complete_on_its_own(world):
    order = order_in(world, S.DISPUTED)

    assert run_at(order.delivered_at + timedelta(days=90)) == NOTHING
    order.refresh_from_db()
    assert order.status == S.DISPUTED


def test_a_resolved_order_closes_after_7_days(world):
    order = order_in(world, S.RESOLVED)

    assert run_at(order.resolved_at + timedelta(days=7)) == NOTHING
    assert run_at(order.resolved_at + timedelta(days=7, seconds=1))["resolution_close"] == 1
    order.refresh_from_db()
    assert order.status == S.COMPLETED


def test_a_whole_life_driven_by_the_clock(world):
    order = order_in(world, S.PLACED)
    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
    order.refresh_from_db()
    with time_machine.travel(order.accepted_at + timedelta(days=1), tick=False):
        services.order_mark_paid(order_id=order.pk, actor=world.seller_t_owner, reference="TT", method="card",
                                 amount=order.invoice_total)
        services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="DHL", tracking_number="1")
    start = order.accepted_at + timedelta(days=1)

    moved = [run_at(start + timedelta(days=days)) for days in (10, 31, 40, 46, 100)]

    assert [m["delivery_confirm"] for m in moved] == [0, 1, 0, 0, 0]
    assert [m["dispute_window"] for m in moved] == [0, 0, 0, 1, 0]
    assert list(order.events.values_list("from_status", "to_status", "role")) == [
        ("", "placed", "buyer"), ("placed", "accepted", "seller"), ("accepted", "paid", "seller"),
        ("paid", "shipped", "seller"), ("shipped", "delivered", "system"), ("delivered", "completed", "system")]


def test_an_order_moved_by_someone_else_is_skipped(world, monkeypatch):
    """Between the scan's list of due orders and its lock, the seller accepts: the scan skips it."""
    order = order_in(world, S.PLACED)
    real = timed.order_transition

    def accept_first(**kwargs):
        if kwargs["to_status"] == S.REFUSED:
            services.order_accept(order_id=kwargs["order_id"], actor=world.seller_t_owner)
        return real(**kwargs)

    monkeypatch.setattr(timed, "order_transition", accept_first)
    counts = run_at(order.placed_at + timedelta(days=4))

    assert (counts["accept_timeout"], counts["skipped"]) == (0, 1)
    order.refresh_from_db()
    assert order.status == S.ACCEPTED
    assert system_events(order) == []


def test_a_scan_with_nothing_due_changes_nothing(world):
    order_in(world, S.PLACED)
    before = snapshot()

    assert order_timed_moves_run() == NOTHING
    assert snapshot() == before


def test_the_batch_size_limits_one_run(world, settings):
    settings.ORDER_TIMED_MOVES_BATCH_SIZE = 2
    orders = [order_in(world, S.PLACED) for _ in range(3)]
    moment = orders[-1].placed_at + timedelta(hours=73)

    assert run_at(moment)["accept_timeout"] == 2
    assert run_at(moment)["accept_timeout"] == 1
    assert run_at(moment)["accept_timeout"] == 0
