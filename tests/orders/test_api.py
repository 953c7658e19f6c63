"""The cart, checkout and order endpoints: shapes, the one error format, pagination, and a
permission matrix of every order endpoint against buyer, seller, another company, a moderator and
an anonymous client."""
from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Listing
from payments.references import rf_reference_for_order
from orders.models import CartLine, Order, OrderStatus, Payment, PurchaseGroup
from tests.orders.helpers import order_in, place, snapshot, towel

pytestmark = pytest.mark.django_db
S = OrderStatus

CART = "/api/v1/cart/"
LINES = "/api/v1/cart/lines/"
CHECKOUT = "/api/v1/checkout/"
ORDERS = "/api/v1/orders/"


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def buyer_client(as_user, world):
    return as_user(world.buyer_owner)


# --- cart ------------------------------------------------------------------------------------------------

@time_machine.travel("2026-01-09 12:00Z", tick=False)
def test_an_empty_cart(buyer_client, world):
    response = buyer_client.get(CART)

    assert response.status_code == 200
    assert response.json() == {"buyer_id": world.buyer.pk, "display_currency": "EUR", "fx_as_of": None,
                               "line_count": 0, "total_display": "0.00", "groups": [],
                               "rates_as_of": "2026-01-05", "rates_age_days": 4, "rates_stale": False,
                               "rates_stale_after_days": 4}


@time_machine.travel("2026-01-10 12:00Z", tick=False)
def test_add_update_show_remove(buyer_client, world):
    created = buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 50, "incoterm": "FOB"})
    merged = buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 5})
    line_id = created.json()["id"]
    patched = buyer_client.patch(f"{LINES}{line_id}/", {"quantity": 200})
    shown = buyer_client.get(CART, {"currency": "USD"})
    removed = buyer_client.delete(f"{LINES}{line_id}/")

    assert (created.status_code, merged.status_code, patched.status_code, shown.status_code,
            removed.status_code) == (201, 200, 200, 200, 204)
    assert created.json() == {"id": line_id, "listing_id": world.towel.pk, "quantity": 50, "incoterm": "FOB"}
    assert merged.json()["quantity"] == 55
    assert patched.json() == {"id": line_id, "listing_id": world.towel.pk, "quantity": 200, "incoterm": "FOB"}
    assert shown.json() == {
        "buyer_id": world.buyer.pk, "display_currency": "USD", "fx_as_of": "2026-01-05", "line_count": 1,
        "total_display": "500.00",
        "groups": [{
            "seller_id": world.seller_t.pk, "seller_name": "Tekstil A.S.", "seller_country": "TR", "currency": "TRY",
            "fx_rate": "0.03125000", "fx_as_of": "2026-01-05", "fx_source": "ecb", "subtotal": "16000.00",
            "subtotal_display": "500.00",
            "lines": [{"id": line_id, "listing_id": world.towel.pk, "title": "Bath towel", "unit": "piece",
                       "quantity": 200, "incoterm": "FOB", "offered_incoterms": ["DAP", "EXW", "FOB"], "moq": 10,
                       "order_multiple": 5, "stock": 1000, "currency": "TRY", "unit_price": "80.00",
                       "line_total": "16000.00", "line_total_display": "500.00", "problems": []}]}],
        "rates_as_of": "2026-01-05", "rates_age_days": 5, "rates_stale": True, "rates_stale_after_days": 4}
    assert CartLine.objects.count() == 0


def test_clear_the_cart(buyer_client, world):
    buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 10})

    assert buyer_client.delete(CART).status_code == 204
    assert CartLine.objects.count() == 0


def test_a_cart_rule_is_a_400_on_its_field(buyer_client, world):
    response = buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 12})

    assert response.status_code == 400
    assert error_of(response) == {"code": "not_order_multiple",
                                  "message": "Order Bath towel in the minimum quantity (10) plus multiples of 5.",
                                  "fields": {"quantity": [
                                      "Order Bath towel in the minimum quantity (10) plus multiples of 5."]}}


