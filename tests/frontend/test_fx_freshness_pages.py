"""The stale-rates warning on the cart, the checkout and the quote comparison, and the one rate date
those pages give for their conversions.

The world's rates are of Monday 5 January 2026 (tests/orders/helpers.py); with FX_STALE_AFTER_DAYS = 4
they are fresh until 9 January and stale from 10 January."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains, assertNotContains

from orders import services
from orders.models import Order
from orders.selectors import cart_get
from tests.orders.helpers import RATE_DATE
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db

LAST_FRESH = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)  # the rates are 4 days old
FIRST_STALE = LAST_FRESH + timedelta(days=1)  # 5 days old
WARNING_5_DAYS = (
    '<div class="notice notice-warn fx-stale" id="fx-stale" role="status">'
    "<p><strong>The exchange rates are out of date.</strong> "
    "The newest stored rates are those of Jan. 5, 2026, 5 days ago.</p>"
    "<p>Amounts converted to another currency are estimates at the rates of Jan. 5, 2026. An order locks the "
    "newest stored rate at the moment it is placed and keeps it.</p></div>")
PLACING = "You can still place your orders; the amounts in your currency below are estimates at these rates."


@pytest.fixture
def clock():
    with time_machine.travel(LAST_FRESH, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock):
    world = build_rfq_world()
    assert RATE_DATE.isoformat() == "2026-01-05"
    return world


def _fill(world, *lines):
    for listing, quantity in lines:
        services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=listing.pk, quantity=quantity,
                               incoterm=None)


def _section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _comparison_url(world) -> str:
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    return f"/rfqs/{rfq.pk}/"


def _get(client, url: str):
    """The page and its queries."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


def _freshness_queries(sqls: list[str]) -> int:
    return sum(1 for sql in sqls if re.search(r'MAX\("fx_fxrate"\."date"\)', sql))


# --- the warning on each page ------------------------------------------------------------------------

def test_the_cart_warns_when_the_rates_are_stale(client_as, world, clock):
    _fill(world, (world.towel, 20))
    client = client_as(world.buyer_owner)
    clock.move_to(FIRST_STALE)

    response, sqls = _get(client, "/cart/")

    assertContains(response, WARNING_5_DAYS, html=True)
    assertNotContains(response, PLACING)
    assert _freshness_queries(sqls) == 1


def test_the_checkout_warns_and_stays_possible_with_stale_rates(client_as, world, clock):
    _fill(world, (world.towel, 20))
    client = client_as(world.buyer_owner)
    clock.move_to(FIRST_STALE)

    response, sqls = _get(client, "/checkout/")

    warning = _section(response, "fx-stale")
    assert "The newest stored rates are those of Jan. 5, 2026, 5 days ago." in warning
    assert PLACING in warning
    assert _section(response, "checkout-preview").index('id="fx-stale"') >= 0
    assert re.search(r'<button type="submit" name="action" value="place" class="button" id="place-button">',
                     response.content.decode())
    assert _freshness_queries(sqls) == 1

    form = response.context["form"]
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    placed = client.post("/checkout/", {**data, "action": "place"})

    assert placed.status_code == 302
    order = Order.objects.get()
    assert (order.buyer_currency, order.fx_rate_date, order.fx_source) == ("EUR", RATE_DATE, "ecb")


def test_the_quote_comparison_warns_when_the_rates_are_stale(client_as, world, clock):
    url = _comparison_url(world)
    client = client_as(world.buyer_owner)
    clock.move_to(FIRST_STALE)

    response, sqls = _get(client, url)

    comparison = _section(response, "quote-comparison")
    assert 'id="fx-stale"' in comparison
    assertContains(response, WARNING_5_DAYS, html=True)
    assert _freshness_queries(sqls) == 1


@pytest.mark.parametrize("page", ["cart", "checkout", "comparison"])
def test_no_warning_while_the_rates_are_fresh(client_as, world, page):
    _fill(world, (world.towel, 20))
    url = {"cart": "/cart/", "checkout": "/checkout/", "comparison": _comparison_url(world)}[page]

    response, sqls = _get(client_as(world.buyer_owner), url)

    assertNotContains(response, 'id="fx-stale"')
    assertNotContains(response, "The exchange rates are out of date.")
    assert _freshness_queries(sqls) == 1


@pytest.mark.parametrize("page", ["cart", "checkout", "comparison"])
def test_the_warning_costs_no_more_queries_than_fresh_rates(client_as, world, clock, page):
    _fill(world, (world.towel, 20))
    url = {"cart": "/cart/", "checkout": "/checkout/", "comparison": _comparison_url(world)}[page]
    client = client_as(world.buyer_owner)
    fresh, fresh_sqls = _get(client, url)
    clock.move_to(FIRST_STALE)

    stale, stale_sqls = _get(client, url)

    assert ('id="fx-stale"' in fresh.content.decode(), 'id="fx-stale"' in stale.content.decode()) == (False, True)
    assert len(stale_sqls) == len(fresh_sqls)


def test_the_warning_counts_the_days_from_the_newest_rate(client_as, world, clock):
    _fill(world, (world.towel, 20))
    clock.move_to(datetime(2026, 2, 4, 9, 0, tzinfo=UTC))
    client = client_as(world.buyer_owner)

    response, _sqls = _get(client, "/cart/")

    assert "The newest stored rates are those of Jan. 5, 2026, 30 days ago." in _section(response, "fx-stale")


def test_a_cart_shown_in_the_sellers_currency_converts_nothing_and_warns_of_nothing(client_as, world, clock):
    _fill(world, (world.towel, 20))
    client = client_as(world.buyer_owner)
    clock.move_to(FIRST_STALE)

    response, _sqls = _get(client, "/cart/?currency=TRY")

    assert response.context["cart"].fx_as_of is None
    assertNotContains(response, 'id="fx-stale"')
    assertNotContains(response, 'id="cart-fx-as-of"')
    # no "rate of <today>" for a currency shown in itself
    assert re.sub(r"\s+", " ", _section(response, f"cart-seller-{world.seller_t.pk}-TRY").split(
        'class="muted fx-note">')[1].split("</p>")[0]).strip() == "Priced in TRY: nothing to convert."


# --- one rate date ------------------------------------------------------------------------------------

def test_the_cart_and_the_comparison_give_the_same_rate_date(client_as, world):
    # TRY shown in TRY (no rate) and CNY in TRY: the cart's date leaves the first out, like the comparison
    _fill(world, (world.towel, 20), (world.cable, 300))
    url = _comparison_url(world)
    client = client_as(world.buyer_owner)

    cart, _sqls = _get(client, "/cart/?currency=TRY")
    comparison, _sqls = _get(client, url)

    assert (cart.context["cart"].fx_as_of, comparison.context["comparison"].fx_as_of) == (RATE_DATE, RATE_DATE)
    assertContains(cart, '<p class="muted" id="cart-fx-as-of">Converted at the exchange rates of 01/05/2026; each '
                         'order keeps the rate of the moment it is placed.</p>', html=True)
    assertContains(comparison, '<p class="muted" id="comparison-fx-as-of">Converted at the exchange rates of '
                               '01/05/2026; the order keeps the rate of the day you accept.</p>', html=True)


def test_a_cart_in_one_currency_only_has_no_rate_date(world):
    _fill(world, (world.towel, 20))

    assert cart_get(actor=world.buyer_owner, buyer=world.buyer, currency="TRY").fx_as_of is None
    assert cart_get(actor=world.buyer_owner, buyer=world.buyer).fx_as_of == RATE_DATE
