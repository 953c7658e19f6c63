"""The dashboards' reads of orders and requests: exact figures, the deadlines of the timed moves, and
no other company's orders."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from orders import services
from orders.models import Order, OrderStatus
from orders.selectors import dashboard
from orders.services import rfq as rfq_services
from orders.services.payments import shipping_allowed
from tests.orders.helpers import order_in
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db
S = OrderStatus
# A Wednesday; the week of the sales chart starts on Monday 7 December 2026.
NOW = datetime(2026, 12, 9, 12, 0, tzinfo=dt_timezone.utc)


@pytest.fixture
def world(db):
    return build_rfq_world()


def _at(order: Order, **stamps) -> Order:
    Order.objects.filter(pk=order.pk).update(**stamps)
    order.refresh_from_db()
    return order


# --- seller -------------------------------------------------------------------------------------------

def test_orders_to_accept_say_the_time_left_before_the_automatic_refusal(world):
    older = _at(order_in(world, S.PLACED), placed_at=NOW - timedelta(hours=60, minutes=30))
    newer = _at(order_in(world, S.PLACED), placed_at=NOW - timedelta(hours=2))
    overdue = _at(order_in(world, S.PLACED), placed_at=NOW - timedelta(hours=73))
    order_in(world, S.ACCEPTED)
    order_in(world, S.PLACED, world.cable)  # another seller's

    rows, total = dashboard.seller_orders_to_accept(seller=world.seller_t, now=NOW)

    assert total == 3
    assert [(row.order.pk, row.deadline, row.time_left) for row in rows] == [
        (overdue.pk, NOW - timedelta(hours=1), timedelta(0)),
        (older.pk, NOW + timedelta(hours=11, minutes=30), timedelta(hours=11, minutes=30)),
        (newer.pk, NOW + timedelta(hours=70), timedelta(hours=70)),
    ]


def test_orders_to_accept_show_ten_and_count_them_all(world):
    for _n in range(12):
        order_in(world, S.PLACED)

    rows, total = dashboard.seller_orders_to_accept(seller=world.seller_t)

    assert (len(rows), total) == (10, 12)


def test_orders_to_ship_are_those_the_payment_terms_let_the_seller_ship(world):
    paid = order_in(world, S.PAID)
    waiting_for_money = order_in(world, S.ACCEPTED)
    on_credit = _at(order_in(world, S.ACCEPTED), due_before_shipment=Decimal("0.00"))
    others = [order_in(world, status) for status in (S.PLACED, S.SHIPPED, S.DELIVERED, S.COMPLETED, S.CANCELLED)]
    order_in(world, S.PAID, world.cable)  # another seller's

    listed = dashboard.seller_orders_to_ship(seller=world.seller_t)

    assert (sorted(order.pk for order in listed.rows), listed.total) == (sorted([paid.pk, on_credit.pk]), 2)
    # the same rule the order page asks
    for order in [paid, waiting_for_money, on_credit, *others]:
        assert shipping_allowed(order) == (order.pk in {paid.pk, on_credit.pk})


def test_rfqs_to_quote_are_open_requests_the_seller_has_not_quoted(world):
    quoted = post_rfq(world, title="Quoted towels")
    submit_quote(world, quoted)
    later = post_rfq(world, title="Later towels", deadline=timezone.now() + timedelta(days=9))
    sooner = post_rfq(world, title="Sooner towels", deadline=timezone.now() + timedelta(days=2))
    cancelled = post_rfq(world, title="Cancelled towels")
    rfq_services.rfq_cancel(actor=world.buyer_owner, rfq_id=cancelled.pk)

    mine = dashboard.seller_rfqs_to_quote(seller=world.seller_t)
    cables = dashboard.seller_rfqs_to_quote(seller=world.seller_c)

    assert ([rfq.pk for rfq in mine.rows], mine.total) == ([sooner.pk, later.pk], 2)
    assert (cables.rows, cables.total) == ([], 0)


def test_sales_by_week_sum_accepted_orders_and_leave_out_refused_and_cancelled(world):
    week_now = _at(order_in(world, S.PAID), accepted_at=NOW - timedelta(days=1))        # 2000.00, Tue 8 Dec
    _at(order_in(world, S.ACCEPTED), accepted_at=NOW - timedelta(days=2, hours=1))     # 2000.00, Mon 7 Dec
    _at(order_in(world, S.SHIPPED), accepted_at=NOW - timedelta(days=10))              # 2000.00, Sun 29 Nov
    cancelled = order_in(world, S.ACCEPTED)
    services.order_cancel(order_id=cancelled.pk, actor=world.buyer_owner, reason="Not needed.")
    _at(cancelled, accepted_at=NOW - timedelta(days=1))
    _at(order_in(world, S.COMPLETED), accepted_at=NOW - timedelta(weeks=14))           # before the window
    order_in(world, S.PLACED)                                                          # not accepted
    _at(order_in(world, S.PAID, world.cable), accepted_at=NOW - timedelta(days=1))     # another seller's

    sales = dashboard.seller_sales_by_week(seller=world.seller_t, now=NOW)

    assert list(sales) == ["TRY"]
    weeks = sales["TRY"]
    assert len(weeks) == 13
    assert (weeks[0].start, weeks[-1].start) == (date(2026, 9, 14), date(2026, 12, 7))
    assert [(p.start, p.amount) for p in weeks if p.amount] == [
        (date(2026, 11, 23), Decimal("2000.00")), (date(2026, 12, 7), Decimal("4000.00"))]
    assert week_now.invoice_total == Decimal("2000.00")


def test_sales_of_a_seller_without_orders_are_thirteen_empty_weeks_in_its_currency(world):
    sales = dashboard.seller_sales_by_week(seller=world.seller_c, now=NOW)

    assert list(sales) == ["CNY"]
    assert [p.amount for p in sales["CNY"]] == [Decimal("0.00")] * 13


def test_top_listings_count_orders_then_quantity(world):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        for _n in range(2):
            order_in(world, S.PLACED)
        order_in(world, S.REFUSED)

    top = dashboard.seller_top_listings(seller=world.seller_t, now=NOW)

    assert [(t.listing_id, t.title, t.orders, t.quantity) for t in top] == [(world.towel.pk, "Bath towel", 2, 40)]


# --- buyer --------------------------------------------------------------------------------------------

def test_open_orders_carry_the_next_step_and_who_acts(world):
    with time_machine.travel(NOW, tick=False):
        placed = order_in(world, S.PLACED)
        accepted = order_in(world, S.ACCEPTED)
        shipped = order_in(world, S.SHIPPED)
        disputed = order_in(world, S.DISPUTED)
        order_in(world, S.COMPLETED)
        order_in(world, S.REFUSED)
    other = world.other

    rows, total = dashboard.buyer_open_orders(buyer=world.buyer)
    others, others_total = dashboard.buyer_open_orders(buyer=other)

    assert total == 4
    assert [(row.order.pk, row.next.actor, row.next.action, row.next.deadline) for row in rows] == [
        (placed.pk, "seller", "accept", NOW + timedelta(hours=72)),
        (accepted.pk, "buyer", "pay", NOW + timedelta(days=7)),
        (shipped.pk, "buyer", "confirm_delivery", NOW + timedelta(days=30)),
        (disputed.pk, "moderator", "resolve", None),
    ]
    assert (others, others_total) == ([], 0)


def test_open_rfqs_count_the_quotes_standing(world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    withdrawn = submit_quote(world, rfq, seller=world.seller_h)
    rfq_services.quote_withdraw(actor=world.seller_h_owner, quote_id=withdrawn.pk)
    unanswered = post_rfq(world, title="Bathrobes", deadline=timezone.now() + timedelta(days=3))

    listed = dashboard.buyer_open_rfqs(buyer=world.buyer)

    assert [(r.pk, r.quotes_received) for r in listed.rows] == [(unanswered.pk, 0), (rfq.pk, 1)]
    assert dashboard.buyer_open_rfqs(buyer=world.other).total == 0


def test_spend_by_month_is_the_invoices_in_the_buyers_currency(world):
    with time_machine.travel(NOW - timedelta(days=40), tick=False):   # 30 October
        order_in(world, S.COMPLETED)                                  # 50.00 EUR
        order_in(world, S.PLACED, world.cable)                        # 468.75 EUR
    with time_machine.travel(NOW, tick=False):
        order_in(world, S.PAID)                                       # 50.00 EUR
        order_in(world, S.REFUSED)                                    # left out
    with time_machine.travel(NOW - timedelta(days=400), tick=False):
        order_in(world, S.COMPLETED)                                  # before the twelve months

    spend = dashboard.buyer_spend_by_month(buyer=world.buyer, now=NOW)

    assert [(p.start, p.currency, p.amount) for p in spend] == [
        (date(2026, 10, 1), "EUR", Decimal("518.75")), (date(2026, 12, 1), "EUR", Decimal("50.00"))]
    assert dashboard.buyer_spend_by_month(buyer=world.other, now=NOW) == []
