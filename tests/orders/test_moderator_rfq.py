"""Moderators read every request for quotation and its quotes over the API, as they read every order;
they cannot act on them (accept, cancel, quote, revise, withdraw) and do not read the parties' messages."""
from __future__ import annotations

import pytest

from orders.models import Order, Quote, Rfq
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, quote_terms, submit_quote

pytestmark = pytest.mark.django_db

RFQS = "/api/v1/rfqs/"
QUOTES = "/api/v1/quotes/"


@pytest.fixture
def world(db):
    return build_rfq_world()


def state() -> dict:
    return {"rfqs": list(Rfq.objects.order_by("pk").values_list("pk", "status", "updated_at")),
            "quotes": list(Quote.objects.order_by("pk").values_list("pk", "status", "unit_price", "updated_at")),
            "orders": Order.objects.count()}


def test_a_moderator_lists_and_reads_every_request_and_quote(as_user, world):
    first = post_rfq(world)
    second = post_rfq(world, buyer=world.other, actor=world.other_owner, title="Cables for Rotterdam")
    quote = submit_quote(world, first)
    client = as_user(world.moderator)

    listed = client.get(RFQS)
    detail = client.get(f"{RFQS}{second.pk}/")

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [second.pk, first.pk]
    assert (detail.status_code, detail.json()["id"], detail.json()["title"]) == (200, second.pk,
                                                                                  "Cables for Rotterdam")
    assert [row["id"] for row in client.get(QUOTES).json()["results"]] == [quote.pk]
    assert client.get(f"{QUOTES}{quote.pk}/").json()["unit_price"] == "90.00"
    assert [row["id"] for row in client.get(RFQS, {"status": "open"}).json()["results"]] == [second.pk, first.pk]
    assert client.get(RFQS, {"role": "buyer"}).json()["results"] == []


def test_a_moderator_reads_only(as_user, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    before = state()
    client = as_user(world.moderator)

    answers = {
        "accept": client.post(f"{RFQS}{rfq.pk}/accept/", {"quote": quote.pk}).status_code,
        "cancel": client.post(f"{RFQS}{rfq.pk}/cancel/").status_code,
        "messages": client.get(f"{RFQS}{rfq.pk}/messages/").status_code,
        "post_message": client.post(f"{RFQS}{rfq.pk}/messages/", {"body": "Hello"}).status_code,
        "quote": client.post(QUOTES, {"rfq": rfq.pk, **{k: str(v) for k, v in quote_terms().items()}}).status_code,
        "withdraw": client.post(f"{QUOTES}{quote.pk}/withdraw/").status_code,
    }

    assert answers == {"accept": 404, "cancel": 403, "messages": 404, "post_message": 404, "quote": 403,
                       "withdraw": 403}
    assert state() == before


def test_other_users_still_see_only_their_own(as_user, world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    client = as_user(world.other_owner)

    assert client.get(RFQS).json()["results"] == []
    assert client.get(QUOTES).json()["results"] == []
    assert client.get(f"{RFQS}{rfq.pk}/").status_code == 404