@pytest.mark.parametrize(("body", "fields"), [
    ({"listing_id": 1, "quantity": 10, "price": "1.00"}, {"price": ["This field cannot be set."]}),
    ({"listing_id": 1, "quantity": "many"}, {"quantity": ["A valid integer is required."]}),
    ({"listing_id": 1, "quantity": 0}, {"quantity": ["Ensure this value is greater than or equal to 1."]}),
    ({"quantity": 10}, {"listing_id": ["This field is required."]}),
    ({"listing_id": 1, "quantity": 10, "incoterm": "ABC"}, {"incoterm": ['"ABC" is not a valid choice.']}),
])
def test_malformed_cart_input(buyer_client, body, fields):
    before = snapshot()

    response = buyer_client.post(LINES, body)

    assert response.status_code == 400
    assert error_of(response)["fields"] == fields
    assert snapshot() == before


def test_shopping_for_a_company_you_are_not_a_member_of(buyer_client, world):
    response = buyer_client.get(CART, {"company": world.other.pk})

    assert response.status_code == 403
    assert error_of(response) == {"code": "permission_denied", "message": "You are not a member of this company."}


def test_an_unknown_display_currency(buyer_client):
    response = buyer_client.get(CART, {"currency": "ABC"})

    assert (response.status_code, error_of(response)["fields"]) == (400, {
        "currency": ["ABC is not an ISO 4217 currency code."]})


def test_another_buyers_cart_line_is_not_found(as_user, world):
    line = as_user(world.buyer_owner).post(LINES, {"listing_id": world.towel.pk, "quantity": 10}).json()
    client = as_user(world.other_owner)

    assert client.patch(f"{LINES}{line['id']}/", {"quantity": 15}).status_code == 404
    assert client.delete(f"{LINES}{line['id']}/").status_code == 404
    assert CartLine.objects.get().quantity == 10


# --- checkout --------------------------------------------------------------------------------------------

def test_checkout_needs_an_idempotency_key(buyer_client, world):
    buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 10})
    before = snapshot()

    response = buyer_client.post(CHECKOUT, {})

    assert response.status_code == 400
    assert error_of(response) == {"code": "idempotency_key_required",
                                  "message": "Send an Idempotency-Key of 1 to 255 characters.",
                                  "fields": {"idempotency_key": ["Send an Idempotency-Key of 1 to 255 characters."]}}
    assert snapshot() == before


def test_checkout_answers_the_purchase_group_and_replays_it(buyer_client, world):
    buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 20})
    buyer_client.post(LINES, {"listing_id": world.cable.pk, "quantity": 300, "incoterm": "CIF"})
    body = {"destination": {"country": "DE", "address": "Dock 3, Bremen"}}

    first = buyer_client.post(CHECKOUT, body, HTTP_IDEMPOTENCY_KEY="order-2026-001")
    buyer_client.post(f"{ORDERS}{first.json()['orders'][0]['id']}/cancel/", {})
    again = buyer_client.post(CHECKOUT, body, HTTP_IDEMPOTENCY_KEY="order-2026-001")
    other = buyer_client.post(CHECKOUT, {}, HTTP_IDEMPOTENCY_KEY="order-2026-001")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json() == first.json()
    assert error_of(other)["code"] == "idempotency_key_reused"
    receipt = first.json()
    group = PurchaseGroup.objects.get()
    towel_order, cable_order = Order.objects.order_by("pk")
    assert (receipt["id"], receipt["buyer_id"], receipt["idempotency_key"]) == (
        group.pk, world.buyer.pk, "order-2026-001")
    assert [o["id"] for o in receipt["orders"]] == [towel_order.pk, cable_order.pk]
    assert receipt["orders"][1] == {
        "id": cable_order.pk,
        "buyer": {"id": world.buyer.pk, "legal_name": "Gamma Handel GmbH", "country": "DE"},
        "seller": {"id": world.seller_c.pk, "legal_name": "Cable Works Ltd", "country": "CN"},
        "purchase_group": group.pk, "currency": "CNY", "buyer_currency": "EUR", "fx_rate": "0.12500000",
        "fx_rate_date": "2026-01-05", "fx_source": "ecb", "incoterm": "CIF", "destination_country": "DE",
        "destination_address": "Dock 3, Bremen", "goods_total": "3750.00", "shipping": "400.00",
        "insurance": "18.75", "duty": "166.75", "vat": "823.75", "total": "5159.25",
        # CIF: the seller's invoice carries goods, carriage and insurance; duty and VAT go to customs.
        "invoice_total": "4168.75", "buyer_other_costs": "990.50", "invoice_total_in_buyer_currency": "521.09",
        "buyer_other_costs_in_buyer_currency": "123.81",
        # The deprecated figures keep their old values.
        "buyer_pays": "4740.50", "seller_pays": "418.75", "buyer_pays_in_buyer_currency": "592.56",
        "payer": {"goods": "buyer", "shipping": "seller", "insurance": "seller", "duty": "buyer", "vat": "buyer"},
        "paid_to": {"goods": "seller", "shipping": "seller", "insurance": "seller", "duty": "customs",
                    "vat": "customs"},
        "payment_terms": "advance", "deposit_percent": None, "net_days": None,
        "payment_reference": rf_reference_for_order(cable_order.pk), "pay_to": None,
        "total_weight_kg": "60.000", "placed_at": receipt["orders"][1]["placed_at"],
        "lines": [{"id": cable_order.lines.get().pk, "listing_id": world.cable.pk, "title": "Copper cable",
                   "hs_code": "854442", "origin_country": "CN", "unit": "piece", "quantity": 300,
                   "unit_price": "12.50", "line_total": "3750.00", "unit_weight_kg": "0.200",
                   "weight_kg": "60.000"}]}


