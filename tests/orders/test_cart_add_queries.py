"""Add to cart stays cheap: the page's POST and the API make at most 8 SQL queries (7 today: the
session, the user, the membership, the cart's lock, its line, the listing with its terms, the write)
for a first add and for a second add to the same line, with every check still made (each refusal is tested in
test_cart.py and test_orders_pages.py; here the counts, and that the checks still run inside them)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.exceptions import Forbidden
from orders import services
from orders.models import Cart, CartLine
from tests.orders.helpers import snapshot

pytestmark = pytest.mark.django_db

MAX_QUERIES = 8
LINES = "/api/v1/cart/lines/"


def _statements(queries) -> int:
    """The SQL statements a request sends. Inside the test's own transaction the request's atomic
    block becomes a SAVEPOINT and its RELEASE; in a real request it is the transaction's BEGIN and
    COMMIT, which are not queries of the request's work and which Django does not log either."""
    return sum(1 for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


@pytest.fixture
def page_client(world):
    client = Client()
    client.force_login(world.buyer_owner)
    return client


@pytest.fixture
def api(as_user, world):
    return as_user(world.buyer_owner)


def _page_add(client, listing, quantity):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/cart/add/", {"listing_id": listing.pk, "quantity": str(quantity), "incoterm": ""})
    return response, _statements(queries)


def _api_add(client, listing, quantity):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(LINES, {"listing_id": listing.pk, "quantity": quantity}, format="json")
    return response, _statements(queries)


def _lines():
    return list(CartLine.objects.order_by("pk").values_list("listing_id", "quantity"))


def test_the_page_adds_a_first_and_a_second_time_in_few_queries(page_client, world):
    Cart.objects.create(buyer=world.buyer)  # as for a buyer who has shopped before

    first, first_count = _page_add(page_client, world.towel, 10)
    second, second_count = _page_add(page_client, world.towel, 5)

    assert (first.status_code, second.status_code) == (302, 302)
    assert _lines() == [(world.towel.pk, 15)]
    assert first_count <= MAX_QUERIES, first_count
    assert second_count <= MAX_QUERIES, second_count


def test_the_api_adds_a_first_and_a_second_time_in_few_queries(api, world):
    Cart.objects.create(buyer=world.buyer)
    first, first_count = _api_add(api, world.towel, 10)
    second, second_count = _api_add(api, world.towel, 5)

    assert (first.status_code, second.status_code) == (201, 200)
    assert (first.json()["quantity"], second.json()["quantity"]) == (10, 15)
    assert _lines() == [(world.towel.pk, 15)]
    assert first_count <= MAX_QUERIES, first_count
    assert second_count <= MAX_QUERIES, second_count


def test_a_first_add_into_a_new_cart_stays_within_the_bound(api, world):
    """The company's very first add also creates its cart: three queries more, once."""
    response, count = _api_add(api, world.cable, 100)

    assert response.status_code == 201
    assert Cart.objects.get().buyer == world.buyer
    assert count <= MAX_QUERIES + 3, count


def test_the_second_add_still_checks_the_sum_against_the_stock(api, world):
    _api_add(api, world.towel, 10)
    before = snapshot()

    response, count = _api_add(api, world.towel, world.towel.stock)

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"quantity"}
    assert snapshot() == before
    assert count <= MAX_QUERIES, count


def test_the_add_reads_the_line_after_taking_the_carts_lock(api, world):
    """A statement that waits for a lock still reads from the snapshot taken before the wait, so the
    line must be read by a later statement: otherwise members adding at once lose each other's adds
    (tests/integration/test_cart_concurrency.py shows it on PostgreSQL)."""
    Cart.objects.create(buyer=world.buyer)
    _api_add(api, world.towel, 10)

    with CaptureQueriesContext(connection) as queries:
        api.post(LINES, {"listing_id": world.towel.pk, "quantity": 5}, format="json")

    sql = [q["sql"] for q in queries.captured_queries]
    locks = [i for i, text in enumerate(sql) if 'FROM "orders_cart"' in text]
    line_reads = [i for i, text in enumerate(sql) if text.startswith("SELECT") and '"orders_cartline"' in text]
    assert len(locks) == 1 and len(line_reads) == 1
    assert '"orders_cartline"' not in sql[locks[0]]
    assert locks[0] < line_reads[0]
    if connection.features.has_select_for_update_of:
        assert sql[locks[0]].endswith('FOR UPDATE OF "orders_cart"')


def test_a_non_member_is_refused_and_no_cart_is_made(world):
    before = snapshot()

    with pytest.raises(Forbidden) as excinfo:
        services.cart_line_add(actor=world.other_owner, buyer=world.buyer, listing_id=world.towel.pk, quantity=10)

    assert excinfo.value.message == "Only members of the buying company can do that."
    assert not Cart.objects.filter(buyer=world.buyer).exists()
    assert snapshot() == before


def test_a_non_member_is_refused_before_the_incoterm_is_read(world):
    """A stranger learns nothing about the request's fields: 403, not the 400 of a bad Incoterm."""
    Cart.objects.create(buyer=world.buyer)
    before = snapshot()

    with pytest.raises(Forbidden):
        services.cart_line_add(actor=world.other_owner, buyer=world.buyer, listing_id=world.towel.pk, quantity=10,
                               incoterm="XYZ")
    with pytest.raises(Forbidden):
        services.cart_clear(actor=world.other_owner, buyer=world.buyer)

    assert snapshot() == before


@pytest.mark.parametrize("listing_id", [2**31, 2**63 + 1])
def test_a_listing_id_beyond_any_row_is_a_400_and_changes_nothing(api, world, listing_id):
    Cart.objects.create(buyer=world.buyer)
    before = snapshot()

    response = api.post(LINES, {"listing_id": listing_id, "quantity": 10}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"listing_id": ["This listing is not available."]}
    assert snapshot() == before
