"""Payment terms, the payment schedule of an order, payments against instalments, the paid move and
overdue reminders."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError, Conflict, Forbidden
from notifications.models import Event
from orders import services
from orders.models import Instalment, Order, OrderEvent, OrderStatus, Payment, SellerPaymentTerm, TrustedBuyer
from orders.payment_terms import Terms, schedule, terms_from_code
from orders.selectors import payment_terms_offered
from orders.services.payments import (
    instalments_remind_overdue,
    payment_record,
    payment_term_add,
    payment_term_withdraw,
    trusted_buyer_set,
)
from payments.references import rf_reference_for_order
from tests.orders.helpers import place, place_order

pytestmark = pytest.mark.django_db

# 20 towels at 100.00 TRY to DE under EXW: goods 2000.00; the buyer pays carriage, duty and VAT to others.
GOODS = D("2000.00")


def _accepted(world, **checkout):
    group = place(world, lines=[(world.towel, 20)], **checkout)
    order = group.orders.get()
    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
    order.refresh_from_db()
    return order


def _instalments(order):
    return list(Instalment.objects.filter(order=order).order_by("sequence").values_list(
        "sequence", "due", "amount", "paid_amount", "status"))


# --- the terms ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "expected"), [
    ("advance", Terms(kind="advance")),
    ("deposit_30", Terms(kind="deposit", deposit_percent=30)),
    ("DEPOSIT_1", Terms(kind="deposit", deposit_percent=1)),
    ("deposit_99", Terms(kind="deposit", deposit_percent=99)),
    ("letter_of_credit", Terms(kind="letter_of_credit")),
    ("net_1", Terms(kind="net", net_days=1)),
    ("net_180", Terms(kind="net", net_days=180)),
    ("deposit_0", None), ("deposit_100", None), ("net_0", None), ("net_181", None), ("net_", None),
    ("net_1000", None), ("cash", None), ("", None), ("deposit_3a", None),
])
def test_terms_codes(code, expected):
    assert terms_from_code(code) == expected


@pytest.mark.parametrize(("terms", "invoice", "expected"), [
    (Terms(kind="advance"), D("2000.00"), [(1, "on_acceptance", D("2000.00"))]),
    (Terms(kind="deposit", deposit_percent=30), D("2000.00"),
     [(1, "on_acceptance", D("600.00")), (2, "before_shipment", D("1400.00"))]),
    # 33 % of 100.01 = 33.0033 -> 33.00; the balance takes the rest, so the parts add up exactly.
    (Terms(kind="deposit", deposit_percent=33), D("100.01"),
     [(1, "on_acceptance", D("33.00")), (2, "before_shipment", D("67.01"))]),
    # 1 % of 0.40 = 0.004 -> 0.00: an instalment of zero is left out.
    (Terms(kind="deposit", deposit_percent=1), D("0.40"), [(1, "before_shipment", D("0.40"))]),
    (Terms(kind="letter_of_credit"), D("2000.00"), [(1, "on_documents", D("2000.00"))]),
    (Terms(kind="net", net_days=60), D("2000.00"), [(1, "after_delivery", D("2000.00"))]),
    (Terms(kind="advance"), D("0.00"), []),
])
def test_schedule(terms, invoice, expected):
    assert [(i.sequence, i.due, i.amount) for i in schedule(terms, invoice)] == expected


def test_a_seller_with_no_terms_offers_advance_and_net_terms_need_trust(world):
    assert payment_terms_offered(seller_ids=[world.seller_t.pk], buyer_id=world.buyer.pk) == {
        world.seller_t.pk: [Terms(kind="advance")]}
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="net_60")
    assert payment_terms_offered(seller_ids=[world.seller_t.pk], buyer_id=world.buyer.pk)[world.seller_t.pk] == [
        Terms(kind="deposit", deposit_percent=30)]
    trusted_buyer_set(actor=world.seller_t_owner, seller=world.seller_t, buyer_id=world.buyer.pk, trusted=True)
    assert payment_terms_offered(seller_ids=[world.seller_t.pk], buyer_id=world.buyer.pk)[world.seller_t.pk] == [
        Terms(kind="deposit", deposit_percent=30), Terms(kind="net", net_days=60)]
    # Another buyer is not trusted.
    assert payment_terms_offered(seller_ids=[world.seller_t.pk], buyer_id=world.other.pk)[
        world.seller_t.pk] == [Terms(kind="deposit", deposit_percent=30)]


def test_adding_terms_twice_keeps_one_row_and_withdrawing_stops_offering(world):
    first = payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    again = payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="DEPOSIT_30")
    assert first.pk == again.pk
    assert SellerPaymentTerm.objects.filter(seller=world.seller_t).count() == 1
    payment_term_withdraw(actor=world.seller_t_owner, seller=world.seller_t, term_id=first.pk)
    assert payment_terms_offered(seller_ids=[world.seller_t.pk], buyer_id=world.buyer.pk)[world.seller_t.pk] == [
        Terms(kind="advance")]


def test_terms_are_checked(world):
    with pytest.raises(ApplicationError) as exc:
        payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_100")
    assert exc.value.fields == {"code": ["Choose 100% in advance, a deposit of 1 to 99%, a letter of credit, or net 1 "
                                         "to 180 days."]}
    with pytest.raises(Forbidden):
        payment_term_add(actor=world.buyer_owner, seller=world.seller_t, code="advance")
    with pytest.raises(ApplicationError) as exc:
        trusted_buyer_set(actor=world.seller_t_owner, seller=world.seller_t, buyer_id=world.seller_t.pk, trusted=True)
    assert exc.value.fields == {"buyer": ["A company cannot trust itself with net terms."]}
    assert not SellerPaymentTerm.objects.exists()
    assert not TrustedBuyer.objects.exists()


def test_the_database_refuses_numbers_that_do_not_fit_the_kind(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        SellerPaymentTerm.objects.create(seller=world.seller_t, kind="deposit", deposit_percent=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        SellerPaymentTerm.objects.create(seller=world.seller_t, kind="advance", net_days=30)


# --- the order's schedule at checkout -------------------------------------------------------------------

def test_an_order_gets_advance_terms_a_reference_and_no_account_by_default(world):
    order = place_order(world)
    assert (order.payment_terms, order.invoice_total, order.due_before_shipment, order.amount_paid) == (
        "advance", GOODS, GOODS, D("0.00"))
    assert order.payment_reference == rf_reference_for_order(order.pk)
    assert order.pay_to == {}
    assert _instalments(order) == [(1, "on_acceptance", GOODS, D("0.00"), "open")]
    placed = OrderEvent.objects.get(order=order, to_status="placed")
    assert placed.payload["payment_terms"] == "advance"


def test_the_buyer_picks_offered_terms_at_checkout(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    group = place(world, lines=[(world.towel, 20)], payment_terms={str(world.seller_t.pk): "deposit_30"})
    order = group.orders.get()
    assert (order.payment_terms, order.deposit_percent, order.due_before_shipment) == ("deposit", 30, GOODS)
    assert _instalments(order) == [(1, "on_acceptance", D("600.00"), D("0.00"), "open"),
                                   (2, "before_shipment", D("1400.00"), D("0.00"), "open")]


def test_terms_not_offered_are_refused_and_nothing_is_placed(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="net_30")  # needs trust
    with pytest.raises(ApplicationError) as exc:
        place(world, lines=[(world.towel, 20)], payment_terms={str(world.seller_t.pk): "net_30"})
    assert exc.value.code == "payment_terms_not_offered"
    assert exc.value.fields == {f"payment_terms.{world.seller_t.pk}": [
        "Tekstil A.S. offers you these payment terms: 100% in advance, when the seller accepts the order."]}
    assert not Order.objects.exists()
    with pytest.raises(ApplicationError) as exc:
        place(world, lines=[], payment_terms={str(world.seller_t.pk): "cash"})
    assert exc.value.fields == {f"payment_terms.{world.seller_t.pk}": [
        "Choose terms such as advance, deposit_30, letter_of_credit or net_60."]}


# --- recording payments ---------------------------------------------------------------------------------

def test_partial_payments_then_paid(world):
    order = _accepted(world)
    result = payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="500.00", reference="TT-1")
    order.refresh_from_db()
    assert (order.status, order.amount_paid, result.moved_to_paid) == ("accepted", D("500.00"), False)
    assert _instalments(order) == [(1, "on_acceptance", GOODS, D("500.00"), "partly_paid")]
    result = payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="1500.00", reference="TT-2")
    order.refresh_from_db()
    assert (order.status, order.amount_paid, result.moved_to_paid) == ("paid", GOODS, True)
    assert _instalments(order) == [(1, "on_acceptance", GOODS, GOODS, "paid")]
    assert list(Payment.objects.filter(order=order).values_list("reference", "amount", "source")) == [
        ("TT-1", D("500.00"), "manual"), ("TT-2", D("1500.00"), "manual")]
    paid = OrderEvent.objects.get(order=order, to_status="paid")
    assert (paid.role, paid.payload["amount"], paid.payload["reference"]) == ("seller", "1500.00", "TT-2")


def test_more_than_owed_is_refused_and_nothing_changes(world):
    order = _accepted(world)
    payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="1999.00", reference="TT-1")
    with pytest.raises(ApplicationError) as exc:
        payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="1.01", reference="TT-2")
    assert exc.value.code == "amount_over_due"
    assert exc.value.fields == {"amount": ["At most 1.00 TRY is still owed; you entered 1.01 TRY."]}
    order.refresh_from_db()
    assert (order.status, order.amount_paid, Payment.objects.count()) == ("accepted", D("1999.00"), 1)


def test_the_dap_payment_from_the_issue_is_the_invoice_not_the_landed_cost(world):
    # DAP to DE: goods 2000.00 and carriage 300.00 are on the seller's invoice; duty 12 % of 2300.00 = 276.00
    # and VAT 19 % of 2576.00 = 489.44 are paid by the buyer to customs, not to the seller.
    order = _accepted(world, incoterms={str(world.seller_t.pk): "DAP"})
    assert (order.invoice_total, order.buyer_other_costs, order.total) == (D("2300.00"), D("765.44"), D("3065.44"))
    with pytest.raises(ApplicationError) as exc:
        payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="3065.44", reference="TT-1")
    assert exc.value.code == "amount_over_due"
    payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="2300.00", reference="TT-1")
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == ("paid", D("2300.00"))


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"amount": "0"}, "amount", "Enter an amount greater than 0 with at most two decimals."),
    ({"amount": "-5"}, "amount", "Enter an amount greater than 0 with at most two decimals."),
    ({"amount": "1.001"}, "amount", "Enter an amount greater than 0 with at most two decimals."),
    ({"amount": "NaN"}, "amount", "Enter an amount greater than 0 with at most two decimals."),
    ({"amount": "1e400"}, "amount", "Enter an amount greater than 0 with at most two decimals."),
    ({"amount": "abc"}, "amount", "Enter an amount such as 1250.00."),
    ({"amount": None}, "amount", "This field is required."),
    ({"amount": "10", "currency": "EUR"}, "currency", "This order is paid in TRY."),
    ({"amount": "10", "reference": ""}, "reference", "Give the reference shown on the bank transfer."),
    ({"amount": "10", "reference": "x" * 101}, "reference", "Ensure this field has no more than 100 characters."),
    ({"amount": "10", "method": "cash"}, "method", "Choose bank transfer, letter of credit or card."),
    ({"amount": "10", "instalment_id": 999999}, "instalment", "This order has no open instalment with this id."),
])
def test_bad_payment_input(world, kwargs, field, message):
    order = _accepted(world)
    args = {"reference": "TT-1", **kwargs}
    with pytest.raises(ApplicationError) as exc:
        payment_record(order_id=order.pk, actor=world.seller_t_owner, **args)
    assert exc.value.fields == {field: [message]}
    assert not Payment.objects.exists()


def test_only_the_seller_records_payments_and_only_after_acceptance(world):
    order = place_order(world)
    with pytest.raises(Conflict) as exc:
        payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="10", reference="TT-1")
    assert exc.value.code == "invalid_transition"
    services.order_accept(order_id=order.pk, actor=world.seller_t_owner)
    for actor in (world.buyer_owner, world.seller_c_owner):
        with pytest.raises(Forbidden):
            payment_record(order_id=order.pk, actor=actor, amount="10", reference="TT-1")
    assert not Payment.objects.exists()


def test_deposit_terms_need_both_instalments_before_paid_and_shipping(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    order = _accepted(world, payment_terms={str(world.seller_t.pk): "deposit_30"})
    payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="600.00", reference="DEP")
    with pytest.raises(Conflict) as exc:
        services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="Maersk", tracking_number="M1")
    assert exc.value.code == "payment_outstanding"
    assert str(exc.value.message) == "1400.00 TRY is due before shipment under the payment terms; it must be paid first."
    payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="1400.00", reference="BAL")
    order.refresh_from_db()
    assert order.status == "paid"
    assert _instalments(order) == [(1, "on_acceptance", D("600.00"), D("600.00"), "paid"),
                                   (2, "before_shipment", D("1400.00"), D("1400.00"), "paid")]


def test_net_terms_ship_without_payment_and_fall_due_after_delivery(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="net_30")
    trusted_buyer_set(actor=world.seller_t_owner, seller=world.seller_t, buyer_id=world.buyer.pk, trusted=True)
    order = _accepted(world, payment_terms={str(world.seller_t.pk): "net_30"})
    assert order.due_before_shipment == D("0.00")
    services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="Maersk", tracking_number="M1")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        services.order_confirm_delivery(order_id=order.pk, actor=world.buyer_owner)
        delivered = timezone.localdate()
    instalment = Instalment.objects.get(order=order)
    assert (instalment.due, instalment.due_date) == ("after_delivery", delivered + timedelta(days=30))
    # Paid after delivery: the order stays delivered, the instalment is paid.
    payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="2000.00", reference="NET")
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == ("delivered", GOODS)


def test_an_unpaid_advance_order_cannot_ship_and_the_timed_cancel_skips_net_orders(world):
    order = _accepted(world)
    with pytest.raises(Conflict):
        services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="Maersk", tracking_number="M1")
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="net_30")
    trusted_buyer_set(actor=world.seller_t_owner, seller=world.seller_t, buyer_id=world.buyer.pk, trusted=True)
    net = _accepted(world, payment_terms={str(world.seller_t.pk): "net_30"})
    partly = _accepted(world)
    payment_record(order_id=partly.pk, actor=world.seller_t_owner, amount="100.00", reference="TT-1")
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        counts = services.order_timed_moves_run()
    assert counts["payment_timeout"] == 1
    assert dict(Order.objects.filter(pk__in=[order.pk, net.pk, partly.pk]).values_list("pk", "status")) == {
        order.pk: "cancelled", net.pk: "accepted", partly.pk: "accepted"}


# --- overdue reminders ----------------------------------------------------------------------------------

def test_an_overdue_instalment_is_reminded_of_once(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="net_10")
    trusted_buyer_set(actor=world.seller_t_owner, seller=world.seller_t, buyer_id=world.buyer.pk, trusted=True)
    order = _accepted(world, payment_terms={str(world.seller_t.pk): "net_10"})
    services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="Maersk", tracking_number="M1")
    services.order_confirm_delivery(order_id=order.pk, actor=world.buyer_owner)
    due = Instalment.objects.get(order=order).due_date
    with time_machine.travel(timezone.now() + timedelta(days=10)):
        assert timezone.localdate() == due
        assert instalments_remind_overdue() == 0  # due today: not overdue yet
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert instalments_remind_overdue() == 1
        assert instalments_remind_overdue() == 0  # exactly once
    events = Event.objects.filter(name="order.instalment_overdue")
    assert sorted(events.values_list("company_id", flat=True)) == sorted([world.buyer.pk, world.seller_t.pk])
    context = events.first().context
    assert (context["amount"], context["outstanding"], context["currency"], context["due_date"]) == (
        "2000.00", "2000.00", "TRY", due.isoformat())
    assert Instalment.objects.get(order=order).reminded_at is not None


def test_a_paid_instalment_is_not_reminded(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="net_10")
    trusted_buyer_set(actor=world.seller_t_owner, seller=world.seller_t, buyer_id=world.buyer.pk, trusted=True)
    order = _accepted(world, payment_terms={str(world.seller_t.pk): "net_10"})
    services.order_ship(order_id=order.pk, actor=world.seller_t_owner, carrier="Maersk", tracking_number="M1")
    services.order_confirm_delivery(order_id=order.pk, actor=world.buyer_owner)
    payment_record(order_id=order.pk, actor=world.seller_t_owner, amount="2000.00", reference="NET")
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert instalments_remind_overdue() == 0
    assert Instalment.objects.get(order=order).reminded_at is None


def test_overdue_date_boundary():
    from orders.services.payments import instalment_is_overdue
    item = Instalment(amount=D("10.00"), paid_amount=D("0.00"), status="open", due_date=date(2026, 3, 1))
    assert instalment_is_overdue(item, today=date(2026, 3, 1)) is False
    assert instalment_is_overdue(item, today=date(2026, 3, 2)) is True
    item.status = "paid"
    assert instalment_is_overdue(item, today=date(2026, 3, 2)) is False