def test_checkout_refused_for_stock_is_a_409_naming_the_listing(buyer_client, world):
    buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 20})
    Listing.objects.filter(pk=world.towel.pk).update(stock=3)
    before = snapshot()

    response = buyer_client.post(CHECKOUT, {}, HTTP_IDEMPOTENCY_KEY="k1")

    message = f"Only 3 of Bath towel (listing {world.towel.pk}) are left; your cart has 20."
    assert response.status_code == 409
    assert error_of(response) == {"code": "insufficient_stock", "message": message, "fields": {"cart": [message]}}
    assert snapshot() == before


def test_checkout_of_an_unverified_buyer(buyer_client, world):
    buyer_client.post(LINES, {"listing_id": world.towel.pk, "quantity": 20})
    world.buyer.verification_status = "pending"
    world.buyer.save()

    response = buyer_client.post(CHECKOUT, {}, HTTP_IDEMPOTENCY_KEY="k1")

    assert (response.status_code, error_of(response)["code"]) == (403, "buyer_not_verified")


@pytest.mark.parametrize(("body", "fields"), [
    ({"coupon": "X"}, {"coupon": ["This field cannot be set."]}),
    ({"destination": {"country": "DE", "zip": "1"}}, {"destination.zip": ["This field cannot be set."]}),
    ({"incoterms": {"5": "ABC"}}, {"incoterms.5": ['"ABC" is not a valid choice.']}),
])
def test_checkout_input_is_strict(buyer_client, world, body, fields):
    response = buyer_client.post(CHECKOUT, body, HTTP_IDEMPOTENCY_KEY="k1")

    assert response.status_code == 400
    assert error_of(response)["fields"] == fields


# --- orders ----------------------------------------------------------------------------------------------

