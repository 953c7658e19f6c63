"""The checkout page: the landed-cost preview before placing, errors as form errors, placing once per
idempotency key, the purchase page, and a query count that does not grow with the lines."""
from __future__ import annotations

import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertRedirects

from accounts.models import VerificationStatus
from orders import services
from orders.models import Order, PurchaseGroup
from tests.orders.helpers import build_world, snapshot, towel

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def _fill(world, *lines):
    for listing, quantity, *incoterm in lines:
        services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=listing.pk, quantity=quantity,
                               incoterm=incoterm[0] if incoterm else None)


def _section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _post_data(response, **changes) -> dict:
    """The values of the checkout form as rendered, with some changed."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(changes)
    return data


def test_the_checkout_page_previews_each_order_before_placing(client_as, world):
    _fill(world, (world.towel, 20), (world.cable, 300))

    response = client_as(world.buyer_staff).get("/checkout/")

    assert response.status_code == 200
    form = response.context["form"]
    assert uuid.UUID(form["idempotency_key"].value()).version == 4
    assert (form["country"].value(), form["address"].value(), form["currency"].value()) == (
        "DE", "1 Hauptstrasse, Gamma Handel GmbH", "EUR")
    towel_select = _section(response, f"incoterm-seller-{world.seller_t.pk}")
    assert re.findall(r'<option value="(\w*)"', towel_select) == ["", "EXW", "DAP", "FOB"]
    assert '<option value="EXW" selected>' in towel_select
    cable_select = _section(response, f"incoterm-seller-{world.seller_c.pk}")
    assert re.findall(r'<option value="(\w*)"', cable_select) == ["", "FOB", "CIF"]

    towel_cost = _section(response, f"landed-cost-{world.seller_t.pk}")
    rows = re.findall(r'<tr class="component-(\w+)">\s*<th scope="row">([^<]+)</th>\s*<td class="num">([^<]+)</td>'
                      r'\s*<td class="num">([^<]+)</td>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>', towel_cost)
    assert rows == [("goods", "Goods", "2000.00", "50.00", "Buyer", "the seller (on its invoice)"),
                    ("shipping", "Shipping", "300.00", "7.50", "Buyer", "the carrier"),
                    ("insurance", "Insurance", "0.00", "0.00", "Buyer", "the insurer"),
                    ("duty", "Import duty", "276.00", "6.90", "Buyer", "customs at the destination"),
                    ("vat", "Import VAT", "489.44", "12.24", "Buyer", "customs at the destination")]
    # EXW: the seller invoices the goods; the buyer pays carriage, duty and VAT to others.
    assert re.findall(r'<td class="num">([^<]+)</td>', towel_cost.split("<tfoot>")[1]) == [
        "2000.00", "50.00", "1065.44", "26.64", "3065.44", "76.64"]
    assert "Invoice total, payable to the seller" in towel_cost
    assert "Estimated costs you pay to others (carrier, insurer, customs)" in towel_cost
    assert ("100% in advance, when the seller accepts the order:\n            when the seller accepts the order "
            "2000.00 TRY" in _section(response, f"schedule-{world.seller_t.pk}"))
    assert ("1 TRY = 0.02500000 EUR (rate of 01/05/2026, source: ecb). The rate is locked when the order is placed."
            in _section(response, f"preview-seller-{world.seller_t.pk}"))
    # The cable is FOB by default: 3750.00 goods, 400.00 shipping, no insurance, duty 4 % of 4150.00 = 166.00,
    # VAT 19 % of 4316.00 = 820.04; the seller invoices 3750.00 CNY = 468.75 EUR, the buyer pays 1386.04 CNY
    # = 173.26 EUR to others; 5136.04 CNY = 642.01 EUR in all
    assert re.findall(r'<td class="num">([^<]+)</td>', _section(
        response, f"landed-cost-{world.seller_c.pk}").split("<tfoot>")[1]) == [
        "3750.00", "468.75", "1386.04", "173.26", "5136.04", "642.01"]
    assert "<strong>518.75 EUR</strong>" in _section(response, "preview-total")
    assert "<strong>199.90 EUR</strong>" in _section(response, "preview-other-costs")
    assert 'disabled' not in _section(response, "place-button")
    assertContains(response, '<script src="/static/django_htmx/htmx-2.min.js" defer')


def test_changing_the_incoterm_and_currency_updates_the_preview(client_as, world):
    _fill(world, (world.towel, 20), (world.cable, 300))
    client = client_as(world.buyer_owner)
    page = client.get("/checkout/")

    response = client.post("/checkout/", _post_data(page, **{f"incoterm_{world.seller_c.pk}": "CIF",
                                                             "currency": "USD", "action": "preview"}))

    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(o.incoterm, o.estimate.invoice_total, o.invoice_total_in_buyer_currency) for o in preview.orders] == [
        ("EXW", Decimal("2000.00"), Decimal("62.50")), ("CIF", Decimal("4168.75"), Decimal("651.37"))]
    assert response.context["form"]["idempotency_key"].value() == page.context["form"]["idempotency_key"].value()
    assert Order.objects.count() == 0


def test_placing_stores_the_previewed_numbers_and_shows_the_purchase(client_as, world):
    _fill(world, (world.towel, 55, "DAP"), (world.cable, 1200))
    client = client_as(world.buyer_owner)
    data = _post_data(client.get("/checkout/"), **{f"incoterm_{world.seller_c.pk}": "CIF", "country": "NL",
                                                  "address": "Kade 4, Rotterdam", "currency": "USD"})
    preview = client.post("/checkout/", {**data, "action": "preview"}).context["preview"]

    response = client.post("/checkout/", {**data, "action": "place"})

    group = PurchaseGroup.objects.get()
    assertRedirects(response, f"/checkout/done/{group.pk}/", fetch_redirect_response=False)
    assert (group.idempotency_key, group.buyer, group.created_by) == (data["idempotency_key"], world.buyer,
                                                                      world.buyer_owner)
    orders = list(group.orders.order_by("seller_id"))
    for order, expected in zip(orders, preview.orders, strict=True):
        assert (order.seller_id, order.incoterm, order.currency, order.buyer_currency, order.fx_rate,
                order.fx_rate_date, order.destination_country, order.destination_address) == (
            expected.seller_id, expected.incoterm, expected.currency, "USD", expected.fx.rate, expected.fx.as_of,
            "NL", "Kade 4, Rotterdam")
        assert (order.goods_total, order.shipping, order.insurance, order.duty, order.vat, order.total,
                order.invoice_total, order.buyer_other_costs, order.invoice_total_in_buyer_currency) == (
            expected.estimate.goods, expected.estimate.shipping, expected.estimate.insurance, expected.estimate.duty,
            expected.estimate.vat, expected.estimate.total, expected.estimate.invoice_total,
            expected.estimate.buyer_other_costs, expected.invoice_total_in_buyer_currency)
    assert [order.incoterm for order in orders] == ["DAP", "CIF"]

    done = client.get(f"/checkout/done/{group.pk}/")
    assert _messages(done) == ["Your purchase is placed. Each seller has been asked to accept its order."]
    rows = _section(done, "purchase-orders")
    assert re.findall(r'<tr id="placed-order-(\d+)">', rows) == [str(order.pk) for order in orders]
    towel_row = _section(done, f"placed-order-{orders[0].pk}")
    assert "<td>55 × Bath towel</td>" in towel_row
    assert re.findall(r'<td class="num">([^<]+)</td>', towel_row) == [
        f"{orders[0].invoice_total} TRY", f"{orders[0].invoice_total_in_buyer_currency} USD",
        f"{orders[0].buyer_other_costs} TRY"]
    assert f"<td>{orders[0].payment_reference}</td>" in towel_row


def test_a_double_submit_places_the_cart_once(client_as, world):
    _fill(world, (world.towel, 20), (world.cable, 300))
    client = client_as(world.buyer_owner)
    data = {**_post_data(client.get("/checkout/")), "action": "place"}

    first = client.post("/checkout/", data)
    second = client.post("/checkout/", data, follow=True)

    group = PurchaseGroup.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/checkout/done/{group.pk}/"
    assert second.redirect_chain == [(f"/checkout/done/{group.pk}/", 302)]
    assert Order.objects.count() == 2
    assert "This checkout was already placed; here are its orders." in _messages(second)


def test_a_key_reused_for_another_checkout_is_a_message_and_places_nothing(client_as, world):
    _fill(world, (world.towel, 20))
    client = client_as(world.buyer_owner)
    data = {**_post_data(client.get("/checkout/")), "action": "place"}
    client.post("/checkout/", data)
    _fill(world, (world.towel, 20))
    before = snapshot()

    response = client.post("/checkout/", {**data, "country": "NL"})

    assert response.status_code == 409
    assert _messages(response)[-1] == "This idempotency key was already used for a different checkout."
    assert snapshot() == before


def test_a_restricted_destination_is_a_form_error_and_places_nothing(client_as, world):
    _fill(world, (world.cable, 300))
    client = client_as(world.buyer_owner)
    data = _post_data(client.get("/checkout/"), country="KP", address="Pyongyang")
    before = snapshot()

    preview = client.post("/checkout/", {**data, "action": "preview"})
    placed = client.post("/checkout/", {**data, "action": "place"})

    message = "North Korea is a restricted destination: UN sanctions restrict trade with North Korea."
    for response in (preview, placed):
        assert response.status_code == 400
        assert response.context["form"].errors == {"country": [message]}
        assert response.context["preview"] is None
        assert message in response.content.decode()
        assert "disabled" in _section(response, "place-button")
    assert snapshot() == before


def test_a_restricted_hs_code_and_no_shipping_are_form_errors(client_as, world):
    _fill(world, (world.cable, 300))
    client = client_as(world.buyer_owner)
    data = _post_data(client.get("/checkout/"), action="place")

    iran = client.post("/checkout/", {**data, "country": "IR"})
    france = client.post("/checkout/", {**data, "country": "FR"})

    assert iran.context["form"].errors == {"country": [
        "Goods with HS code 854442 cannot be shipped to Iran (restricted HS 8544): Cables are under an export "
        "embargo."]}
    assert france.context["form"].errors == {"country": ["Copper cable is not shipped to France."]}
    assert (iran.status_code, france.status_code) == (400, 400)
    assert Order.objects.count() == 0


def test_an_incoterm_not_offered_is_a_form_error(client_as, world):
    _fill(world, (world.towel, 20))
    client = client_as(world.buyer_owner)
    data = _post_data(client.get("/checkout/"), **{f"incoterm_{world.seller_t.pk}": "CIF"}, action="place")

    response = client.post("/checkout/", data)

    assert response.status_code == 400
    assert response.context["form"].errors == {f"incoterm_{world.seller_t.pk}": [
        "Select a valid choice. CIF is not one of the available choices."]}
    assert Order.objects.count() == 0


def test_sellers_whose_lines_share_no_incoterm_are_told_to_split(client_as, world):
    other = towel(world.seller_t, title="Robe", incoterms=["CPT"])
    _fill(world, (world.towel, 20), (other, 20))

    response = client_as(world.buyer_owner).get("/checkout/")

    assert response.context["form"].errors == {f"incoterm_{world.seller_t.pk}": [
        "The listings of Tekstil A.S. in your cart share no Incoterm; order them separately."]}
    assert "disabled" in _section(response, "place-button")


def test_an_unverified_buyer_sees_the_estimate_but_cannot_place(client_as, world):
    _fill(world, (world.towel, 20))
    world.buyer.verification_status = VerificationStatus.PENDING
    world.buyer.save(update_fields=["verification_status"])
    client = client_as(world.buyer_owner)
    page = client.get("/checkout/")
    before = snapshot()

    response = client.post("/checkout/", {**_post_data(page), "action": "place"})

    assert 'id="not-verified"' in page.content.decode()
    assert "disabled" in _section(page, "place-button")
    assert response.status_code == 403
    assert _messages(response) == ["Your company must be verified before it can place orders."]
    assert snapshot() == before


def test_an_empty_cart_has_nothing_to_check_out(client_as, world):
    response = client_as(world.buyer_owner).get("/checkout/")

    assert response.status_code == 200
    assertContains(response, 'id="cart-empty"')


def test_only_buying_companies_check_out_and_see_their_own_purchases(client, client_as, world):
    _fill(world, (world.towel, 20))
    client_as(world.buyer_owner)
    data = {**_post_data(client.get("/checkout/")), "action": "place"}
    client.post("/checkout/", data)
    group = PurchaseGroup.objects.get()

    assert client_as(world.seller_t_owner).get("/checkout/").status_code == 403
    assert client_as(world.other_owner).get(f"/checkout/done/{group.pk}/").status_code == 404
    client.logout()
    assertRedirects(client.get("/checkout/"), "/login/?next=/checkout/", fetch_redirect_response=False)


def _count(client) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/checkout/")
    assert response.status_code == 200
    return len(queries), response


def test_the_checkout_query_count_does_not_grow_with_the_lines(client_as, world):
    client = client_as(world.buyer_owner)
    _fill(world, (world.towel, 20))
    few, _response = _count(client)
    for number in range(19):
        _fill(world, (towel(world.seller_t, title=f"Towel {number}"), 10))

    many, response = _count(client)

    assert len(response.context["preview"].orders[0].lines) == 20
    assert many == few


def test_the_purchase_page_query_count_does_not_grow_with_the_orders(client_as, world):
    client = client_as(world.buyer_owner)

    def done_page_count(lines) -> int:
        _fill(world, *lines)
        group = services.checkout_place(actor=world.buyer_owner, buyer=world.buyer,
                                        idempotency_key=str(uuid.uuid4())).group
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/checkout/done/{group.pk}/").status_code == 200
        return len(queries)

    few = done_page_count([(world.towel, 20)])
    many = done_page_count([(world.cable, 300), *((towel(world.seller_t, title=f"T{n}"), 10) for n in range(19))])

    assert many == few
