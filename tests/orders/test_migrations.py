"""The data migration that split each existing order's money into the seller's invoice and the buyer's
costs paid to others, gave it 100% in advance terms and put its payment against the one instalment."""
from __future__ import annotations

import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps

from orders.models import Instalment, Order, Payment
from tests.orders.helpers import order_in

pytestmark = pytest.mark.django_db

migration = importlib.import_module("orders.migrations.0003_money_split_payment_terms")


def _as_before_the_split(order: Order) -> None:
    """The order as the old schema left it: no split, no schedule, the payment of the old buyer-paid total."""
    Payment.objects.filter(order=order).update(instalment=None)
    Instalment.objects.filter(order=order).delete()
    Order.objects.filter(pk=order.pk).update(invoice_total=D("0"), buyer_other_costs=D("0"),
                                             invoice_total_in_buyer_currency=D("0"), amount_paid=D("0"),
                                             buyer_other_costs_in_buyer_currency=D("0"), due_before_shipment=D("0"),
                                             refund_amount=None)


def test_a_dap_order_paid_with_the_old_total_is_split_and_its_payment_capped(world):
    # DAP to DE: goods 2000.00 and carriage 300.00 are the seller's; duty 276.00 and VAT 489.44 the buyer's.
    order = order_in(world, "paid")
    Order.objects.filter(pk=order.pk).update(incoterm="DAP", payer={
        "goods": "buyer", "shipping": "seller", "insurance": "seller", "duty": "buyer", "vat": "buyer"})
    _as_before_the_split(order)
    # The old rule made the seller record the landed cost 3065.44.
    Payment.objects.filter(order=order).update(amount=D("3065.44"))

    migration.split_existing_orders(apps, None)

    order.refresh_from_db()
    assert (order.invoice_total, order.buyer_other_costs, order.total, order.invoice_total_in_buyer_currency,
            order.buyer_other_costs_in_buyer_currency) == (D("2300.00"), D("765.44"), D("3065.44"), D("57.50"),
                                                           D("19.14"))
    assert (order.payment_terms, order.due_before_shipment, order.amount_paid) == ("advance", D("2300.00"),
                                                                                   D("2300.00"))
    [instalment] = Instalment.objects.filter(order=order)
    assert (instalment.sequence, instalment.due, instalment.amount, instalment.paid_amount, instalment.status) == (
        1, "on_acceptance", D("2300.00"), D("2300.00"), "paid")
    assert list(Payment.objects.filter(order=order).values_list("amount", "instalment")) == [
        (D("2300.00"), instalment.pk)]


def test_an_unpaid_exw_order_is_all_goods_on_the_invoice(world):
    order = order_in(world, "placed")
    _as_before_the_split(order)

    migration.split_existing_orders(apps, None)

    order.refresh_from_db()
    assert (order.invoice_total, order.buyer_other_costs, order.amount_paid) == (D("2000.00"), D("1065.44"),
                                                                                 D("0.00"))
    assert list(Instalment.objects.filter(order=order).values_list("amount", "paid_amount", "status")) == [
        (D("2000.00"), D("0.00"), "open")]
