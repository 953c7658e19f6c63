"""Messages on a request for quotation and on an order: who reads and writes which thread, the
plain-text body, the order of the list and the in-app notification of the other party."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Channel, Delivery, Event
from orders.models import Message
from orders.services import messages as services
from orders.services import rfq as rfq_services
from tests.orders.helpers import place_order
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db

RFQS = "/api/v1/rfqs/"
ORDERS = "/api/v1/orders/"


@pytest.fixture
def world(db):
    return build_rfq_world()


def bodies(response) -> list[str]:
    assert response.status_code == 200
    return [row["body"] for row in response.json()["results"]]


def test_threads_of_a_request(as_user, world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    url = f"{RFQS}{rfq.pk}/messages/"

    asked = as_user(world.seller_t_owner).post(url, {"body": "Do you need them embroidered?"})
    answered = as_user(world.buyer_owner).post(url, {"body": "Yes, with our logo.", "seller": world.seller_t.pk})
    other = as_user(world.seller_h_owner).post(url, {"body": "We can do 600 g/m2."})
    to_h = as_user(world.buyer_staff).post(url, {"body": "Send a sample please.", "seller": world.seller_h.pk})

    assert [r.status_code for r in (asked, answered, other, to_h)] == [201, 201, 201, 201]
    assert asked.json()["company"]["id"] == world.seller_t.pk
    assert answered.json()["company"]["id"] == world.buyer.pk
    assert answered.json()["seller_id"] == world.seller_t.pk
    # Each seller reads its own thread only, oldest first; the buyer reads all of them.
    assert bodies(as_user(world.seller_t_owner).get(url)) == ["Do you need them embroidered?",
                                                              "Yes, with our logo."]
    assert bodies(as_user(world.seller_h_owner).get(url)) == ["We can do 600 g/m2.", "Send a sample please."]
    assert bodies(as_user(world.buyer_owner).get(url)) == [
        "Do you need them embroidered?", "Yes, with our logo.", "We can do 600 g/m2.", "Send a sample please."]
    assert bodies(as_user(world.buyer_owner).get(url, {"seller": world.seller_h.pk})) == [
        "We can do 600 g/m2.", "Send a sample please."]
    # A seller cannot read another seller's thread by naming it.
    assert bodies(as_user(world.seller_t_owner).get(url, {"seller": world.seller_h.pk})) == []


def test_the_other_party_is_told_in_the_app(world):
    rfq = post_rfq(world)
    message = services.message_post_rfq(actor=world.seller_t_owner, rfq_id=rfq.pk, body="A question.")

    event = Event.objects.get(name="message.posted")
    assert (event.company_id, event.context["message_id"], event.context["rfq_id"]) == (
        world.buyer.pk, message.pk, rfq.pk)
    deliveries = set(Delivery.objects.filter(event=event).values_list("recipient_id", "channel"))
    assert deliveries == {(world.buyer_owner.pk, Channel.IN_APP), (world.buyer_staff.pk, Channel.IN_APP)}


def test_who_may_not_write_on_a_request(as_user, world):
    rfq = post_rfq(world)
    invited = post_rfq(world, recipients=[world.seller_h.pk])
    url = f"{RFQS}{rfq.pk}/messages/"

    # A seller outside the category, another buyer, a seller not invited: the request does not exist for them.
    assert as_user(world.seller_c_owner).post(url, {"body": "Hello"}).status_code == 404
    assert as_user(world.other_owner).post(url, {"body": "Hello"}).status_code == 404
    assert as_user(world.seller_t_owner).post(f"{RFQS}{invited.pk}/messages/", {"body": "Hi"}).status_code == 404
    # The buyer writes only to a seller that may see the request.
    no_seller = as_user(world.buyer_owner).post(url, {"body": "Hello"})
    outsider = as_user(world.buyer_owner).post(url, {"body": "Hello", "seller": world.seller_c.pk})
    assert (no_seller.status_code, list(no_seller.json()["error"]["fields"])) == (400, ["seller"])
    assert (outsider.status_code, outsider.json()["error"]["code"]) == (400, "seller_not_concerned")
    assert Message.objects.count() == 0


@pytest.mark.parametrize(("body", "status"), [("", 400), ("   ", 400), ("<script>x</script>", 400),
                                               ("x" * 5001, 400), ("5 < 6 and 7 > 3", 201)])
def test_message_bodies(as_user, world, body, status):
    rfq = post_rfq(world)
    response = as_user(world.seller_t_owner).post(f"{RFQS}{rfq.pk}/messages/", {"body": body})
    assert response.status_code == status
    if status == 400:
        assert "body" in response.json()["error"]["fields"]
    assert Message.objects.count() == (1 if status == 201 else 0)


def test_unknown_keys_are_refused(as_user, world):
    rfq = post_rfq(world)
    response = as_user(world.seller_t_owner).post(f"{RFQS}{rfq.pk}/messages/", {"body": "Hi", "author": 1})
    assert response.json()["error"]["fields"] == {"author": ["This field cannot be set."]}
    assert Message.objects.count() == 0


def test_a_seller_that_quoted_keeps_its_thread_after_the_award(as_user, world):
    rfq = post_rfq(world)
    quote = submit_quote(world, rfq)
    rfq_services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=quote.pk)
    url = f"{RFQS}{rfq.pk}/messages/"
    assert as_user(world.seller_t_owner).post(url, {"body": "Thank you."}).status_code == 201
    # The other seller never quoted: once the request is no longer open it cannot see it any more.
    assert as_user(world.seller_h_owner).post(url, {"body": "Too late?"}).status_code == 404


def test_messages_on_an_order(as_user, world):
    order = place_order(world)
    url = f"{ORDERS}{order.pk}/messages/"

    first = as_user(world.buyer_owner).post(url, {"body": "Please ship before Friday."})
    second = as_user(world.seller_t_owner).post(url, {"body": "Will do."})
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["order_id"], first.json()["company"]["id"], second.json()["company"]["id"]) == (
        order.pk, world.buyer.pk, world.seller_t.pk)
    assert bodies(as_user(world.buyer_staff).get(url)) == ["Please ship before Friday.", "Will do."]
    assert Event.objects.filter(name="message.posted", company=world.seller_t).count() == 1
    assert Event.objects.filter(name="message.posted", company=world.buyer).count() == 1

    for outsider in (world.other_owner, world.seller_c_owner, world.moderator):
        assert as_user(outsider).get(url).status_code == 404
        assert as_user(outsider).post(url, {"body": "Hi"}).status_code == 404
    assert as_user(world.buyer_owner).post(url, {"body": "<a href=x>x</a>"}).status_code == 400
    assert as_user(world.buyer_owner).get(f"{ORDERS}999999/messages/").status_code == 404
    assert Message.objects.count() == 2


def test_thread_query_count_does_not_grow(as_user, world):
    rfq = post_rfq(world)
    services.message_post_rfq(actor=world.seller_t_owner, rfq_id=rfq.pk, body="First")
    client = as_user(world.buyer_owner)
    url = f"{RFQS}{rfq.pk}/messages/"
    with CaptureQueriesContext(connection) as one:
        assert len(bodies(client.get(url))) == 1
    for number in range(15):
        services.message_post_rfq(actor=world.buyer_owner, rfq_id=rfq.pk, body=f"Reply {number}",
                                  seller_id=world.seller_t.pk)
    with CaptureQueriesContext(connection) as many:
        assert len(bodies(client.get(url))) == 16
    assert len(one) == len(many)