def test_the_order_list_is_paginated_and_filtered(as_user, world):
    placed = order_in(world, S.PLACED)
    accepted = order_in(world, S.ACCEPTED)
    cable_order = order_in(world, S.PLACED, listing=world.cable)

    buyer = as_user(world.buyer_owner).get(ORDERS, {"page_size": 2}).json()
    assert (buyer["count"], [row["id"] for row in buyer["results"]]) == (3, [cable_order.pk, accepted.pk])
    assert buyer["next"] is not None
    assert [r["id"] for r in as_user(world.buyer_owner).get(ORDERS, {"status": "placed"}).json()["results"]] == [
        cable_order.pk, placed.pk]
    assert as_user(world.buyer_owner).get(ORDERS, {"role": "seller"}).json()["count"] == 0
    seller = as_user(world.seller_t_owner).get(ORDERS, {"role": "seller"}).json()
    assert [row["id"] for row in seller["results"]] == [accepted.pk, placed.pk]
    assert as_user(world.other_owner).get(ORDERS).json()["count"] == 0
    assert as_user(world.moderator).get(ORDERS).json()["count"] == 3
    row = seller["results"][0]
    assert row == {"id": accepted.pk, "status": "accepted",
                   "buyer": {"id": world.buyer.pk, "legal_name": "Gamma Handel GmbH", "country": "DE"},
                   "seller": {"id": world.seller_t.pk, "legal_name": "Tekstil A.S.", "country": "TR"},
                   "purchase_group": accepted.purchase_group_id, "currency": "TRY",
                   "invoice_total": "2000.00", "buyer_other_costs": "1065.44", "amount_paid": "0.00",
                   "buyer_pays": "3065.44", "buyer_currency": "EUR", "invoice_total_in_buyer_currency": "50.00",
                   "buyer_pays_in_buyer_currency": "76.64", "payment_terms": "advance",
                   "payment_reference": rf_reference_for_order(accepted.pk), "incoterm": "EXW",
                   "destination_country": "DE", "placed_at": row["placed_at"], "updated_at": row["updated_at"]}


@pytest.mark.parametrize(("params", "fields"), [
    ({"status": "lost"}, {"status": ["Choose one of: Placed, Accepted, Refused, Cancelled, Paid, Shipped, Delivered, "
                                     "Disputed, Resolved, Completed."]}),
    ({"role": "moderator"}, {"role": ["Choose buyer or seller."]}),
])
def test_bad_list_filters(as_user, world, params, fields):
    response = as_user(world.buyer_owner).get(ORDERS, params)

    assert (response.status_code, error_of(response)["fields"]) == (400, fields)


def test_the_detail_has_lines_payment_events_and_the_callers_actions(as_user, world):
    order = order_in(world, S.SHIPPED)

    body = as_user(world.buyer_owner).get(f"{ORDERS}{order.pk}/").json()

    assert (body["status"], body["carrier"], body["tracking_number"], body["shipping_documents"]) == (
        "shipped", "Maersk", "MSK1", ["invoice.pdf"])
    payment = Payment.objects.get(order=order)
    assert body["payments"] == [{"id": payment.pk, "instalment": payment.instalment_id, "reference": "TT-1",
                                 "amount": "2000.00", "currency": "TRY", "method": "bank_transfer",
                                 "source": "manual", "note": "", "recorded_by_email": world.seller_t_owner.email,
                                 "created_at": body["payments"][0]["created_at"]}]
    assert body["payment"] == body["payments"][0]
    assert body["instalments"] == [{"id": payment.instalment_id, "sequence": 1, "due": "on_acceptance",
                                    "due_date": order.accepted_at.date().isoformat(), "amount": "2000.00",
                                    "paid_amount": "2000.00", "outstanding": "0.00", "currency": "TRY",
                                    "status": "paid", "overdue": False}]
    assert (body["amount_paid"], body["due_before_shipment"]) == ("2000.00", "2000.00")
    assert [(e["role"], e["from_status"], e["to_status"], e["actor_email"]) for e in body["events"]] == [
        ("buyer", "", "placed", world.buyer_owner.email), ("seller", "placed", "accepted", world.seller_t_owner.email),
        ("seller", "accepted", "paid", world.seller_t_owner.email),
        ("seller", "paid", "shipped", world.seller_t_owner.email)]
    assert body["events"][3]["payload"] == {"carrier": "Maersk", "tracking_number": "MSK1",
                                            "documents": ["invoice.pdf"]}
    assert body["actions"] == ["confirm-delivery"]
    assert as_user(world.seller_t_owner).get(f"{ORDERS}{order.pk}/").json()["actions"] == []
    assert [line["quantity"] for line in body["lines"]] == [20]
    assert body["refund_amount"] is None


