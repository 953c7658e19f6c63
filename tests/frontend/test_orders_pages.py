"""The ordering pages: add to cart from the listing page, the cart, the buyer's orders, the seller's
inbox and the order page with the moves each role may take, and their query counts."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from marketplace.models import Listing
from orders import services
from orders.models import CartLine, Order, OrderEvent, OrderStatus
from payments.references import rf_format
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import build_world, buyer_company, order_in, place, snapshot, towel

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def _section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _count(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def _cart(world):
    return list(CartLine.objects.order_by("pk").values_list("listing_id", "quantity", "incoterm"))


# --- add to cart ----------------------------------------------------------------------------------

def test_the_listing_page_offers_the_add_to_cart_form_to_buyers(client_as, world):
    response = client_as(world.buyer_owner).get(f"/listings/{world.towel.pk}/")

    form = _section(response, "add-to-cart-form")
    assert 'action="/cart/add/"' in form
    assert f'<input type="hidden" name="listing_id" value="{world.towel.pk}">' in form
    assert ('<input type="number" name="quantity" id="add-to-cart-quantity" min="10" step="5" value="10" '
            'inputmode="numeric" required>') in form
    assert re.findall(r'<option value="(\w*)">', form) == ["", "DAP", "EXW", "FOB"]


def test_sellers_and_visitors_get_no_add_to_cart_form(client, client_as, world):
    assertNotContains(client.get(f"/listings/{world.towel.pk}/"), 'id="add-to-cart-form"')
    assertContains(client.get(f"/listings/{world.towel.pk}/"),
                   f'<a href="/login/?next=/listings/{world.towel.pk}/">Log in to order</a>', html=True)
    assertNotContains(client_as(world.seller_t_owner).get(f"/listings/{world.towel.pk}/"), 'id="add-to-cart-form"')
    assertNotContains(client_as(world.seller_c_owner).get(f"/listings/{world.towel.pk}/"), 'id="add-to-cart-form"')


def test_adding_to_the_cart_puts_the_line_in_the_companys_cart(client_as, world):
    client = client_as(world.buyer_staff)

    response = client.post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "25", "incoterm": "DAP"})

    assertRedirects(response, "/cart/", fetch_redirect_response=False)
    assert _cart(world) == [(world.towel.pk, 25, "DAP")]
    assert CartLine.objects.get().cart.buyer == world.buyer
    response = client.post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "10", "incoterm": ""},
                           follow=True)
    assert _cart(world) == [(world.towel.pk, 35, "DAP")]
    assert _messages(response) == ["Bath towel is in your cart.", "Bath towel is in your cart."]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"quantity": "5"}, "quantity", "The minimum order quantity of Bath towel is 10."),
    ({"quantity": "12"}, "quantity", "Order Bath towel in the minimum quantity (10) plus multiples of 5."),
    ({"quantity": "1005"}, "quantity", "Only 1000 of Bath towel are in stock."),
    ({"quantity": "20", "incoterm": "CIF"}, "incoterm", "Bath towel is offered under DAP, EXW, FOB only."),
    ({"quantity": "ten"}, "quantity", "Enter a whole number."),
    ({"quantity": "20", "incoterm": "XYZ"}, "incoterm",
     "Select a valid choice. XYZ is not one of the available choices."),
])
def test_bad_input_is_a_form_error_and_changes_nothing(client_as, world, data, field, message):
    before = snapshot()

    response = client_as(world.buyer_owner).post("/cart/add/", {"listing_id": world.towel.pk, **data})

    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assertContains(response, message, status_code=400)
    assert 'id="add-to-cart-form"' in response.content.decode()
    assert snapshot() == before


def test_a_listing_not_shipped_to_the_buyers_country_is_refused(client_as, world):
    us_buyer = buyer_company("Delta Supply Inc", country="US", currency="USD")
    member = MembershipFactory(company=us_buyer).user
    before = snapshot()

    response = client_as(member).post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "20"})

    assert response.status_code == 400
    assert response.context["form"].errors == {"__all__": ["Bath towel is not shipped to United States of America."]}
    assert snapshot() == before


def test_an_unknown_listing_is_refused_and_sellers_cannot_add(client_as, world):
    before = snapshot()
    response = client_as(world.buyer_owner).post("/cart/add/", {"listing_id": "999999", "quantity": "20"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"__all__": ["This listing is not available."]}

    response = client_as(world.seller_c_owner).post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "20"})
    assert response.status_code == 403
    assert snapshot() == before


def test_the_cart_pages_need_a_sign_in(client, world):
    assertRedirects(client.get("/cart/"), "/login/?next=/cart/", fetch_redirect_response=False)
    response = client.post("/cart/add/", {"listing_id": world.towel.pk, "quantity": "20"})
    assert response.status_code == 302
    assert CartLine.objects.count() == 0


# --- the cart -------------------------------------------------------------------------------------

def _fill(world, *lines):
    for listing, quantity, *incoterm in lines:
        services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=listing.pk, quantity=quantity,
                               incoterm=incoterm[0] if incoterm else None)


def test_the_cart_groups_lines_by_seller_in_both_currencies(client_as, world):
    _fill(world, (world.towel, 20, "DAP"), (world.cable, 300))

    response = client_as(world.buyer_staff).get("/cart/?currency=USD")

    towel_group = _section(response, f"cart-seller-{world.seller_t.pk}-TRY")
    cable_group = _section(response, f"cart-seller-{world.seller_c.pk}-CNY")
    assert "<h2>Tekstil A.S. <span class=\"muted\">(TR)</span></h2>" in towel_group
    # 20 x 100.00 TRY; 1 TRY = 1.25 / 40 USD = 0.03125
    assert re.findall(r'<td class="num">([^<]*)</td>', towel_group) == [
        "100.00 TRY", "2000.00 TRY", "62.50 USD", "2000.00 TRY", "62.50 USD"]
    assert "1 TRY = 0.03125000 USD (rate of 01/05/2026, source: ecb)" in towel_group
    # 300 x 12.50 CNY; 1 CNY = 1.25 / 8 USD = 0.15625
    assert re.findall(r'<td class="num">([^<]*)</td>', cable_group) == [
        "12.50 CNY", "3750.00 CNY", "585.94 USD", "3750.00 CNY", "585.94 USD"]
    assert '<strong id="cart-total">648.44 USD</strong>' in response.content.decode()
    line = CartLine.objects.get(listing=world.towel)
    assert '<option value="DAP" selected>DAP – Delivered at Place</option>' in _section(
        response, f"cart-line-{line.pk}-form")
    assert 'id="cart-has-problems"' not in response.content.decode()


def test_the_cart_shows_the_problems_of_each_line(client_as, world):
    _fill(world, (world.towel, 20), (world.cable, 300))
    Listing.objects.filter(pk=world.towel.pk).update(stock=15)
    line = CartLine.objects.get(listing=world.towel)

    response = client_as(world.buyer_owner).get("/cart/")

    assert re.findall(r"<li>([^<]*)</li>", _section(response, f"cart-line-{line.pk}-problems")) == [
        "Only 15 left in stock."]
    assert 'id="cart-has-problems"' in response.content.decode()
    cable_line = CartLine.objects.get(listing=world.cable)
    assert f'id="cart-line-{cable_line.pk}-problems"' not in response.content.decode()


def test_a_line_gets_a_new_quantity_and_incoterm(client_as, world):
    _fill(world, (world.towel, 20))
    line = CartLine.objects.get()

    response = client_as(world.buyer_owner).post(f"/cart/lines/{line.pk}/",
                                                 {"quantity": "60", "incoterm": "FOB", "next": "/cart/?currency=USD"})

    assertRedirects(response, "/cart/?currency=USD", fetch_redirect_response=False)
    assert _cart(world) == [(world.towel.pk, 60, "FOB")]


def test_a_bad_quantity_for_a_line_is_a_form_error_and_changes_nothing(client_as, world):
    _fill(world, (world.towel, 20))
    line = CartLine.objects.get()
    before = snapshot()

    response = client_as(world.buyer_owner).post(f"/cart/lines/{line.pk}/", {"quantity": "13", "incoterm": ""})

    assert response.status_code == 400
    form_html = _section(response, f"cart-line-{line.pk}-form")
    assert "Order Bath towel in the minimum quantity (10) plus multiples of 5." in form_html
    assert 'value="13"' in form_html
    assert snapshot() == before


def test_lines_are_removed_and_the_cart_cleared(client_as, world):
    _fill(world, (world.towel, 20), (world.cable, 300))
    towel_line = CartLine.objects.get(listing=world.towel)
    client = client_as(world.buyer_owner)

    assertRedirects(client.post(f"/cart/lines/{towel_line.pk}/remove/"), "/cart/", fetch_redirect_response=False)
    assert _cart(world) == [(world.cable.pk, 300, "")]
    response = client.post("/cart/clear/", follow=True)
    assert _cart(world) == []
    assert "Your cart is empty now." in _messages(response)
    assertContains(response, 'id="cart-empty"')


def test_another_companys_line_cannot_be_touched(client_as, world):
    _fill(world, (world.towel, 20))
    line = CartLine.objects.get()
    before = snapshot()
    client = client_as(world.other_owner)

    assert client.post(f"/cart/lines/{line.pk}/", {"quantity": "30"}).status_code == 404
    assert client.post(f"/cart/lines/{line.pk}/remove/").status_code == 404
    assert snapshot() == before
    client.post("/cart/clear/")
    assert snapshot()["cart_lines"] == before["cart_lines"]


def test_the_nav_shows_the_cart_line_count_orders_and_the_seller_inbox(client_as, world):
    _fill(world, (world.towel, 20), (world.cable, 300))

    nav = _section(client_as(world.buyer_owner).get("/"), "nav-cart")
    assert nav == '<a id="nav-cart" href="/cart/">Cart <span class="nav-count">2</span></a>'
    seller_page = client_as(world.seller_t_owner).get("/").content.decode()
    assert 'id="nav-cart"' not in seller_page
    assert '<a id="nav-seller-orders" href="/seller/orders/">Seller inbox</a>' in seller_page
    assert '<a id="nav-orders" href="/orders/">Orders</a>' in seller_page


def test_the_cart_page_query_count_does_not_grow_with_the_lines(client_as, world):
    client = client_as(world.buyer_owner)
    _fill(world, (world.towel, 20), (world.cable, 300))
    few, _response = _count(client, "/cart/?currency=USD")
    for number in range(18):
        _fill(world, (towel(world.seller_t, title=f"Towel {number}"), 20))

    many, response = _count(client, "/cart/?currency=USD")

    assert response.context["cart"].line_count == 20
    assert many == few


# --- order lists ------------------------------------------------------------------------------------

def test_buyers_see_their_orders_with_totals_in_both_currencies(client_as, world):
    placed = order_in(world, OrderStatus.PLACED)
    accepted = order_in(world, OrderStatus.ACCEPTED, world.cable)
    place(world, buyer=world.other, actor=world.other_owner)

    response = client_as(world.buyer_staff).get("/orders/")

    rows = _section(response, "orders")
    assert re.findall(r'<tr id="order-(\d+)">', rows) == [str(accepted.pk), str(placed.pk)]
    row = _section(response, f"order-{placed.pk}")
    # 20 towels under EXW to DE: the seller invoices 2000.00 TRY = 50.00 EUR
    assert "<td>Tekstil A.S.</td>" in row
    assert '<span class="badge badge-order badge-order-placed">Placed</span>' in row
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["2000.00 TRY", "50.00 EUR"]
    assert f'<a href="/orders/{placed.pk}/">Order {placed.pk}</a>' in row

    filtered = client_as(world.buyer_owner).get("/orders/?status=accepted")
    assert re.findall(r'<tr id="order-(\d+)">', _section(filtered, "orders")) == [str(accepted.pk)]


def test_the_seller_inbox_lists_received_orders(client_as, world):
    towel_order = order_in(world, OrderStatus.PLACED)
    order_in(world, OrderStatus.PLACED, world.cable)

    response = client_as(world.seller_t_owner).get("/seller/orders/")

    assert re.findall(r'<tr id="order-(\d+)">', _section(response, "orders")) == [str(towel_order.pk)]
    row = _section(response, f"order-{towel_order.pk}")
    assert "<td>Gamma Handel GmbH</td>" in row and "<td>Germany</td>" in row
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["2000.00 TRY", "0.00 TRY"]
    empty = client_as(world.seller_t_owner).get("/seller/orders/?status=shipped")
    assertContains(empty, 'id="no-orders"')


def test_buyers_have_no_seller_inbox(client_as, world):
    assert client_as(world.buyer_owner).get("/seller/orders/").status_code == 403


def test_moderators_see_every_order(client_as, world):
    first = order_in(world, OrderStatus.PLACED)
    second = place(world, buyer=world.other, actor=world.other_owner).orders.get()

    response = client_as(world.moderator).get("/orders/")

    assert re.findall(r'<tr id="order-(\d+)">', _section(response, "orders")) == [str(second.pk), str(first.pk)]


def _many_orders(world, count: int) -> None:
    for _number in range(count):
        place(world)


@pytest.mark.parametrize(("url", "user"), [("/orders/", "buyer_owner"), ("/seller/orders/", "seller_t_owner")])
def test_order_list_query_counts_do_not_grow_with_the_rows(client_as, world, url, user):
    client = client_as(getattr(world, user))
    _many_orders(world, 1)
    few, _response = _count(client, url)
    _many_orders(world, 19)

    many, response = _count(client, url)

    assert len(response.context["page"].object_list) == 20
    assert many == few


# --- the order page -----------------------------------------------------------------------------------

def test_the_order_page_shows_lines_amounts_rate_and_timeline(client_as, world):
    order = order_in(world, OrderStatus.ACCEPTED)

    response = client_as(world.buyer_owner).get(f"/orders/{order.pk}/")

    assert response.status_code == 200
    assert '<span class="badge badge-order badge-order-accepted">Accepted</span>' in _section(response, "order-status")
    assert _section(response, "order-incoterm") == '<dd id="order-incoterm">EXW – Ex Works</dd>'
    assert _section(response, "order-destination") == (
        '<dd id="order-destination">1 Hauptstrasse, Gamma Handel GmbH<br>Germany</dd>')
    assert _section(response, "order-fx") == ('<dd id="order-fx">1 TRY = 0.02500000 EUR (rate of 01/05/2026, '
                                              'source: ecb), locked when the order was placed</dd>')
    line = order.lines.get()
    assert re.findall(r'<td class="num">([^<]*)</td>', _section(response, f"order-line-{line.pk}")) == [
        "20 piece", "100.00 TRY", "2000.00 TRY", "10.000 kg"]
    amounts = _section(response, "order-amounts")
    assert re.findall(r'<td class="num">([^<]*)</td>', amounts) == [
        "2000.00 TRY", "300.00 TRY", "0.00 TRY", "276.00 TRY", "489.44 TRY", "2000.00 TRY", "1065.44 TRY",
        "3065.44 TRY"]
    assert '<td colspan="2">50.00 EUR</td>' in amounts and '<td colspan="2">26.64 EUR</td>' in amounts
    assert "Estimated costs you pay to others (carrier, insurer, customs)" in amounts
    terms = _section(response, "order-payment-terms")
    assert "100% in advance, when the seller accepts the order" in terms
    assert rf_format(order.payment_reference) in terms
    assert "The seller has not given a bank account yet" in terms
    timeline = _section(response, "order-timeline")
    events = list(order.events.order_by("pk"))
    assert re.findall(r'<tr id="order-event-(\d+)">', timeline) == [str(e.pk) for e in events]
    accepted_row = _section(response, f"order-event-{events[1].pk}")
    assert f"<td>{world.seller_t_owner.full_name} (Seller)</td>" in accepted_row
    assert "<td>Placed</td>" in accepted_row and "<td>Accepted</td>" in accepted_row


def test_a_refusal_reason_is_in_the_timeline(client_as, world):
    order = order_in(world, OrderStatus.REFUSED)
    event = order.events.order_by("pk").last()

    row = _section(client_as(world.buyer_owner).get(f"/orders/{order.pk}/"), f"order-event-{event.pk}")

    assert "<td>Out of capacity.</td>" in row


def test_another_companys_order_is_not_found(client, client_as, world):
    order = order_in(world, OrderStatus.PLACED)

    assert client_as(world.other_owner).get(f"/orders/{order.pk}/").status_code == 404
    assert client_as(world.seller_c_owner).get(f"/orders/{order.pk}/").status_code == 404
    client.logout()
    assertRedirects(client.get(f"/orders/{order.pk}/"), f"/login/?next=/orders/{order.pk}/",
                    fetch_redirect_response=False)


def _action_names(response) -> list[str]:
    return re.findall(r'<form method="post" class="form order-action" id="action-([\w-]+)"', response.content.decode())


@pytest.mark.parametrize(("status", "user", "expected"), [
    (OrderStatus.PLACED, "seller_t_owner", ["accept", "refuse"]),
    (OrderStatus.PLACED, "buyer_owner", ["cancel"]),
    (OrderStatus.ACCEPTED, "seller_t_owner", ["pay", "cancel"]),
    (OrderStatus.ACCEPTED, "buyer_owner", ["cancel"]),
    (OrderStatus.PAID, "seller_t_owner", ["ship"]),
    (OrderStatus.PAID, "buyer_owner", []),
    (OrderStatus.SHIPPED, "buyer_owner", ["confirm-delivery"]),
    (OrderStatus.DELIVERED, "buyer_owner", ["complete", "dispute"]),
    (OrderStatus.DISPUTED, "moderator", ["resolve"]),
    (OrderStatus.DISPUTED, "buyer_owner", []),
    (OrderStatus.RESOLVED, "buyer_owner", ["complete"]),
    (OrderStatus.COMPLETED, "buyer_owner", []),
])
def test_the_page_offers_the_moves_the_viewers_role_allows_now(client_as, world, status, user, expected):
    order = order_in(world, status)

    response = client_as(getattr(world, user)).get(f"/orders/{order.pk}/")

    assert _action_names(response) == expected


def test_the_payment_form_starts_with_what_is_owed_before_shipment(client_as, world):
    order = order_in(world, OrderStatus.ACCEPTED)

    form = _section(client_as(world.seller_t_owner).get(f"/orders/{order.pk}/"), "action-pay")

    assert 'name="amount" value="2000.00"' in form
    assert f'name="reference" value="{order.payment_reference}"' in form


MOVES = [
    # (starting status, action, acting user, posted data, status after)
    (OrderStatus.PLACED, "accept", "seller_t_owner", {}, OrderStatus.ACCEPTED),
    (OrderStatus.PLACED, "refuse", "seller_t_owner", {"reason": "No capacity."}, OrderStatus.REFUSED),
    (OrderStatus.PLACED, "cancel", "buyer_owner", {}, OrderStatus.CANCELLED),
    (OrderStatus.ACCEPTED, "cancel", "seller_t_owner", {"reason": "Factory fire."}, OrderStatus.CANCELLED),
    (OrderStatus.ACCEPTED, "pay", "seller_t_owner",
     {"reference": "TT-77", "amount": "2000.00", "method": "bank_transfer"}, OrderStatus.PAID),
    (OrderStatus.PAID, "ship", "seller_t_owner",
     {"carrier": "Maersk", "tracking_number": "MSK-9", "documents": "BL-1\n\nInvoice 7\n"}, OrderStatus.SHIPPED),
    (OrderStatus.SHIPPED, "confirm-delivery", "buyer_staff", {}, OrderStatus.DELIVERED),
    (OrderStatus.DELIVERED, "dispute", "buyer_owner", {"reason": "Wet cartons."}, OrderStatus.DISPUTED),
    (OrderStatus.DELIVERED, "complete", "buyer_owner", {}, OrderStatus.COMPLETED),
    (OrderStatus.DISPUTED, "resolve", "moderator", {"reason": "Half back.", "refund_amount": "100.00"},
     OrderStatus.RESOLVED),
    (OrderStatus.RESOLVED, "complete", "buyer_owner", {}, OrderStatus.COMPLETED),
]


@pytest.mark.parametrize(("status", "action", "user", "data", "after"), MOVES)
def test_each_move_works_for_the_right_role(client_as, world, status, action, user, data, after):
    order = order_in(world, status)
    actor = getattr(world, user)

    response = client_as(actor).post(f"/orders/{order.pk}/{action}/", data, follow=True)

    assert response.redirect_chain == [(f"/orders/{order.pk}/", 302)]
    order.refresh_from_db()
    assert order.status == after
    event = order.events.order_by("pk").last()
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        actor, status, after, data.get("reason", ""))
    assert len(_messages(response)) == 1


def test_the_move_details_are_stored(client_as, world):
    paid = order_in(world, OrderStatus.PAID)
    client_as(world.seller_t_owner).post(f"/orders/{paid.pk}/ship/", {
        "carrier": "Maersk", "tracking_number": "MSK-9", "documents": "BL-1\n\nInvoice 7\n"})
    paid.refresh_from_db()
    assert (paid.carrier, paid.tracking_number, paid.shipping_documents) == ("Maersk", "MSK-9", ["BL-1", "Invoice 7"])

    disputed = order_in(world, OrderStatus.DISPUTED)
    client_as(world.moderator).post(f"/orders/{disputed.pk}/resolve/", {"reason": "Half back.",
                                                                         "refund_amount": "100.00"})
    disputed.refresh_from_db()
    assert disputed.refund_amount == Decimal("100.00")


WRONG = [
    # (starting status, action, acting user, posted data, expected HTTP status)
    (OrderStatus.PLACED, "accept", "buyer_owner", {}, 403),
    (OrderStatus.PLACED, "refuse", "buyer_owner", {"reason": "x"}, 403),
    (OrderStatus.ACCEPTED, "pay", "buyer_owner", {"reference": "R", "amount": "2000.00", "method": "card"}, 403),
    (OrderStatus.PAID, "ship", "buyer_owner", {"carrier": "X", "tracking_number": "Y"}, 403),
    (OrderStatus.SHIPPED, "confirm-delivery", "seller_t_owner", {}, 403),
    (OrderStatus.DELIVERED, "dispute", "seller_t_owner", {"reason": "x"}, 403),
    (OrderStatus.DELIVERED, "complete", "seller_t_owner", {}, 403),
    (OrderStatus.DISPUTED, "resolve", "buyer_owner", {"reason": "x"}, 403),
    (OrderStatus.DISPUTED, "resolve", "seller_t_owner", {"reason": "x"}, 403),
    (OrderStatus.PLACED, "accept", "other_owner", {}, 404),
    (OrderStatus.PLACED, "cancel", "seller_c_owner", {}, 404),
    (OrderStatus.PLACED, "teleport", "seller_t_owner", {}, 404),
    (OrderStatus.SHIPPED, "cancel", "buyer_owner", {}, 409),
    (OrderStatus.PLACED, "pay", "seller_t_owner", {"reference": "R", "amount": "2000.00", "method": "card"}, 409),
    (OrderStatus.PLACED, "cancel", "seller_t_owner", {"reason": "x"}, 409),
    (OrderStatus.PLACED, "resolve", "moderator", {"reason": "x"}, 409),
]


@pytest.mark.parametrize(("status", "action", "user", "data", "code"), WRONG)
def test_a_move_the_role_may_not_take_is_refused_and_changes_nothing(client_as, world, status, action, user, data,
                                                                     code):
    order = order_in(world, status)
    before = snapshot()

    response = client_as(getattr(world, user)).post(f"/orders/{order.pk}/{action}/", data)

    assert response.status_code == code
    assert snapshot() == before
    if code == 409:
        assert len(_messages(response)) == 1


def test_a_conflict_shows_its_message_on_the_order_page(client_as, world):
    order = order_in(world, OrderStatus.SHIPPED)

    response = client_as(world.buyer_owner).post(f"/orders/{order.pk}/cancel/", {})

    assert response.status_code == 409
    assert _messages(response) == ["This order cannot go from shipped to cancelled."]
    assert _action_names(response) == ["confirm-delivery"]


@pytest.mark.parametrize(("status", "action", "user", "data", "field", "message"), [
    (OrderStatus.PLACED, "refuse", "seller_t_owner", {"reason": "  "}, "reason",
     "A reason is required for this decision."),
    (OrderStatus.ACCEPTED, "cancel", "buyer_owner", {}, "reason", "A reason is required for this decision."),
    (OrderStatus.ACCEPTED, "pay", "seller_t_owner", {"reference": "TT", "amount": "3000.00", "method": "card"},
     "amount", "At most 2000.00 TRY is still owed; you entered 3000.00 TRY."),
    (OrderStatus.ACCEPTED, "pay", "seller_t_owner", {"amount": "2000.00", "method": "card"}, "reference",
     "Give the reference shown on the bank transfer."),
    (OrderStatus.ACCEPTED, "pay", "seller_t_owner", {"reference": "TT", "amount": "lots", "method": "card"},
     "amount", "Enter a number."),
    (OrderStatus.PAID, "ship", "seller_t_owner", {"carrier": "Maersk"}, "tracking_number",
     "This field is required."),
    (OrderStatus.DELIVERED, "dispute", "buyer_owner", {}, "reason", "A reason is required for this decision."),
    (OrderStatus.DISPUTED, "resolve", "moderator", {"reason": "Refund all", "refund_amount": "999999.00"},
     "refund_amount", "The refund cannot be more than the 2000.00 TRY paid."),
])
def test_bad_move_details_are_form_errors_on_the_page(client_as, world, status, action, user, data, field, message):
    order = order_in(world, status)
    before = snapshot()

    response = client_as(getattr(world, user)).post(f"/orders/{order.pk}/{action}/", data)

    assert response.status_code == 400
    form = next(item.form for item in response.context["actions"] if item.action.name == action)
    assert form.errors == {field: [message]}
    assert message in _section(response, f"action-{action}")
    assert snapshot() == before


def test_document_links_follow_the_state_of_the_order(client_as, world):
    placed = order_in(world, OrderStatus.PLACED)
    shipped = order_in(world, OrderStatus.SHIPPED)
    client = client_as(world.buyer_owner)

    assert "<a href" not in _section(client.get(f"/orders/{placed.pk}/"), "order-documents")
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', _section(client.get(f"/orders/{shipped.pk}/"),
                                                                   "order-documents"))
    assert links == [(f"/orders/{shipped.pk}/documents/proforma/", "Proforma invoice"),
                     (f"/orders/{shipped.pk}/documents/commercial-invoice/", "Commercial invoice"),
                     (f"/orders/{shipped.pk}/documents/packing-list/", "Packing list")]


def test_the_order_page_query_count_does_not_grow_with_lines_and_events(client_as, world):
    client = client_as(world.seller_t_owner)
    small = order_in(world, OrderStatus.ACCEPTED)
    few, _response = _count(client, f"/orders/{small.pk}/")

    listings = [towel(world.seller_t, title=f"Towel {number}") for number in range(20)]
    big = place(world, lines=[(listing, 10) for listing in listings]).orders.get()
    services.order_accept(order_id=big.pk, actor=world.seller_t_owner)
    start = timezone.now()
    OrderEvent.objects.bulk_create(
        OrderEvent(order=big, actor=world.buyer_owner if number % 2 else None, role="buyer" if number % 2 else "system",
                   from_status="accepted", to_status="accepted", reason=f"Note {number}",
                   created_at=start + timedelta(seconds=number)) for number in range(18))

    many, response = _count(client, f"/orders/{big.pk}/")

    order = response.context["order"]
    assert (len(order.lines.all()), len(order.events.all())) == (20, 20)
    assert _action_names(response) == ["pay", "cancel"]
    assert many == few


def test_the_order_lists_and_page_leave_others_orders_out(client_as, world):
    place(world, buyer=world.other, actor=world.other_owner)

    response = client_as(world.buyer_owner).get("/orders/")

    assertContains(response, 'id="no-orders"')
    assert Order.objects.count() == 1


def test_the_order_page_and_the_proforma_name_the_account_to_pay_into(client_as, world):
    from payments.models import BankAccount

    BankAccount.objects.create(company=world.seller_t, label="TRY main", account_holder="Tekstil A.S.",
                               iban="TR330006100519786457841326", bic="TCZBTR2A", bank_name="Ziraat Bankasi",
                               bank_country="TR", currency="TRY", is_default=True)
    order = order_in(world, OrderStatus.ACCEPTED)
    assert order.pay_to["iban"] == "TR330006100519786457841326"

    page = client_as(world.buyer_owner).get(f"/orders/{order.pk}/")
    pay_to = _section(page, "order-pay-to")
    assert "Tekstil A.S., Ziraat Bankasi" in pay_to
    assert "IBAN TR33 0006 1005 1978 6457 8413 26 · SWIFT/BIC TCZBTR2A · TRY" in pay_to
    proforma = client_as(world.buyer_owner).get(f"/orders/{order.pk}/documents/proforma/").content.decode()
    assert "IBAN TR33 0006 1005 1978 6457 8413 26" in proforma and "SWIFT/BIC TCZBTR2A (TRY)" in proforma
