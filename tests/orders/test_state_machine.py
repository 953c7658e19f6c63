"""Random sequences of everything people and the clock do to orders, with the invariants checked
after every step: no move outside the table, every event chain ending in the order's state, stock
conserved, money adding up and refunds within what was paid."""
from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
import time_machine
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from core.exceptions import ApplicationError
from marketplace.models import Listing
from orders import services
from orders.models import RELEASED_STATUSES, Order, OrderEvent, OrderLine, OrderStatus, Payment, PurchaseGroup
from orders.services.timed import order_timed_moves_run
from orders.transitions import NEW, ORDER_FLOW, TIMESTAMP_FIELD

pytestmark = pytest.mark.django_db
S = OrderStatus
COMPONENTS = ("goods_total", "shipping", "insurance", "duty", "vat")
PAYER_KEYS = {"goods_total": "goods", "shipping": "shipping", "insurance": "insurance", "duty": "duty", "vat": "vat"}
PAID_STATES = {S.PAID, S.SHIPPED, S.DELIVERED, S.DISPUTED, S.RESOLVED, S.COMPLETED}
ACTIONS = ("accept", "refuse", "cancel_buyer", "cancel_seller", "pay", "pay_wrong", "ship", "deliver", "complete",
           "dispute", "resolve", "resolve_too_much")