@pytest.mark.parametrize(("status", "buyer_actions", "seller_actions", "moderator_actions"), [
    (S.PLACED, ["cancel"], ["accept", "refuse"], []),
    (S.ACCEPTED, ["cancel"], ["cancel", "pay"], []),
    (S.DELIVERED, ["complete", "dispute"], [], []),
    (S.DISPUTED, [], [], ["resolve"]),
    (S.COMPLETED, [], [], []),
])
def test_actions_per_state_and_caller(as_user, world, status, buyer_actions, seller_actions, moderator_actions):
    order = order_in(world, status)
    url = f"{ORDERS}{order.pk}/"

    assert as_user(world.buyer_owner).get(url).json()["actions"] == buyer_actions
    assert as_user(world.seller_t_owner).get(url).json()["actions"] == seller_actions
    assert as_user(world.moderator).get(url).json()["actions"] == moderator_actions


def test_the_detail_query_count_does_not_grow_with_lines_or_events(as_user, world):
    small = order_in(world, S.PLACED)
    extra = [towel(world.seller_t, title=f"Towel {n}") for n in range(5)]
    group = place(world, lines=[(world.towel, 20), *[(listing, 10) for listing in extra]])
    large = group.orders.get()
    client = as_user(world.seller_t_owner)
    client.post(f"{ORDERS}{large.pk}/accept/", {})
    client.post(f"{ORDERS}{large.pk}/pay/", {"reference": "R", "amount": str(large.invoice_total),
                                             "method": "card"})

    with CaptureQueriesContext(connection) as few:
        client.get(f"{ORDERS}{small.pk}/")
    with CaptureQueriesContext(connection) as many:
        client.get(f"{ORDERS}{large.pk}/")

    assert len(few) == len(many)


def test_the_list_query_count_does_not_grow_with_orders(as_user, world):
    order_in(world, S.PLACED)
    client = as_user(world.buyer_owner)
    with CaptureQueriesContext(connection) as few:
        client.get(ORDERS)
    for _ in range(4):
        order_in(world, S.PLACED)
    with CaptureQueriesContext(connection) as many:
        client.get(ORDERS)

    assert len(few) == len(many)


def test_moving_an_order_answers_its_new_detail(as_user, world):
    order = order_in(world, S.ACCEPTED)

    response = as_user(world.seller_t_owner).post(f"{ORDERS}{order.pk}/pay/", {
        "reference": "SWIFT-778", "amount": "2000.00", "method": "bank_transfer"})

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["payment"]["reference"], body["actions"]) == ("paid", "SWIFT-778", ["ship"])


def test_resolve_with_a_refund(as_user, world):
    order = order_in(world, S.DISPUTED)

    response = as_user(world.moderator).post(f"{ORDERS}{order.pk}/resolve/", {
        "reason": "Half the cartons were wet.", "refund_amount": "1532.72"})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["refund_amount"]) == ("resolved", "1532.72")


def test_a_move_in_the_wrong_state_is_a_409(as_user, world):
    order = order_in(world, S.PAID)
    before = snapshot()

    response = as_user(world.seller_t_owner).post(f"{ORDERS}{order.pk}/accept/", {})

    assert response.status_code == 409
    assert error_of(response) == {"code": "invalid_transition",
                                  "message": "This order cannot go from paid to accepted."}
    assert snapshot() == before


def test_a_move_with_unknown_input_is_a_400(as_user, world):
    order = order_in(world, S.PLACED)

    response = as_user(world.seller_t_owner).post(f"{ORDERS}{order.pk}/accept/", {"note": "hi"})

    assert (response.status_code, error_of(response)["fields"]) == (400, {"note": ["This field cannot be set."]})


def test_a_missing_reason_is_a_400_on_reason(as_user, world):
    order = order_in(world, S.PLACED)

    response = as_user(world.seller_t_owner).post(f"{ORDERS}{order.pk}/refuse/", {})

    assert (response.status_code, error_of(response)["fields"]) == (400, {
        "reason": ["A reason is required for this decision."]})


# --- permission matrix -----------------------------------------------------------------------------------

ROLES = ("buyer", "seller", "other", "moderator", "anonymous")
PAY = {"reference": "TT-9", "amount": "2000.00", "method": "bank_transfer"}
SHIP = {"carrier": "DHL", "tracking_number": "JD0001", "documents": ["invoice.pdf"]}

