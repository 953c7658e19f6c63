"""A suspended company makes no buyer or seller move except those the other party needs to be made
whole (orders.transitions.SUSPENDED_MAY, README "Suspension")."""
from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.models import Company
from accounts.models import VerificationStatus as V
from core.exceptions import Forbidden
from marketplace import services as listing_services
from marketplace.models import ListingStatus
from orders import services
from orders.services import rfq as rfq_services
from orders.services.payments import order_moves_available
from orders.models import Order, OrderRole, OrderStatus
from orders.transitions import ORDER_FLOW, SUSPENDED_MAY
from tests.core.helpers import assert_error
from tests.factories.marketplace import ListingFactory
from tests.orders.helpers import order_in, place, place_order, snapshot
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, quote_terms

S = OrderStatus
R = OrderRole
SUSPENDED = "Tekstil A.S. is suspended: it can only finish what it owes on orders already placed."


def suspend(world, company) -> None:
    Company.objects.filter(pk=company.pk).update(verification_status=V.VERIFIED)
    account_services.company_suspend(company=Company.objects.get(pk=company.pk), actor=world.moderator,
                                     reason="Fraud report under review")


def test_an_order_placed_before_the_suspension_cannot_be_accepted_by_the_suspended_seller(world, as_user):
    order = place_order(world)
    suspend(world, world.seller_t)
    before = snapshot()

    response = as_user(world.seller_t_owner).post(f"/api/v1/orders/{order.pk}/accept/", {}, format="json")

    assert_error(response, 403, "company_suspended", message=SUSPENDED)
    assert snapshot() == before
    assert Order.objects.get(pk=order.pk).status == S.PLACED


def test_the_suspended_seller_may_still_refuse_the_order_so_the_buyer_is_free(world):
    order = place_order(world)
    suspend(world, world.seller_t)

    services.order_refuse(order_id=order.pk, actor=world.seller_t_owner, reason="Cannot serve it now.")

    assert Order.objects.get(pk=order.pk).status == S.REFUSED


def test_the_suspended_seller_ships_a_paid_order(world):
    order = order_in(world, S.PAID)
    suspend(world, world.seller_t)

    services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="Maersk", tracking_number="MSK9",
                        documents=["invoice.pdf"])

    assert Order.objects.get(pk=order.pk).status == S.SHIPPED


def test_the_suspended_seller_records_a_payment_the_buyer_made(world):
    order = order_in(world, S.ACCEPTED)
    suspend(world, world.seller_t)

    services.order_mark_paid(order_id=order.pk, actor=world.seller_t_owner, reference="TT-9",
                             amount=order.invoice_total, method="bank_transfer")

    assert Order.objects.get(pk=order.pk).status == S.PAID


def test_a_suspended_buyer_confirms_delivery_but_cannot_check_out(world):
    order = order_in(world, S.SHIPPED)
    suspend(world, world.buyer)

    services.order_confirm_delivery(order_id=order.pk, actor=world.buyer_owner)
    with pytest.raises(Forbidden) as exc:
        place(world, buyer=Company.objects.get(pk=world.buyer.pk))

    assert Order.objects.get(pk=order.pk).status == S.DELIVERED
    assert (exc.value.code, Order.objects.filter(buyer=world.buyer).count()) == ("company_suspended", 1)


def test_a_suspended_buyer_cannot_ask_for_quotes_and_a_suspended_seller_cannot_quote(db):
    rw = build_rfq_world()
    rfq = post_rfq(rw)
    suspend(rw, rw.seller_t)
    suspend(rw, rw.buyer)

    with pytest.raises(Forbidden) as quoting:
        rfq_services.quote_submit(actor=rw.seller_t_owner, seller=Company.objects.get(pk=rw.seller_t.pk),
                                  rfq_id=rfq.pk, **quote_terms())
    with pytest.raises(Forbidden) as asking:
        post_rfq(rw, buyer=Company.objects.get(pk=rw.buyer.pk))

    assert (quoting.value.code, asking.value.code) == ("company_suspended", "company_suspended")


def test_a_suspended_seller_cannot_submit_a_listing_for_review(world):
    listing = ListingFactory(seller=world.seller_t, actor=world.seller_t_owner, status=ListingStatus.DRAFT)
    suspend(world, world.seller_t)

    with pytest.raises(Forbidden) as exc:
        listing_services.listing_submit(listing=listing, actor=world.seller_t_owner)

    assert exc.value.code == "company_suspended"
    assert listing.__class__.objects.get(pk=listing.pk).status == ListingStatus.DRAFT


def test_after_reinstatement_the_seller_accepts_again(world):
    order = place_order(world)
    suspend(world, world.seller_t)
    account_services.company_reinstate(company=Company.objects.get(pk=world.seller_t.pk), actor=world.moderator)

    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)

    assert Order.objects.get(pk=order.pk).status == S.ACCEPTED


def test_the_moves_kept_while_suspended_are_moves_of_the_table_and_leave_out_new_business():
    assert SUSPENDED_MAY <= ORDER_FLOW.triples()
    assert ("placed", "accepted", R.SELLER) not in SUSPENDED_MAY
    assert ("accepted", "shipped", R.SELLER) not in SUSPENDED_MAY
    assert ("", "placed", R.BUYER) not in SUSPENDED_MAY
    # every move of a table row is either kept or refused, never by the system or a moderator
    assert {role for _f, _t, role in SUSPENDED_MAY} == {R.BUYER, R.SELLER}


def test_the_moves_offered_to_a_suspended_seller_are_the_ones_it_may_take(world):
    placed = place_order(world)
    suspend(world, world.seller_t)
    placed = Order.objects.select_related("buyer", "seller").get(pk=placed.pk)

    seller_moves = order_moves_available(placed, {R.SELLER})
    buyer_moves = order_moves_available(placed, {R.BUYER})

    assert seller_moves == {(R.SELLER, S.REFUSED)}
    assert buyer_moves == {(R.BUYER, S.CANCELLED)}
