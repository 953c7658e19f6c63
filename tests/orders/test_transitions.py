"""The order life cycle: the table itself, every allowed move through the services, and every move
the table does not allow refused with a 409 and nothing changed."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.exceptions import Conflict, Forbidden
from core.statemachine import MoveNotAllowed, ReasonRequired
from orders import services
from marketplace.models import Listing
from django.db.models import F

from orders.models import Instalment, Order, OrderEvent, OrderRole, OrderStatus, Payment
from orders.transitions import NEW, ORDER_FLOW, ROLES, STATUSES
from tests.orders.helpers import actor_for, order_in, snapshot

S = OrderStatus
R = OrderRole

ALLOWED = {
    (NEW, S.PLACED, R.BUYER),
    (S.PLACED, S.ACCEPTED, R.SELLER),
    (S.PLACED, S.REFUSED, R.SELLER),
    (S.PLACED, S.REFUSED, R.SYSTEM),
    (S.PLACED, S.CANCELLED, R.BUYER),
    (S.ACCEPTED, S.PAID, R.SELLER),
    (S.ACCEPTED, S.PAID, R.SYSTEM),
    (S.ACCEPTED, S.SHIPPED, R.SELLER),
    (S.ACCEPTED, S.CANCELLED, R.BUYER),
    (S.ACCEPTED, S.CANCELLED, R.SELLER),
    (S.ACCEPTED, S.CANCELLED, R.SYSTEM),
    (S.PAID, S.SHIPPED, R.SELLER),
    (S.SHIPPED, S.DELIVERED, R.BUYER),
    (S.SHIPPED, S.DELIVERED, R.SYSTEM),
    (S.DELIVERED, S.COMPLETED, R.BUYER),
    (S.DELIVERED, S.COMPLETED, R.SYSTEM),
    (S.DELIVERED, S.DISPUTED, R.BUYER),
    (S.DISPUTED, S.RESOLVED, R.MODERATOR),
    (S.RESOLVED, S.COMPLETED, R.BUYER),
    (S.RESOLVED, S.COMPLETED, R.SYSTEM),
}

# Details a move needs besides the reason.
PAYLOADS = {
    S.SHIPPED: {"carrier": "Maersk", "tracking_number": "MSK-77", "documents": ["invoice.pdf", "packing-list.pdf"]},
    S.RESOLVED: {"refund_amount": "250.00"},
}


def test_the_table_holds_exactly_the_moves_of_the_issue():
    assert ORDER_FLOW.triples() == ALLOWED


@pytest.mark.parametrize(("from_status", "to_status", "role"), [
    (S.PLACED, S.REFUSED, R.SELLER), (S.ACCEPTED, S.CANCELLED, R.BUYER), (S.ACCEPTED, S.CANCELLED, R.SELLER),
    (S.DELIVERED, S.DISPUTED, R.BUYER), (S.DISPUTED, S.RESOLVED, R.MODERATOR)])
def test_moves_that_need_a_reason(from_status, to_status, role):
    with pytest.raises(ReasonRequired):
        ORDER_FLOW.check(from_status=from_status, to_status=to_status, role=role, reason="  ")
    assert ORDER_FLOW.check(from_status=from_status, to_status=to_status, role=role, reason="Because.")


def test_a_buyer_cancels_a_placed_order_without_a_reason():
    assert ORDER_FLOW.check(from_status=S.PLACED, to_status=S.CANCELLED, role=R.BUYER, reason="")


def test_check_names_the_states_and_role_it_refuses():
    with pytest.raises(MoveNotAllowed) as excinfo:
        ORDER_FLOW.check(from_status=S.PLACED, to_status=S.ACCEPTED, role=R.BUYER)
    assert str(excinfo.value) == "A buyer cannot move this order from placed to accepted."
    with pytest.raises(MoveNotAllowed) as excinfo:
        ORDER_FLOW.check(from_status=S.PAID, to_status=S.PLACED, role=R.SELLER)
    assert str(excinfo.value) == "This order cannot go from paid to placed."


def test_targets_per_role():
    assert sorted(ORDER_FLOW.targets(S.PLACED, R.SELLER)) == ["accepted", "refused"]
    assert ORDER_FLOW.targets(S.PLACED, R.BUYER) == ["cancelled"]
    assert ORDER_FLOW.targets(S.DISPUTED, R.MODERATOR) == ["resolved"]
    assert ORDER_FLOW.targets(S.COMPLETED, R.BUYER) == []


ALLOWED_MOVES = sorted((f, t, r) for f, t, r in ALLOWED if f != NEW)


@pytest.mark.parametrize(("from_status", "to_status", "role"), ALLOWED_MOVES)
def test_every_allowed_move_through_order_transition(world, from_status, to_status, role):
    order = order_in(world, from_status)
    stock_before = Listing.objects.get(pk=world.towel.pk).stock
    events_before = OrderEvent.objects.filter(order=order).count()
    payload = dict(PAYLOADS.get(to_status, {}))
    if to_status == S.PAID:
        # The move itself records no money: it needs everything due before shipment paid already.
        Instalment.objects.filter(order=order).update(paid_amount=F("amount"), status="paid")
    if (from_status, to_status) == (S.ACCEPTED, S.SHIPPED):
        # Straight to shipped only under terms with nothing due before shipment (net days, letter of credit).
        Order.objects.filter(pk=order.pk).update(due_before_shipment=0)

    moved = services.order_transition(order_id=order.pk, actor=actor_for(world, order, role), to_status=to_status,
                                      role=role, reason="Agreed with both parties.", payload=payload)

    moved.refresh_from_db()
    assert moved.status == to_status
    event = OrderEvent.objects.filter(order=order).order_by("-pk").first()
    assert OrderEvent.objects.filter(order=order).count() == events_before + 1
    assert (event.from_status, event.to_status, event.role, event.reason) == (
        from_status, to_status, role, "Agreed with both parties.")
    assert event.actor == actor_for(world, order, role)
    assert event.sent_at is None
    stamp = {S.ACCEPTED: "accepted_at", S.REFUSED: "refused_at", S.CANCELLED: "cancelled_at", S.PAID: "paid_at",
             S.SHIPPED: "shipped_at", S.DELIVERED: "delivered_at", S.DISPUTED: "disputed_at",
             S.RESOLVED: "resolved_at", S.COMPLETED: "completed_at"}[to_status]
    assert getattr(moved, stamp) == event.created_at
    stock_after = Listing.objects.get(pk=world.towel.pk).stock
    if to_status in (S.REFUSED, S.CANCELLED):
        assert stock_after == stock_before + 20
        assert event.payload == {"stock_released": {str(world.towel.pk): 20}}
    else:
        assert stock_after == stock_before
    if to_status == S.PAID:
        assert event.payload == {}
        assert not Payment.objects.filter(order=order).exists()
    if to_status == S.SHIPPED:
        assert (moved.carrier, moved.tracking_number, moved.shipping_documents) == (
            "Maersk", "MSK-77", ["invoice.pdf", "packing-list.pdf"])
        assert event.payload == PAYLOADS[S.SHIPPED]
    if to_status == S.RESOLVED:
        assert moved.refund_amount == Decimal("250.00")
        assert event.payload == {"refund_amount": "250.00", "currency": "TRY"}


FORBIDDEN = [(f, t, r) for f in STATUSES for t in STATUSES for r in ROLES if (f, t, r) not in ALLOWED]


def test_the_forbidden_list_covers_every_other_triple():
    assert len(FORBIDDEN) == 10 * 10 * 4 - (len(ALLOWED) - 1)


def test_the_paid_move_needs_the_money_due_before_shipment(world):
    order = order_in(world, S.ACCEPTED)
    before = snapshot()
    with pytest.raises(Conflict) as excinfo:
        services.order_transition(order_id=order.pk, actor=world.seller_t_owner, to_status=S.PAID, role=R.SELLER)
    assert excinfo.value.code == "payment_outstanding"
    assert excinfo.value.message == "2000.00 TRY is still owed before shipment; record the payment first."
    with pytest.raises(Conflict) as excinfo:
        services.order_transition(order_id=order.pk, actor=world.seller_t_owner, to_status=S.SHIPPED, role=R.SELLER,
                                  payload=PAYLOADS[S.SHIPPED])
    assert excinfo.value.code == "payment_outstanding"
    assert snapshot() == before


@pytest.mark.parametrize("from_status", STATUSES)
def test_every_move_outside_the_table_is_a_conflict_and_changes_nothing(world, from_status):
    order = order_in(world, from_status)
    before = snapshot()
    refused = 0
    for frm, to_status, role in FORBIDDEN:
        if frm != from_status:
            continue
        with pytest.raises(Conflict) as excinfo:
            services.order_transition(order_id=order.pk, actor=actor_for(world, order, role), to_status=to_status,
                                      role=role, reason="Trying.", payload=PAYLOADS.get(to_status, {}))
        assert excinfo.value.code == "invalid_transition"
        assert excinfo.value.status_code == 409
        refused += 1
    assert refused == len([1 for f, _t, _r in FORBIDDEN if f == from_status])
    assert snapshot() == before


def test_a_member_of_neither_company_cannot_act_as_buyer_or_seller(world):
    order = order_in(world, S.PLACED)
    before = snapshot()
    for role, to_status in ((R.BUYER, S.CANCELLED), (R.SELLER, S.ACCEPTED)):
        with pytest.raises(Forbidden) as excinfo:
            services.order_transition(order_id=order.pk, actor=world.other_owner, to_status=to_status, role=role)
        assert excinfo.value.status_code == 403
    with pytest.raises(Forbidden):
        services.order_transition(order_id=order.pk, actor=world.buyer_owner, to_status=S.REFUSED, role=R.SYSTEM,
                                  reason="Pretending.")
    with pytest.raises(Forbidden):
        services.order_transition(order_id=order.pk, actor=world.buyer_owner, to_status=S.ACCEPTED, role=R.SELLER)
    assert snapshot() == before


def test_a_moderator_of_a_party_cannot_resolve(world):
    order = order_in(world, S.DISPUTED)
    world.moderator.memberships.create(company=world.seller_t, role="staff")
    before = snapshot()
    with pytest.raises(Forbidden) as excinfo:
        services.order_resolve(order_id=order.pk, actor=world.moderator, reason="Mine.", refund_amount="0")
    assert excinfo.value.message == "A moderator cannot decide on an order of their own company."
    assert snapshot() == before


def test_a_plain_user_cannot_act_as_moderator(world):
    order = order_in(world, S.DISPUTED)
    before = snapshot()
    with pytest.raises(Forbidden):
        services.order_resolve(order_id=order.pk, actor=world.other_owner, reason="Me.", refund_amount="0")
    assert snapshot() == before


def test_action_names_come_from_the_moves_a_viewer_may_take():
    from orders.transitions import ACTIONS, actions_for

    # Every move a person (not the system) takes has an action, except placing, which is the checkout.
    assert set(ACTIONS.values()) == {to for (_frm, to), move in ORDER_FLOW.moves.items()
                                     if move.roles - {R.SYSTEM}} - {S.PLACED}
    assert actions_for({(R.SELLER, S.ACCEPTED), (R.SELLER, S.REFUSED)}) == ["accept", "refuse"]
    assert actions_for({(R.BUYER, S.CANCELLED), (R.SELLER, S.PAID)}) == ["cancel", "pay"]
    assert actions_for(set()) == []