# endpoint (state the order is in, method, path suffix, body): expected status per ROLES
MATRIX = [
    ((S.PLACED, "get", "", None),                                     (200, 200, 404, 200, 401)),
    ((S.PLACED, "post", "accept/", {}),                               (403, 200, 404, 403, 401)),
    ((S.PLACED, "post", "refuse/", {"reason": "No capacity."}),       (403, 200, 404, 403, 401)),
    ((S.PLACED, "post", "cancel/", {}),                               (200, 409, 404, 403, 401)),
    ((S.ACCEPTED, "post", "cancel/", {"reason": "Changed plans."}),   (200, 200, 404, 403, 401)),
    ((S.ACCEPTED, "post", "pay/", PAY),                               (403, 200, 404, 403, 401)),
    ((S.PAID, "post", "ship/", SHIP),                                 (403, 200, 404, 403, 401)),
    ((S.SHIPPED, "post", "confirm-delivery/", {}),                    (200, 403, 404, 403, 401)),
    ((S.DELIVERED, "post", "complete/", {}),                          (200, 403, 404, 403, 401)),
    ((S.DELIVERED, "post", "dispute/", {"reason": "Wet cartons."}),   (200, 403, 404, 403, 401)),
    ((S.DISPUTED, "post", "resolve/", {"reason": "Refund half.", "refund_amount": "100.00"}),
     (403, 403, 404, 200, 401)),
    ((S.RESOLVED, "post", "complete/", {}),                           (200, 403, 404, 403, 401)),
    ((S.COMPLETED, "post", "dispute/", {"reason": "Late claim."}),    (409, 403, 404, 403, 401)),
]

CELLS = [pytest.param(spec, role, code, id=f"{spec[0]} {spec[1]} {spec[2] or 'detail'} | {role}")
         for spec, codes in MATRIX for role, code in zip(ROLES, codes, strict=True)]


def client_for(api_client, world, role):
    user = {"buyer": world.buyer_owner, "seller": world.seller_t_owner, "other": world.other_owner,
            "moderator": world.moderator, "anonymous": None}[role]
    api_client.force_authenticate(user=user)
    return api_client


def expected_code(role: str, status: int) -> str:
    if status == 403:
        return "permission_denied"
    return {401: "not_authenticated", 404: "not_found", 409: "invalid_transition"}[status]


@pytest.mark.parametrize(("spec", "role", "expected"), CELLS)
def test_permission_matrix(api_client, world, spec, role, expected):
    status, method, suffix, body = spec
    order = order_in(world, status)
    client = client_for(api_client, world, role)
    before = snapshot()

    response = getattr(client, method)(f"{ORDERS}{order.pk}/{suffix}", body)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert error_of(response)["code"] == expected_code(role, expected)
        assert snapshot() == before
    elif method == "post":
        order.refresh_from_db()
        assert order.status != status
        assert order.events.order_by("-pk").first().from_status == status


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", CART, None), ("delete", CART, None), ("post", LINES, {"listing_id": 1, "quantity": 10}),
    ("patch", f"{LINES}1/", {"quantity": 10}), ("delete", f"{LINES}1/", None), ("post", CHECKOUT, {}),
    ("get", ORDERS, None),
])
def test_anonymous_clients_are_refused_everywhere(api_client, world, method, path, body):
    before = snapshot()

    response = getattr(api_client, method)(path, body)

    assert (response.status_code, error_of(response)["code"]) == (401, "not_authenticated")
    assert snapshot() == before


def test_a_seller_only_company_cannot_use_a_cart(as_user, world):
    response = as_user(world.seller_t_owner).post(LINES, {"listing_id": world.cable.pk, "quantity": 100})

    assert (response.status_code, error_of(response)["code"]) == (403, "not_a_buyer")


def test_amounts_are_strings_with_two_decimals(as_user, world):
    order = order_in(world, S.PLACED)

    body = as_user(world.buyer_owner).get(f"{ORDERS}{order.pk}/").json()

    assert Decimal(body["total"]) == Decimal("3065.44")
    assert body["total"] == "3065.44"