class OrderLife(RuleBasedStateMachine):
    world = None

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.traveller = time_machine.travel(timezone.now(), tick=False)
        self.clock = self.traveller.start()
        w = self.world
        # Little stock, so checkouts run out of it.
        Listing.objects.filter(pk=w.towel.pk).update(stock=60)
        Listing.objects.filter(pk=w.cable.pk).update(stock=700)
        self.initial_stock = {w.towel.pk: 60, w.cable.pk: 700}
        self.buyers = {"buyer": (w.buyer, w.buyer_owner), "other": (w.other, w.other_owner)}
        self.listings = {"towel": w.towel, "cable": w.cable}

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.traveller.stop()

    # --- what people do ------------------------------------------------------------------------------

    @rule(buyer=st.sampled_from(["buyer", "other"]), listing=st.sampled_from(["towel", "cable"]),
          steps=st.integers(0, 6), incoterm=st.sampled_from([None, "FOB", "EXW", "CIF"]))
    def add_to_cart(self, buyer, listing, steps, incoterm):
        company, user = self.buyers[buyer]
        item = self.listings[listing]
        try:
            services.cart_line_add(actor=user, buyer=company, listing_id=item.pk,
                                   quantity=item.moq + steps * item.order_multiple, incoterm=incoterm)
        except ApplicationError:
            pass

    @initialize(towel_steps=st.integers(0, 4), cable_steps=st.integers(0, 2))
    def both_buyers_order(self, towel_steps, cable_steps):
        """Each buyer starts with a checkout of both listings, so there are orders from the first step."""
        w = self.world
        for name, key in (("buyer", "start-1"), ("other", "start-2")):
            company, user = self.buyers[name]
            services.cart_line_add(actor=user, buyer=company, listing_id=w.towel.pk, quantity=10 + 5 * towel_steps)
            services.cart_line_add(actor=user, buyer=company, listing_id=w.cable.pk,
                                   quantity=100 + 100 * cable_steps)
            services.checkout_place(actor=user, buyer=company, idempotency_key=key)

    @rule(buyer=st.sampled_from(["buyer", "other"]), listing=st.sampled_from(["towel", "cable"]),
          steps=st.integers(0, 6), key=st.text("abc", min_size=1, max_size=3))
    def buy(self, buyer, listing, steps, key):
        """Add one listing and check out at once (keys repeat, so some are replays or conflicts)."""
        self.add_to_cart(buyer, listing, steps, None)
        self.checkout(buyer, key, None)

    @rule(buyer=st.sampled_from(["buyer", "other"]), key=st.sampled_from(["k1", "k2", "k3", "k4", "k5", "k6"]),
          incoterm=st.sampled_from([None, "FOB", "EXW", "CIF"]))
    def checkout(self, buyer, key, incoterm):
        company, user = self.buyers[buyer]
        incoterms = {self.world.seller_c.pk: incoterm} if incoterm else None
        groups = PurchaseGroup.objects.count()
        try:
            result = services.checkout_place(actor=user, buyer=company, idempotency_key=key, incoterms=incoterms)
        except ApplicationError:
            assert PurchaseGroup.objects.count() == groups
            return
        assert PurchaseGroup.objects.count() == groups + (0 if result.replayed else 1)

    @rule(data=st.data(), action=st.sampled_from(ACTIONS), outsider=st.booleans(), fraction=st.integers(0, 100))
    def move(self, data, action, outsider, fraction):
        ids = list(Order.objects.order_by("pk").values_list("pk", flat=True))
        if not ids:
            return
        order = Order.objects.get(pk=data.draw(st.sampled_from(ids)))
        w = self.world
        buyer_user = w.buyer_owner if order.buyer_id == w.buyer.pk else w.other_owner
        seller_user = w.seller_t_owner if order.seller_id == w.seller_t.pk else w.seller_c_owner
        if outsider:  # the wrong person tries
            buyer_user, seller_user = seller_user, buyer_user
        calls = {
            "accept": lambda: services.order_accept(order_id=order.pk, actor=seller_user),
            "refuse": lambda: services.order_refuse(order_id=order.pk, actor=seller_user, reason="No capacity."),
            "cancel_buyer": lambda: services.order_cancel(order_id=order.pk, actor=buyer_user, reason="Changed.",
                                                          role="buyer"),
            "cancel_seller": lambda: services.order_cancel(order_id=order.pk, actor=seller_user, reason="Sorry.",
                                                           role="seller"),
            "pay": lambda: services.order_mark_paid(order_id=order.pk, actor=seller_user, reference="R",
                                                    amount=order.invoice_total - order.amount_paid, method="card"),
            "pay_wrong": lambda: services.order_mark_paid(order_id=order.pk, actor=seller_user, reference="R",
                                                          amount=order.invoice_total - order.amount_paid + 1,
                                                          method="card"),
            "ship": lambda: services.order_ship(order_id=order.pk, actor=seller_user, carrier="DHL",
                                                tracking_number="1"),
            "deliver": lambda: services.order_confirm_delivery(order_id=order.pk, actor=buyer_user),
            "complete": lambda: services.order_complete(order_id=order.pk, actor=buyer_user),
            "dispute": lambda: services.order_dispute(order_id=order.pk, actor=buyer_user, reason="Broken."),
            "resolve": lambda: services.order_resolve(
                order_id=order.pk, actor=w.moderator, reason="Decided.",
                refund_amount=(order.amount_paid * fraction / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)),
            "resolve_too_much": lambda: services.order_resolve(order_id=order.pk, actor=w.moderator, reason="Oops.",
                                                               refund_amount=order.amount_paid + Decimal("0.01")),
        }
        status = order.status
        events = OrderEvent.objects.filter(order=order).count()
        try:
            calls[action]()
        except (ApplicationError, Http404):
            order.refresh_from_db()
            assert order.status == status
            assert OrderEvent.objects.filter(order=order).count() == events
            return
        assert action not in ("pay_wrong", "resolve_too_much")
        assert OrderEvent.objects.filter(order=order).count() == events + 1

    @rule(data=st.data(), fraction=st.integers(0, 100))
    def progress(self, data, fraction):
        """Someone takes one of the moves the table allows from the order's state, with valid details."""
        live = list(Order.objects.exclude(status__in=[S.REFUSED, S.CANCELLED, S.COMPLETED]).order_by("pk")
                    .values_list("pk", flat=True))
        if not live:
            return
        order = Order.objects.get(pk=data.draw(st.sampled_from(live)))
        moves = sorted((to, role) for frm, to, role in ORDER_FLOW.triples()
                       if frm == order.status and role != "system")
        to_status, role = data.draw(st.sampled_from(moves))
        w = self.world
        actor = {"buyer": w.buyer_owner if order.buyer_id == w.buyer.pk else w.other_owner,
                 "seller": w.seller_t_owner if order.seller_id == w.seller_t.pk else w.seller_c_owner,
                 "moderator": w.moderator}[role]
        payload = {}
        if to_status == S.PAID:
            # The paid move is taken by recording what is owed before shipment.
            services.order_mark_paid(order_id=order.pk, actor=actor, reference="R",
                                     amount=order.invoice_total - order.amount_paid, method="bank_transfer")
            order.refresh_from_db()
            assert order.status == S.PAID
            return
        if to_status == S.SHIPPED:
            payload = {"carrier": "DHL", "tracking_number": "1"}
        elif to_status == S.RESOLVED:
            payload = {"refund_amount": str((order.amount_paid * fraction / 100).quantize(
                Decimal("0.01"), rounding=ROUND_DOWN))}
        try:
            services.order_transition(order_id=order.pk, actor=actor, to_status=to_status, role=role,
                                      reason="Because.", payload=payload)
        except ApplicationError as exc:
            # The valid moves that may be refused: a dispute after the window, and shipping an accepted
            # order whose payment terms want money first.
            assert exc.code in ("dispute_window_closed", "payment_outstanding")
            assert exc.code != "payment_outstanding" or (order.status, to_status) == (S.ACCEPTED, S.SHIPPED)
            return
        order.refresh_from_db()
        assert order.status == to_status

    @rule(hours=st.one_of(st.integers(1, 48), st.integers(48, 24 * 35)))
    def time_passes(self, hours):
        self.clock.shift(timedelta(hours=hours))
        order_timed_moves_run()

    # --- what must always hold -----------------------------------------------------------------------

    @invariant()
    def every_event_is_a_move_of_the_table_and_chains_to_the_state(self):
        allowed = ORDER_FLOW.triples()
        chains: dict[int, list] = {}
        for order_id, frm, to, role in OrderEvent.objects.order_by("pk").values_list(
                "order_id", "from_status", "to_status", "role"):
            assert (frm, to, role) in allowed
            chains.setdefault(order_id, []).append((frm, to))
        for order in Order.objects.all():
            chain = chains[order.pk]
            assert chain[0] == (NEW, S.PLACED)
            assert all(prev[1] == nxt[0] for prev, nxt in zip(chain, chain[1:]))
            assert chain[-1][1] == order.status
            for state, field in TIMESTAMP_FIELD.items():
                assert (getattr(order, field) is not None) == any(to == state for _f, to in chain)

    @invariant()
    def stock_is_conserved(self):
        held: dict[int, int] = {}
        for listing_id, quantity in OrderLine.objects.exclude(order__status__in=RELEASED_STATUSES).values_list(
                "listing_id", "quantity"):
            held[listing_id] = held.get(listing_id, 0) + quantity
        for listing_id, initial in self.initial_stock.items():
            assert initial == Listing.objects.get(pk=listing_id).stock + held.get(listing_id, 0)

    @invariant()
    def money_adds_up(self):
        payments: dict[int, list] = {}
        for p in Payment.objects.order_by("pk"):
            payments.setdefault(p.order_id, []).append(p)
        for order in Order.objects.prefetch_related("lines"):
            lines = list(order.lines.all())
            assert lines
            assert all(line.line_total == line.unit_price * line.quantity for line in lines)
            assert order.goods_total == sum(line.line_total for line in lines)
            assert order.total == sum(getattr(order, c) for c in COMPONENTS)
            assert order.invoice_total + order.buyer_other_costs == order.total
            assert order.invoice_total == sum(getattr(order, c) for c in COMPONENTS
                                              if c == "goods_total" or order.payer[PAYER_KEYS[c]] == "seller")
            paid = payments.get(order.pk, [])
            assert order.amount_paid == sum((p.amount for p in paid), Decimal("0.00"))
            assert all(p.currency == order.currency for p in paid)
            # Advance terms: the order is paid exactly when the whole invoice is.
            assert (order.amount_paid == order.invoice_total) == (order.paid_at is not None)
            if order.refund_amount is not None:
                assert order.resolved_at is not None
                assert Decimal("0") <= order.refund_amount <= order.amount_paid
        assert all(group.orders.exists() for group in PurchaseGroup.objects.all())


def test_random_order_lives_keep_every_invariant(world):
    OrderLife.world = world
    run_state_machine_as_test(OrderLife, settings=settings(
        max_examples=25, stateful_step_count=40, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
