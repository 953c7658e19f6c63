"""The /rfqs/ and /quotes/ endpoints: shapes, the one error format, pagination, mass assignment,
and who may read and do what."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import Order, Quote, QuoteStatus, Rfq, RfqStatus
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db

RFQS = "/api/v1/rfqs/"
QUOTES = "/api/v1/quotes/"


@pytest.fixture
def world(db):
    return build_rfq_world()


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "fields"}
    return body["error"]


def rfq_body(**overrides) -> dict:
    body = {"title": "Hotel bath towels", "category": "textiles/home-textiles", "quantity": 100, "unit": "piece",
            "target_price": "85.00", "target_currency": "TRY", "destination_country": "DE", "incoterm": "DAP",
            "deadline": (timezone.now() + timedelta(days=7)).isoformat()}
    body.update(overrides)
    return body


def quote_body(rfq_id: int, **overrides) -> dict:
    body = {"rfq": rfq_id, "unit_price": "90.00", "moq": 50, "lead_time_days": 21, "incoterm": "DAP",
            "valid_until": (timezone.localdate() + timedelta(days=14)).isoformat(), "hs_code": "630260",
            "origin_country": "TR", "unit_weight_kg": "0.500"}
    body.update(overrides)
    return body


def state() -> dict:
    return {"rfqs": list(Rfq.objects.order_by("pk").values_list("pk", "status", "updated_at")),
            "quotes": list(Quote.objects.order_by("pk").values_list("pk", "status", "unit_price", "updated_at")),
            "orders": Order.objects.count()}


def test_the_whole_exchange_over_the_api(as_user, world):
    created = as_user(world.buyer_owner).post(RFQS, rfq_body(description="White, 500 g/m2."))
    assert created.status_code == 201
    rfq = created.json()
    assert {key: rfq[key] for key in ("title", "category", "quantity", "target_price", "target_currency",
                                      "destination_country", "incoterm", "audience", "status", "order_id")} == {
        "title": "Hotel bath towels", "category": "textiles/home-textiles", "quantity": 100, "target_price": "85.00",
        "target_currency": "TRY", "destination_country": "DE", "incoterm": "DAP", "audience": "category",
        "status": "open", "order_id": None}
    assert rfq["buyer"] == {"id": world.buyer.pk, "name": "Gamma Handel GmbH", "country": "DE",
                            "verification_status": "verified"}

    board = as_user(world.seller_t_owner).get(RFQS, {"role": "seller"})
    assert [row["id"] for row in board.json()["results"]] == [rfq["id"]]
    quoted = as_user(world.seller_t_owner).post(QUOTES, quote_body(rfq["id"]))
    assert quoted.status_code == 201
    quote = quoted.json()
    assert {key: quote[key] for key in ("rfq_id", "unit_price", "currency", "moq", "lead_time_days", "incoterm",
                                        "expired", "hs_code", "origin_country", "status", "revision")} == {
        "rfq_id": rfq["id"], "unit_price": "90.00", "currency": "TRY", "moq": 50, "lead_time_days": 21,
        "incoterm": "DAP", "expired": False, "hs_code": "630260", "origin_country": "TR", "status": "submitted",
        "revision": 1}

    revised = as_user(world.seller_t_owner).patch(f"{QUOTES}{quote['id']}/", {"unit_price": "88.00"})
    assert (revised.status_code, revised.json()["unit_price"], revised.json()["revision"],
            revised.json()["lead_time_days"]) == (200, "88.00", 2, 21)

    accepted = as_user(world.buyer_staff).post(f"{RFQS}{rfq['id']}/accept/", {"quote": quote["id"]})
    again = as_user(world.buyer_owner).post(f"{RFQS}{rfq['id']}/accept/", {"quote": quote["id"]})

    order = Order.objects.get()
    assert (accepted.status_code, accepted.json()) == (201, {"order": order.pk,
                                                             "purchase_group": order.purchase_group_id,
                                                             "replayed": False})
    assert (again.status_code, again.json()["order"], again.json()["replayed"]) == (200, order.pk, True)
    assert (order.status, order.lines.get().unit_price) == ("placed", Decimal("88.00"))
    detail = as_user(world.buyer_owner).get(f"{RFQS}{rfq['id']}/").json()
    assert (detail["status"], detail["order_id"]) == ("awarded", order.pk)
    assert as_user(world.seller_t_owner).get(f"{QUOTES}{quote['id']}/").json()["status"] == "accepted"


def test_a_seller_never_sees_a_competitors_quote(as_user, world):
    rfq = post_rfq(world)
    mine = submit_quote(world, rfq)
    theirs = submit_quote(world, rfq, seller=world.seller_h)

    listed = as_user(world.seller_t_owner).get(QUOTES, {"rfq": rfq.pk})
    assert [row["id"] for row in listed.json()["results"]] == [mine.pk]
    assert as_user(world.seller_t_owner).get(f"{QUOTES}{theirs.pk}/").status_code == 404
    assert as_user(world.seller_t_owner).patch(f"{QUOTES}{theirs.pk}/", {"unit_price": "1.00"}).status_code == 404
    assert as_user(world.seller_t_owner).post(f"{QUOTES}{theirs.pk}/withdraw/").status_code == 404
    buyer_view = as_user(world.buyer_owner).get(QUOTES, {"rfq": rfq.pk}).json()
    assert sorted(row["id"] for row in buyer_view["results"]) == [mine.pk, theirs.pk]
    assert Quote.objects.get(pk=theirs.pk).unit_price == Decimal("90.00")


def test_buyer_b_cannot_read_or_touch_buyer_as_request(as_user, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    before = state()
    client = as_user(world.other_owner)

    assert client.get(f"{RFQS}{rfq.pk}/").status_code == 404
    assert client.get(RFQS).json()["results"] == []
    assert client.get(QUOTES).json()["results"] == []
    assert client.get(f"{QUOTES}{quote.pk}/").status_code == 404
    assert client.post(f"{RFQS}{rfq.pk}/accept/", {"quote": quote.pk}).status_code == 404
    assert client.post(f"{RFQS}{rfq.pk}/cancel/").status_code == 404
    assert client.get(f"{RFQS}{rfq.pk}/messages/").status_code == 404
    assert state() == before


def test_a_seller_cannot_accept_or_cancel(as_user, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    before = state()
    client = as_user(world.seller_t_owner)

    accepted = client.post(f"{RFQS}{rfq.pk}/accept/", {"quote": quote.pk})
    cancelled = client.post(f"{RFQS}{rfq.pk}/cancel/")
    assert (accepted.status_code, cancelled.status_code) == (404, 403)
    assert state() == before


def test_anonymous_clients_are_refused(api_client, world):
    rfq = post_rfq(world)
    assert api_client.get(RFQS).status_code in (401, 403)
    assert api_client.get(f"{RFQS}{rfq.pk}/").status_code in (401, 403)
    assert api_client.post(QUOTES, quote_body(rfq.pk)).status_code in (401, 403)
    assert Quote.objects.count() == 0


@pytest.mark.parametrize("field", ["status", "buyer", "order", "audience", "created_by"])
def test_request_state_cannot_be_mass_assigned(as_user, world, field):
    response = as_user(world.buyer_owner).post(RFQS, rfq_body(**{field: "awarded" if field == "status" else 1}))
    assert response.status_code == 400
    assert error_of(response)["fields"] == {field: ["This field cannot be set."]}
    assert Rfq.objects.count() == 0


@pytest.mark.parametrize("field", ["status", "seller", "currency", "revision", "submitted_by"])
def test_quote_state_cannot_be_mass_assigned(as_user, world, field):
    rfq = post_rfq(world)
    value = "accepted" if field == "status" else "EUR" if field == "currency" else world.seller_h.pk
    created = as_user(world.seller_t_owner).post(QUOTES, quote_body(rfq.pk, **{field: value}))
    assert created.status_code == 400
    assert error_of(created)["fields"] == {field: ["This field cannot be set."]}
    assert Quote.objects.count() == 0

    quote = submit_quote(world, rfq)
    patched = as_user(world.seller_t_owner).patch(f"{QUOTES}{quote.pk}/", {field: value})
    assert patched.status_code == 400
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.SUBMITTED
    assert Quote.objects.get(pk=quote.pk).revision == 1


@pytest.mark.parametrize(("overrides", "field"), [
    ({"quantity": 0}, "quantity"),
    ({"title": ""}, "title"),
    ({"title": "<b>towels</b>"}, "title"),
    ({"deadline": "not a date"}, "deadline"),
    ({"deadline": "2001-01-01T00:00:00Z"}, "deadline"),
    ({"target_price": "-5"}, "target_price"),
    ({"target_currency": ""}, "target_currency"),
    ({"destination_country": "ZZ"}, "destination_country"),
    ({"incoterm": "ABC"}, "incoterm"),
    ({"category": "nothing"}, "category"),
    ({"recipients": ["x"]}, "recipients.0"),
])
def test_invalid_requests_are_400_with_the_field(as_user, world, overrides, field):
    response = as_user(world.buyer_owner).post(RFQS, rfq_body(**overrides))
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert Rfq.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"unit_price": "0"}, "unit_price"),
    ({"unit_price": "x"}, "unit_price"),
    ({"moq": 0}, "moq"),
    ({"valid_until": "2001-01-01"}, "valid_until"),
    ({"hs_code": "1"}, "hs_code"),
    ({"rfq": "abc"}, "rfq"),
])
def test_invalid_quotes_are_400_with_the_field(as_user, world, overrides, field):
    rfq = post_rfq(world)
    response = as_user(world.seller_t_owner).post(QUOTES, quote_body(rfq.pk, **overrides))
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert Quote.objects.count() == 0


def test_quoting_own_request_and_twice(as_user, world):
    world.seller_t.kind = "both"
    world.seller_t.save(update_fields=["kind"])
    own = post_rfq(world, actor=world.seller_t_owner, buyer=world.seller_t)
    own_response = as_user(world.seller_t_owner).post(QUOTES, quote_body(own.pk))
    assert (own_response.status_code, error_of(own_response)["code"]) == (403, "own_rfq")

    rfq = post_rfq(world)
    assert as_user(world.seller_t_owner).post(QUOTES, quote_body(rfq.pk)).status_code == 201
    twice = as_user(world.seller_t_owner).post(QUOTES, quote_body(rfq.pk, unit_price="80.00"))
    assert (twice.status_code, error_of(twice)["code"]) == (409, "quote_exists")
    assert Quote.objects.count() == 1


def test_accepting_expired_and_late(as_user, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    expired = as_user(world.buyer_owner).post(f"{RFQS}{rfq.pk}/accept/", {"quote": quote.pk})
    assert (expired.status_code, error_of(expired)["code"]) == (409, "quote_expired")

    Quote.objects.filter(pk=quote.pk).update(valid_until=timezone.localdate() + timedelta(days=1))
    Rfq.objects.filter(pk=rfq.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    late = as_user(world.buyer_owner).post(f"{RFQS}{rfq.pk}/accept/", {"quote": quote.pk})
    assert (late.status_code, error_of(late)["code"]) == (409, "rfq_deadline_passed")

    bad = as_user(world.buyer_owner).post(f"{RFQS}{rfq.pk}/accept/", {"quote": quote.pk, "status": "x"})
    assert bad.status_code == 400
    missing = as_user(world.buyer_owner).post(f"{RFQS}{rfq.pk}/accept/", {})
    assert "quote" in error_of(missing)["fields"]
    assert Order.objects.count() == 0
    assert Rfq.objects.get(pk=rfq.pk).status == RfqStatus.OPEN


def test_withdraw_and_cancel(as_user, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    withdrawn = as_user(world.seller_t_owner).post(f"{QUOTES}{quote.pk}/withdraw/")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    cancelled = as_user(world.buyer_owner).post(f"{RFQS}{rfq.pk}/cancel/")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = as_user(world.buyer_owner).post(f"{RFQS}{rfq.pk}/cancel/")
    assert (again.status_code, error_of(again)["code"]) == (409, "rfq_not_open")


def test_put_is_not_allowed(as_user, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    assert as_user(world.seller_t_owner).put(f"{QUOTES}{quote.pk}/", quote_body(rfq.pk)).status_code == 405
    assert as_user(world.buyer_owner).delete(f"{RFQS}{rfq.pk}/").status_code == 405


def test_lists_are_paginated_with_a_fixed_number_of_queries(as_user, world):
    client = as_user(world.buyer_owner)
    post_rfq(world)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(RFQS)
        assert response.status_code == 200
        return len(queries), response.json()

    with_one, body = measure()
    assert (body["count"], len(body["results"])) == (1, 1)
    for number in range(24):
        post_rfq(world, title=f"Request {number}")
    with_many, body = measure()
    assert (body["count"], len(body["results"]), body["next"] is not None) == (25, 20, True)
    assert with_many == with_one


def test_quote_list_query_count_is_fixed(as_user, world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    client = as_user(world.buyer_owner)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(QUOTES).json()["results"]) == 1
    submit_quote(world, rfq, seller=world.seller_h)
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(QUOTES).json()["results"]) == 2
    assert len(one) == len(two)


def test_the_endpoints_are_documented(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    expected = {"/api/v1/rfqs/": {"get", "post"}, "/api/v1/rfqs/{id}/": {"get"},
                "/api/v1/rfqs/{id}/cancel/": {"post"}, "/api/v1/rfqs/{id}/accept/": {"post"},
                "/api/v1/rfqs/{id}/messages/": {"get", "post"}, "/api/v1/quotes/": {"get", "post"},
                "/api/v1/quotes/{id}/": {"get", "patch"}, "/api/v1/quotes/{id}/withdraw/": {"post"},
                "/api/v1/orders/{id}/messages/": {"get", "post"}}
    for path, methods in expected.items():
        assert set(schema["paths"][path]) - {"parameters"} == methods, path
