"""The checkout preview: the same orders, amounts and rate the checkout then stores, the checkout's
errors (a seller's Incoterm named by seller), nothing written, and a query count that does not grow
with the lines of the cart."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError, Forbidden
from marketplace.models import Listing
from orders import services
from orders.selectors.checkout import cart_line_count, checkout_preview, checkout_seller_options
from tests.orders.helpers import new_key, snapshot, towel

pytestmark = pytest.mark.django_db

D = Decimal


def fill(world, *lines):
    for listing, quantity, *incoterm in lines:
        services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=listing.pk, quantity=quantity,
                               incoterm=incoterm[0] if incoterm else None)


def preview(world, **kwargs):
    return checkout_preview(actor=kwargs.pop("actor", world.buyer_owner), buyer=world.buyer, **kwargs)


def refused(world, **kwargs) -> ApplicationError:
    before = snapshot()
    with pytest.raises(ApplicationError) as excinfo:
        preview(world, **kwargs)
    assert snapshot() == before
    return excinfo.value


def test_the_preview_gives_each_seller_order_with_its_landed_cost_in_both_currencies(world):
    fill(world, (world.towel, 20), (world.cable, 300))
    before = snapshot()

    result = preview(world, incoterms={world.seller_c.pk: "CIF"})

    assert snapshot() == before
    assert (result.buyer_id, result.destination_country, result.destination_address, result.buyer_currency,
            result.can_place, result.fx_as_of) == (
        world.buyer.pk, "DE", "1 Hauptstrasse, Gamma Handel GmbH", "EUR", True, date(2026, 1, 5))
    towel_order, cable_order = result.orders
    assert (towel_order.seller_id, towel_order.currency, towel_order.incoterm, towel_order.offered_incoterms) == (
        world.seller_t.pk, "TRY", "EXW", ["EXW", "DAP", "FOB"])
    assert [(line.title, line.quantity, line.unit_price, line.line_total, line.weight_kg)
            for line in towel_order.lines] == [("Bath towel", 20, D("100.00"), D("2000.00"), D("10.000"))]
    # 2000.00 goods, 300.00 shipping, duty 12 % of 2300.00, VAT 19 % of 2576.00; 1 TRY = 0.025 EUR
    assert [(c.name, c.amount, c.amount_in_buyer_currency, c.payer) for c in towel_order.components] == [
        ("goods", D("2000.00"), D("50.00"), "buyer"), ("shipping", D("300.00"), D("7.50"), "buyer"),
        ("insurance", D("0.00"), D("0.00"), "buyer"), ("duty", D("276.00"), D("6.90"), "buyer"),
        ("vat", D("489.44"), D("12.24"), "buyer")]
    # EXW: the seller invoices the goods; carriage goes to the carrier, duty and VAT to customs.
    assert (towel_order.estimate.total, towel_order.estimate.invoice_total, towel_order.estimate.buyer_other_costs,
            towel_order.total_in_buyer_currency, towel_order.invoice_total_in_buyer_currency,
            towel_order.buyer_other_costs_in_buyer_currency) == (
        D("3065.44"), D("2000.00"), D("1065.44"), D("76.64"), D("50.00"), D("26.64"))
    assert [c.paid_to for c in towel_order.components] == ["seller", "carrier", "insurer", "customs", "customs"]
    assert (towel_order.payment_terms.code, [(i.due, i.amount) for i in towel_order.schedule]) == (
        "advance", [("on_acceptance", D("2000.00"))])
    assert (towel_order.fx.rate, towel_order.fx.as_of, towel_order.fx.source) == (
        D("0.02500000"), date(2026, 1, 5), "ecb")
    assert (cable_order.seller_id, cable_order.currency, cable_order.incoterm, cable_order.offered_incoterms) == (
        world.seller_c.pk, "CNY", "CIF", ["FOB", "CIF"])
    assert [(c.name, c.amount, c.payer) for c in cable_order.components] == [
        ("goods", D("3750.00"), "buyer"), ("shipping", D("400.00"), "seller"), ("insurance", D("18.75"), "seller"),
        ("duty", D("166.75"), "buyer"), ("vat", D("823.75"), "buyer")]
    # CIF: carriage and insurance are on the seller's invoice; duty and VAT go to customs.
    assert (cable_order.estimate.invoice_total, cable_order.estimate.buyer_other_costs,
            cable_order.invoice_total_in_buyer_currency, cable_order.buyer_other_costs_in_buyer_currency) == (
        D("4168.75"), D("990.50"), D("521.09"), D("123.81"))
    assert [c.paid_to for c in cable_order.components] == ["seller", "seller", "seller", "customs", "customs"]
    assert (result.invoice_total_in_buyer_currency, result.buyer_other_costs_in_buyer_currency) == (
        D("50.00") + D("521.09"), D("26.64") + D("123.81"))


def test_the_preview_matches_what_the_checkout_then_stores(world):
    fill(world, (world.towel, 55, "DAP"), (world.cable, 1200))
    kwargs = {"destination": {"country": "NL", "address": "Kade 4, Rotterdam"}, "incoterms": {world.seller_c.pk: "CIF"},
              "currency": "USD"}

    result = preview(world, **kwargs)
    group = services.checkout_place(actor=world.buyer_owner, buyer=world.buyer, idempotency_key=new_key(),
                                    **kwargs).group

    orders = list(group.orders.order_by("seller_id"))
    assert [order.seller_id for order in orders] == [order.seller_id for order in result.orders]
    for order, expected in zip(orders, result.orders, strict=True):
        estimate = expected.estimate
        assert (order.currency, order.buyer_currency, order.incoterm, order.destination_country,
                order.destination_address, order.fx_rate, order.fx_rate_date, order.fx_source) == (
            expected.currency, "USD", expected.incoterm, "NL", "Kade 4, Rotterdam", expected.fx.rate,
            expected.fx.as_of, expected.fx.source)
        assert (order.goods_total, order.shipping, order.insurance, order.duty, order.vat, order.total,
                order.invoice_total, order.buyer_other_costs, order.invoice_total_in_buyer_currency,
                order.buyer_other_costs_in_buyer_currency, order.payer, order.total_weight_kg, order.payment_terms) == (
            estimate.goods, estimate.shipping, estimate.insurance, estimate.duty, estimate.vat, estimate.total,
            estimate.invoice_total, estimate.buyer_other_costs, expected.invoice_total_in_buyer_currency,
            expected.buyer_other_costs_in_buyer_currency, estimate.payer, estimate.weight_kg,
            expected.payment_terms.kind)
        assert list(order.instalments.values_list("due", "amount")) == [(i.due, i.amount) for i in expected.schedule]
        assert list(order.lines.order_by("pk").values_list("title", "quantity", "unit_price", "line_total")) == [
            (line.title, line.quantity, line.unit_price, line.line_total) for line in expected.lines]
    assert [order.incoterm for order in orders] == ["DAP", "CIF"]
    assert [line.unit_price for order in result.orders for line in order.lines] == [D("90.00"), D("11.00")]


def test_a_restricted_destination_is_refused_on_the_destination_country(world):
    fill(world, (world.cable, 300))

    error = refused(world, destination={"country": "KP", "address": "Pyongyang"})

    assert error.code == "restricted_destination"
    assert error.fields == {"destination.country": [
        "North Korea is a restricted destination: UN sanctions restrict trade with North Korea."]}


def test_a_seller_that_does_not_ship_there_is_refused_on_the_destination_country(world):
    fill(world, (world.towel, 20))

    error = refused(world, destination={"country": "FR"})

    assert error.code == "no_shipping"
    assert error.fields == {"destination.country": ["Tekstil A.S. does not ship to France."]}


def test_an_incoterm_the_lines_do_not_offer_is_refused_on_that_sellers_field(world):
    fill(world, (world.towel, 20), (world.cable, 300))

    error = refused(world, incoterms={world.seller_c.pk: "DAP"})

    assert error.code == "incoterm_not_offered"
    assert error.fields == {f"incoterms.{world.seller_c.pk}": ["Copper cable is offered under CIF, FOB only, not DAP."]}


def test_a_line_over_the_stock_is_refused_before_placing(world):
    fill(world, (world.towel, 20))
    Listing.objects.filter(pk=world.towel.pk).update(stock=15)
    line_id = world.buyer.cart.lines.get().pk

    error = refused(world)

    assert error.code == "insufficient_stock"
    assert error.fields == {f"cart.{line_id}.quantity": ["Only 15 of Bath towel are in stock."]}


def test_an_empty_cart_and_bad_input_are_refused(world):
    assert refused(world).code == "cart_empty"
    fill(world, (world.towel, 20))
    assert refused(world, currency="XX1").fields == {"currency": ["XX1 is not an ISO 4217 currency code."]}
    assert refused(world, destination={"country": "ZZ"}).fields == {
        "destination.country": ["ZZ is not an ISO 3166 country code."]}


def test_only_members_of_the_buying_company_get_a_preview(world):
    fill(world, (world.towel, 20))

    with pytest.raises(Forbidden):
        preview(world, actor=world.other_owner)
    with pytest.raises(Forbidden):
        preview(world, actor=world.seller_t_owner)


def test_an_unverified_buyer_sees_the_preview_but_cannot_place(world):
    fill(world, (world.towel, 20))
    world.buyer.verification_status = "pending"
    world.buyer.save(update_fields=["verification_status"])

    assert preview(world).can_place is False


def test_seller_options_give_the_incoterms_every_line_offers_and_the_default(world):
    second = towel(world.seller_t, title="Hand towel", incoterms=["FOB", "DAP", "CPT"])
    fill(world, (world.towel, 20), (second, 20), (world.cable, 300, "CIF"))

    options = checkout_seller_options(actor=world.buyer_owner, buyer=world.buyer)

    assert [(o.seller_id, o.seller_name, o.offered_incoterms, o.default_incoterm) for o in options] == [
        (world.seller_t.pk, "Tekstil A.S.", ["DAP", "FOB"], "DAP"),
        (world.seller_c.pk, "Cable Works Ltd", ["FOB", "CIF"], "CIF")]
    assert cart_line_count(buyer_id=world.buyer.pk) == 3
    assert cart_line_count(buyer_id=world.other.pk) == 0


def test_seller_options_leave_the_default_empty_when_the_lines_name_different_incoterms(world):
    second = towel(world.seller_t, title="Hand towel")
    fill(world, (world.towel, 20, "EXW"), (second, 20, "DAP"))

    [option] = checkout_seller_options(actor=world.buyer_owner, buyer=world.buyer)

    assert (option.offered_incoterms, option.default_incoterm) == (["EXW", "DAP", "FOB"], "")
    error = refused(world)
    assert (error.code, list(error.fields)) == ("incoterm_conflict", [f"incoterms.{world.seller_t.pk}"])


def _count(world) -> int:
    with CaptureQueriesContext(connection) as queries:
        preview(world)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_lines(world):
    fill(world, (world.towel, 20), (world.cable, 300))
    few = _count(world)
    for number in range(18):
        fill(world, (towel(world.seller_t, title=f"Towel {number}"), 20))

    assert len(preview(world).orders[0].lines) == 19
    assert _count(world) == few


# --- POST /api/v1/checkout/preview/ ---------------------------------------------------------------------

def test_the_api_gives_the_preview(as_user, world):
    fill(world, (world.towel, 20), (world.cable, 300))
    before = snapshot()

    response = as_user(world.buyer_owner).post("/api/v1/checkout/preview/",
                                               {"incoterms": {str(world.seller_c.pk): "CIF"}}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["buyer_id"], body["destination_country"], body["buyer_currency"], body["can_place"],
            body["fx_as_of"], body["invoice_total_in_buyer_currency"], body["buyer_other_costs_in_buyer_currency"]) == (
        world.buyer.pk, "DE", "EUR", True, "2026-01-05", "571.09", "150.45")
    towel_order, cable_order = body["orders"]
    assert (towel_order["incoterm"], towel_order["total"], towel_order["invoice_total"],
            towel_order["buyer_other_costs"], towel_order["invoice_total_in_buyer_currency"], towel_order["fx"]) == (
        "EXW", "3065.44", "2000.00", "1065.44", "50.00",
        {"rate": "0.02500000", "as_of": "2026-01-05", "source": "ecb"})
    assert (towel_order["buyer_pays"], towel_order["seller_pays"]) == ("3065.44", "0.00")  # deprecated
    assert towel_order["components"][3] == {"name": "duty", "amount": "276.00", "amount_in_buyer_currency": "6.90",
                                            "payer": "buyer", "paid_to": "customs"}
    assert towel_order["payment_terms"] == {"code": "advance", "kind": "advance", "deposit_percent": 0, "net_days": 0,
                                            "label": "100% in advance, when the seller accepts the order"}
    assert towel_order["schedule"] == [{"sequence": 1, "due": "on_acceptance", "amount": "2000.00"}]
    assert (cable_order["incoterm"], cable_order["invoice_total"], cable_order["invoice_total_in_buyer_currency"]) == (
        "CIF", "4168.75", "521.09")
    assert snapshot() == before


def test_the_api_refuses_a_restricted_destination_and_unknown_keys(as_user, world):
    fill(world, (world.cable, 300))
    client = as_user(world.buyer_owner)

    restricted = client.post("/api/v1/checkout/preview/", {"destination": {"country": "KP"}}, format="json")
    unknown = client.post("/api/v1/checkout/preview/", {"price": "1"}, format="json")

    assert restricted.status_code == 400
    assert restricted.json()["error"]["code"] == "restricted_destination"
    assert list(restricted.json()["error"]["fields"]) == ["destination.country"]
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"price": ["This field cannot be set."]}
    assert as_user(None).post("/api/v1/checkout/preview/", {}, format="json").status_code in (401, 403)
