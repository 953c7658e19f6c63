"""The details of the order moves: payments, shipping, disputes and refunds, stock given back, and
notifications written in the move's transaction."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.http import Http404

from core.exceptions import ApplicationError, Conflict, Forbidden
from marketplace.models import Listing
from notifications.models import Event
from orders import services
from orders.models import Order, OrderEvent, OrderStatus, Payment
from tests.orders.helpers import order_in, place, snapshot

pytestmark = pytest.mark.django_db
S = OrderStatus


def fails(call, exc_type=ApplicationError) -> ApplicationError:
    before = snapshot()
    with pytest.raises(exc_type) as excinfo:
        call()
    assert snapshot() == before
    return excinfo.value


# --- refusal and cancellation give the stock back --------------------------------------------------------

def test_refusing_gives_every_line_back_to_its_listing(world):
    group = place(world, lines=[(world.towel, 20), (world.cable, 300)])
    towel_order, cable_order = group.orders.order_by("pk")

    services.order_refuse(order_id=cable_order.pk, actor=world.seller_c_owner, reason="Sold out at the factory.")

    assert list(Listing.objects.filter(pk__in=[world.towel.pk, world.cable.pk]).order_by("pk")
                .values_list("stock", flat=True)) == [980, 5000]
    cable_order.refresh_from_db()
    assert (cable_order.status, cable_order.refused_at is not None) == (S.REFUSED, True)


def test_a_refusal_needs_a_reason(world):
    order = order_in(world, S.PLACED)

    exc = fails(lambda: services.order_refuse(order_id=order.pk, actor=world.seller_t_owner, reason=" "))

    assert (exc.status_code, exc.code, exc.fields) == (400, "validation_error", {
        "reason": ["A reason is required for this decision."]})


def test_the_seller_cancels_an_accepted_order_with_a_reason(world):
    order = order_in(world, S.ACCEPTED)
    fails(lambda: services.order_cancel(order_id=order.pk, actor=world.seller_t_owner))

    services.order_cancel(order_id=order.pk, actor=world.seller_t_owner, reason="Buyer asked by phone.")

    event = order.events.order_by("-pk").first()
    assert (event.role, event.from_status, event.to_status, event.reason) == (
        "seller", "accepted", "cancelled", "Buyer asked by phone.")
    assert Listing.objects.get(pk=world.towel.pk).stock == 1000


def test_the_seller_cannot_cancel_a_placed_order(world):
    order = order_in(world, S.PLACED)

    exc = fails(lambda: services.order_cancel(order_id=order.pk, actor=world.seller_t_owner, reason="No."), Conflict)

    assert exc.message == "A seller cannot move this order from placed to cancelled."


def test_a_member_of_both_companies_cancels_as_the_buyer(world):
    order = order_in(world, S.PLACED)
    world.buyer_owner.memberships.create(company=world.seller_t, role="staff")

    services.order_cancel(order_id=order.pk, actor=world.buyer_owner)

    assert order.events.order_by("-pk").first().role == "buyer"


def test_an_outsider_cannot_cancel(world):
    order = order_in(world, S.PLACED)

    exc = fails(lambda: services.order_cancel(order_id=order.pk, actor=world.other_owner), Forbidden)

    assert exc.message == "Only the buyer or the seller can do that."


def test_stock_of_a_deleted_listing_is_not_given_back(world):
    second = place(world, lines=[(world.cable, 300)]).orders.get()
    order = order_in(world, S.PLACED)
    Order.objects.filter(pk=second.pk).delete()
    Listing.objects.filter(pk=world.cable.pk).delete()

    services.order_cancel(order_id=order.pk, actor=world.buyer_owner)

    assert order.events.order_by("-pk").first().payload == {"stock_released": {str(world.towel.pk): 20}}


def test_an_unknown_order(world):
    with pytest.raises(Http404):
        services.order_accept(order_id=999_999, actor=world.seller_t_owner)


# --- payment ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("details", "fields"), [
    ({"reference": "", "amount": "2000.00", "method": "card"}, {"reference": [
        "Give the reference shown on the bank transfer."]}),
    ({"reference": "R", "amount": "2000.00", "method": "cash"}, {"method": [
        "Choose bank transfer, letter of credit or card."]}),
    ({"reference": "R", "amount": None, "method": "card"}, {"amount": ["This field is required."]}),
    # EXW: the seller invoices the goods only (2000.00); carriage, duty and VAT (1065.44) go to others.
    ({"reference": "R", "amount": "3065.44", "method": "card"}, {"amount": [
        "At most 2000.00 TRY is still owed; you entered 3065.44 TRY."]}),
    ({"reference": "R", "amount": "2000.001", "method": "card"}, {"amount": [
        "Enter an amount greater than 0 with at most two decimals."]}),
    ({"reference": "R", "amount": "2000.00", "method": "card", "currency": "EUR"}, {"currency": [
        "This order is paid in TRY."]}),
])
def test_payment_details_are_checked(world, details, fields):
    order = order_in(world, S.ACCEPTED)

    exc = fails(lambda: services.order_mark_paid(order_id=order.pk, actor=world.seller_t_owner, **details))

    assert (exc.status_code, exc.fields) == (400, fields)


def test_the_buyer_cannot_record_the_payment(world):
    order = order_in(world, S.ACCEPTED)

    fails(lambda: services.order_transition(order_id=order.pk, actor=world.buyer_owner, to_status=S.PAID,
                                            role="buyer", payload={}), Conflict)
    fails(lambda: services.order_mark_paid(order_id=order.pk, actor=world.buyer_owner, reference="R",
                                           amount="3065.44", method="card"), Forbidden)


def test_unknown_details_are_refused(world):
    order = order_in(world, S.PLACED)

    exc = fails(lambda: services.order_transition(order_id=order.pk, actor=world.seller_t_owner,
                                                  to_status=S.ACCEPTED, role="seller", payload={"discount": "5"}))

    assert exc.fields == {"discount": ["This field cannot be set."]}


# --- shipping --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("details", "fields"), [
    ({"carrier": "", "tracking_number": "T1"}, {"carrier": ["This field is required."]}),
    ({"carrier": "DHL", "tracking_number": ""}, {"tracking_number": ["This field is required."]}),
    ({"carrier": "DHL", "tracking_number": "T1", "documents": ["x"] * 21}, {"documents": [
        "Give at most 20 document names."]}),
    ({"carrier": "DHL", "tracking_number": "T1", "documents": [""]}, {"documents": [
        "Each document name has 1 to 200 characters."]}),
])
def test_shipping_details_are_checked(world, details, fields):
    order = order_in(world, S.PAID)

    exc = fails(lambda: services.order_ship(order_id=order.pk, actor=world.seller_t_owner, **details))

    assert exc.fields == fields


# --- disputes and refunds --------------------------------------------------------------------------------

def test_a_dispute_needs_a_reason(world):
    order = order_in(world, S.DELIVERED)

    exc = fails(lambda: services.order_dispute(order_id=order.pk, actor=world.buyer_owner, reason=""))

    assert exc.fields == {"reason": ["A reason is required for this decision."]}


def test_a_dispute_after_the_window_is_refused(world, settings):
    order = order_in(world, S.DELIVERED)

    with time_machine.travel(order.delivered_at + timedelta(days=14, seconds=1), tick=False):
        exc = fails(lambda: services.order_dispute(order_id=order.pk, actor=world.buyer_owner, reason="Late."),
                    Conflict)
    with time_machine.travel(order.delivered_at + timedelta(days=14), tick=False):
        services.order_dispute(order_id=order.pk, actor=world.buyer_owner, reason="Just in time.")

    assert (exc.code, exc.message) == ("dispute_window_closed", "Disputes can be opened up to 14 days after delivery.")


@pytest.mark.parametrize(("refund", "stored"), [(None, None), ("0", Decimal("0.00")), ("2000.00", Decimal("2000.00"))])
def test_a_refund_up_to_the_amount_paid(world, refund, stored):
    order = order_in(world, S.DISPUTED)

    services.order_resolve(order_id=order.pk, actor=world.moderator, reason="Decided.", refund_amount=refund)

    order.refresh_from_db()
    assert (order.status, order.refund_amount) == (S.RESOLVED, stored)


@pytest.mark.parametrize(("refund", "code", "message"), [
    ("2000.01", "refund_too_large", "The refund cannot be more than the 2000.00 TRY paid."),
    ("-1", "validation_error", "Enter an amount of at least 0 with at most two decimals."),
    ("ten", "validation_error", "Enter an amount."),
])
def test_a_refund_beyond_the_amount_paid_is_refused(world, refund, code, message):
    order = order_in(world, S.DISPUTED)

    exc = fails(lambda: services.order_resolve(order_id=order.pk, actor=world.moderator, reason="Decided.",
                                               refund_amount=refund))

    assert (exc.code, exc.fields) == (code, {"refund_amount": [message]})


def test_the_database_refuses_a_refund_above_the_invoice_total(world):
    order = order_in(world, S.RESOLVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(refund_amount=Decimal("2000.01"))


# --- notifications in the move's transaction -------------------------------------------------------------

def test_each_move_writes_its_notification_before_it_commits(world, django_capture_on_commit_callbacks):
    order = order_in(world, S.PLACED)

    with django_capture_on_commit_callbacks() as callbacks:
        services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
        move = order.events.order_by("-pk").first()
        assert list(Event.objects.filter(name="order.status_changed").values_list(
            "company_id", "context__order_event_id")) == [(world.buyer.pk, move.pk)]

    # The publish of the outbox rows, then the seller's performance update (a task queued through core.queue).
    assert [getattr(callback, "__name__", None) or callback.args[0].name for callback in callbacks] == [
        "deliveries_publish", "trust.tasks.seller_performance_update"]


def test_a_move_that_rolls_back_queues_nothing(world, django_capture_on_commit_callbacks):
    order = order_in(world, S.PLACED)
    events_before = Event.objects.count()

    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
            transaction.set_rollback(True)

    assert callbacks == []
    order.refresh_from_db()
    assert order.status == S.PLACED
    assert OrderEvent.objects.filter(order=order).count() == 1
    assert Event.objects.count() == events_before


def test_payment_is_recorded_once(world):
    order = order_in(world, S.PAID)

    exc = fails(lambda: services.order_mark_paid(order_id=order.pk, actor=world.seller_t_owner, reference="R2",
                                                 amount=order.invoice_total, method="card"))
    assert (exc.code, exc.fields) == ("amount_over_due", {"amount": ["Nothing more is owed on this order."]})
    assert Payment.objects.filter(order=order).count() == 1
