"""Quantities and amounts too large for the money columns are refused at input with a 400 naming the
field (they used to fail in the database or the serializer with a 500), and nothing is written."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models

from core.inputs import MAX_AMOUNT, MAX_LINE_QUANTITY, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, decimal_column_max
from core.serializers import MoneyField
from marketplace.models import PriceTier
from orders.api.serializers import PaySerializer, ResolveSerializer
from orders.models import CartLine
from tests.core.helpers import assert_error
from tests.orders.helpers import build_world, make_zone, snapshot, towel
from trade.api.serializers import RateInputSerializer
from trade.models import ShippingZone

pytestmark = pytest.mark.django_db

LANDED_COST = "/api/v1/landed-cost/"
CART_LINES = "/api/v1/cart/lines/"
TOO_LARGE = "This comes to {value}, more than the largest amount we can record (999,999,999,999.99); order less."


@pytest.fixture
def world(db):
    world = build_world()
    ShippingZone.objects.filter(seller=world.seller_t).delete()
    make_zone(world.seller_t, "Europe", ["DE", "NL"], [("9999999", "300.00")])
    world.big = towel(world.seller_t, title="Bulk yarn", stock=2_100_000_000, moq=1, order_multiple=1,
                      weight_kg=Decimal("0.001"), price_tiers=[{"min_quantity": 1, "unit_price": "999999999999.99"}])
    return world


def set_price(listing, price: str) -> None:
    PriceTier.objects.filter(listing=listing).update(unit_price=Decimal(price))


def test_the_bound_is_what_the_money_columns_hold():
    assert MAX_AMOUNT == Decimal("999999999999.99")
    assert decimal_column_max(max_digits=6, decimal_places=2) == Decimal("9999.99")
    money_columns = [(model.__name__, f.name) for model in apps.get_models() for f in model._meta.get_fields()
                     if isinstance(f, models.DecimalField) and f.decimal_places == MONEY_DECIMAL_PLACES]
    assert len(money_columns) > 20
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if isinstance(f, models.DecimalField) and f.decimal_places == MONEY_DECIMAL_PLACES:
                assert decimal_column_max(max_digits=f.max_digits, decimal_places=f.decimal_places) >= MAX_AMOUNT, \
                    (model.__name__, f.name)


def test_landed_cost_of_a_huge_order_is_a_400_on_quantity(as_user, world):
    body = {"listing_id": world.big.pk, "quantity": 1_000_000, "destination_country": "DE", "incoterm": "EXW"}

    response = as_user(None).post(LANDED_COST, body)

    message = TOO_LARGE.format(value="1,332,799,999,999,987,071.84")
    assert_error(response, 400, "amount_too_large", message=message, fields={"quantity": [message]})


def test_landed_cost_quantity_is_bounded(as_user, world):
    set_price(world.big, "0.01")
    body = {"listing_id": world.big.pk, "quantity": MAX_LINE_QUANTITY + 1, "destination_country": "DE",
            "incoterm": "EXW"}

    response = as_user(None).post(LANDED_COST, body)

    message = "Ensure this value is less than or equal to 10000000."
    assert_error(response, 400, "validation_error", message=message, fields={"quantity": [message]})
    body["quantity"] = MAX_LINE_QUANTITY
    answer = as_user(None).post(LANDED_COST, body)
    assert (answer.status_code, answer.json()["goods"]) == (200, "100000.00")


def test_a_cart_line_of_two_billion_units_is_refused(as_user, world):
    set_price(world.big, "1000.00")
    before = snapshot()

    response = as_user(world.buyer_owner).post(CART_LINES, {"listing_id": world.big.pk, "quantity": 2_000_000_000})

    message = "Ensure this value is less than or equal to 10000000."
    assert_error(response, 400, "validation_error", message=message, fields={"quantity": [message]})
    assert snapshot() == before


def test_a_cart_line_worth_more_than_an_order_can_hold_is_refused(as_user, world):
    set_price(world.big, "100000.00")
    before = snapshot()

    response = as_user(world.buyer_owner).post(CART_LINES, {"listing_id": world.big.pk, "quantity": 10_000_000})

    message = TOO_LARGE.format(value="1,000,000,000,000.00")
    assert_error(response, 400, "amount_too_large", message=message, fields={"quantity": [message]})
    assert snapshot() == before


def test_adding_to_a_line_past_the_bound_is_refused(as_user, world):
    set_price(world.big, "0.01")
    client = as_user(world.buyer_owner)
    assert client.post(CART_LINES, {"listing_id": world.big.pk, "quantity": MAX_LINE_QUANTITY}).status_code == 201
    before = snapshot()

    response = client.post(CART_LINES, {"listing_id": world.big.pk, "quantity": 1})

    message = "Ensure this value is less than or equal to 10000000."
    assert_error(response, 400, "quantity_too_large", message=message, fields={"quantity": [message]})
    assert snapshot() == before


def test_a_price_raised_after_the_line_was_added_shows_in_the_cart_and_is_refused_at_checkout(as_user, world):
    set_price(world.big, "1000.00")
    client = as_user(world.buyer_owner)
    line_id = client.post(CART_LINES, {"listing_id": world.big.pk, "quantity": 2_000_000}).json()["id"]
    set_price(world.big, "999999999999.99")
    before = snapshot()

    cart = client.get("/api/v1/cart/")
    preview = client.post("/api/v1/checkout/preview/", {})
    checkout = client.post("/api/v1/checkout/", {}, HTTP_IDEMPOTENCY_KEY="big-1")

    assert cart.status_code == 200
    [group] = cart.json()["groups"]
    assert (group["subtotal"], group["lines"][0]["line_total"]) == ("1999999999999980000.00",) * 2
    assert group["lines"][0]["problems"] == [
        "This line comes to more than one order can hold (999,999,999,999.99); order less."]
    message = TOO_LARGE.format(value="1,999,999,999,999,980,000.00")
    for response in (preview, checkout):
        assert_error(response, 400, "amount_too_large", message=message,
                     fields={f"cart.{line_id}.quantity": [message]})
    assert snapshot() == before


def test_amounts_in_the_buyers_currency_must_fit_too(as_user, world):
    # 1 EUR = 40 TRY: 1,000,000 x 1,000,000.00 TRY fits; in a currency worth 1/40 of a lira it would not.
    set_price(world.big, "1000000.00")
    client = as_user(world.buyer_owner)
    assert client.post(CART_LINES, {"listing_id": world.big.pk, "quantity": 100_000}).status_code == 201
    from fx.models import FxRate
    from tests.orders.helpers import RATE_DATE
    FxRate.objects.create(date=RATE_DATE, currency="IDR", rate=Decimal("18000"), source="ecb")
    before = snapshot()

    response = client.post("/api/v1/checkout/", {"currency": "IDR"}, HTTP_IDEMPOTENCY_KEY="idr-1")

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("amount_too_large", ["currency"])
    assert snapshot() == before
    assert CartLine.objects.count() == 1


@pytest.mark.parametrize(("serializer", "field"), [(PaySerializer, "amount"), (ResolveSerializer, "refund_amount"),
                                                   (RateInputSerializer, "price")])
def test_amount_inputs_are_bounded_to_the_columns(serializer, field):
    assert isinstance(serializer().fields[field], MoneyField)
    assert (serializer().fields[field].max_digits, serializer().fields[field].decimal_places) == (
        MONEY_MAX_DIGITS, MONEY_DECIMAL_PLACES)
    data = {field: "1000000000000"} if serializer is not RateInputSerializer else {
        "max_weight_kg": "1", field: "1000000000000"}
    instance = serializer(data=data)
    assert not instance.is_valid()
    assert instance.errors[field] == ["Ensure that there are no more than 12 digits before the decimal point."]


# --- requests for quotation -------------------------------------------------------------------------

def rfq_error(call) -> tuple:
    from core.exceptions import ApplicationError
    from orders.models import Quote, Rfq

    before = (Rfq.objects.count(), Quote.objects.count())
    with pytest.raises(ApplicationError) as excinfo:
        call()
    assert (Rfq.objects.count(), Quote.objects.count()) == before
    return excinfo.value.status_code, excinfo.value.code, list(excinfo.value.fields)


def test_an_rfq_asks_for_at_most_the_line_bound(world):
    from tests.orders.rfq_helpers import post_rfq

    assert rfq_error(lambda: post_rfq(world, quantity=MAX_LINE_QUANTITY + 1))[:1] == (400,)
    assert rfq_error(lambda: post_rfq(world, quantity=MAX_LINE_QUANTITY + 1))[2] == ["quantity"]
    assert post_rfq(world, quantity=MAX_LINE_QUANTITY).quantity == MAX_LINE_QUANTITY


def test_a_quote_whose_order_would_not_fit_is_refused(world):
    from tests.orders.rfq_helpers import post_rfq, submit_quote

    rfq = post_rfq(world, quantity=MAX_LINE_QUANTITY)

    assert rfq_error(lambda: submit_quote(world, rfq, unit_price=Decimal("100000.00"))) == (
        400, "amount_too_large", ["unit_price"])
    assert rfq_error(lambda: submit_quote(world, rfq, unit_weight_kg=Decimal("100.000"))) == (
        400, "weight_too_large", ["unit_weight_kg"])
    assert submit_quote(world, rfq, unit_price=Decimal("99999.99"), unit_weight_kg=Decimal("99.999")).pk


def test_accepting_a_quote_whose_amounts_in_the_buyers_currency_would_not_fit_is_refused(world):
    from fx.models import FxRate
    from orders.models import Order, Rfq
    from orders.services import rfq as rfq_services
    from tests.orders.helpers import RATE_DATE
    from tests.orders.rfq_helpers import post_rfq, submit_quote

    FxRate.objects.create(date=RATE_DATE, currency="IDR", rate=Decimal("18000"), source="ecb")
    rfq = post_rfq(world, quantity=1000)
    quote = submit_quote(world, rfq, moq=1000, unit_price=Decimal("5000000.00"))

    def accept():
        rfq_services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk, currency="IDR")

    assert rfq_error(accept) == (400, "amount_too_large", ["currency"])
    assert (Order.objects.count(), Rfq.objects.get().status) == (0, "open")
    order, replayed = rfq_services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk)
    assert (order.currency, replayed) == ("TRY", False)
