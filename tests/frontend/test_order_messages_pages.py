"""The messages of an order on its page: the buyer's and the seller's thread with its form, who may
read and post, bad input as a form error with nothing stored, and a query count that does not grow
with the messages."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertRedirects

from notifications.models import Event
from orders.models import Message, OrderStatus
from orders.services import messages as message_services
from tests.orders.helpers import build_world, order_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def order(world):
    return order_in(world, OrderStatus.ACCEPTED)


def _section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _thread_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<li class="message-item[^"]*" id="message-(\d+)">',
                                         _section(response, "order-messages"))]


def _stored() -> list[tuple]:
    return list(Message.objects.order_by("pk").values_list("order_id", "rfq_id", "company_id", "author_id", "body"))


def test_buyer_and_seller_write_to_each_other_on_the_order_page(client_as, world, order):
    client = client_as(world.buyer_owner)
    page = client.get(f"/orders/{order.pk}/")
    section = _section(page, "order-messages")
    assert "<h2>Messages with Tekstil A.S.</h2>" in section
    assert 'id="no-messages"' in section
    assert f'action="/orders/{order.pk}/messages/"' in section
    assert '<textarea name="body"' in section

    response = client.post(f"/orders/{order.pk}/messages/", {"body": "Please ship before Friday."})

    assertRedirects(response, f"/orders/{order.pk}/#order-messages", fetch_redirect_response=False)
    seller = client_as(world.seller_t_owner)
    seller_page = seller.get(f"/orders/{order.pk}/")
    assert "<h2>Messages with the buyer</h2>" in _section(seller_page, "order-messages")
    assert seller.post(f"/orders/{order.pk}/messages/", {"body": "Will do.\nTracking follows."}).status_code == 302

    assert _stored() == [
        (order.pk, None, world.buyer.pk, world.buyer_owner.pk, "Please ship before Friday."),
        (order.pk, None, world.seller_t.pk, world.seller_t_owner.pk, "Will do.\nTracking follows.")]
    first, second = Message.objects.order_by("pk")
    page = client_as(world.buyer_staff).get(f"/orders/{order.pk}/")
    assert _thread_ids(page) == [first.pk, second.pk]
    assert 'class="message-item message-buyer"' in _section(page, f"message-{first.pk}")
    reply = _section(page, f"message-{second.pk}")
    assert "<p>Will do.<br>Tracking follows.</p>" in reply
    assert f"{world.seller_t_owner.full_name} · Tekstil A.S. · " in reply
    assert Event.objects.filter(name="message.posted", company=world.seller_t).count() == 1
    assert Event.objects.filter(name="message.posted", company=world.buyer).count() == 1


def test_moderators_and_other_companies_neither_read_nor_post(client, client_as, world, order):
    message_services.message_post_order(actor=world.buyer_owner, order_id=order.pk, body="Only for the seller.")
    before = _stored()

    moderator = client_as(world.moderator)
    page = moderator.get(f"/orders/{order.pk}/")
    assert page.status_code == 200
    assert 'id="order-messages"' not in page.content.decode()
    assert "Only for the seller." not in page.content.decode()
    assert moderator.post(f"/orders/{order.pk}/messages/", {"body": "Hello"}).status_code == 404

    for outsider in (world.other_owner, world.seller_c_owner):
        outsider_client = client_as(outsider)
        assert outsider_client.get(f"/orders/{order.pk}/").status_code == 404
        assert outsider_client.post(f"/orders/{order.pk}/messages/", {"body": "Hello"}).status_code == 404

    assert client_as(world.buyer_owner).get(f"/orders/{order.pk}/messages/").status_code == 405
    client.logout()
    response = client.post(f"/orders/{order.pk}/messages/", {"body": "Hello"},
                           HTTP_REFERER=f"http://testserver/orders/{order.pk}/")
    # Signing in returns to the order's page, not to the address of the form (test_session_expiry.py).
    assert (response.status_code, response["Location"]) == (302, f"/login/?next=%2Forders%2F{order.pk}%2F")
    assert _stored() == before


@pytest.mark.parametrize(("body", "message"), [
    ("", "This field is required."),
    ("   \n ", "This field is required."),
    ("x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
    ("<b>Ship it</b>", "HTML tags and scripts are not allowed in this field."),
    ("<script>alert(1)</script>", "HTML tags and scripts are not allowed in this field."),
])
def test_bad_messages_are_form_errors_and_store_nothing(client_as, world, order, body, message):
    before_events = Event.objects.count()

    response = client_as(world.seller_t_owner).post(f"/orders/{order.pk}/messages/", {"body": body})

    assert response.status_code == 400
    assert response.context["message_form"].errors == {"body": [message]}
    section = _section(response, "order-messages")
    assert 'id="order-message-form"' in section
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Message.objects.count() == 0
    assert Event.objects.count() == before_events


def test_the_order_page_query_count_does_not_grow_with_the_messages(client_as, world, order):
    client = client_as(world.buyer_owner)
    message_services.message_post_order(actor=world.buyer_owner, order_id=order.pk, body="Message 0")

    def count() -> tuple[int, object]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/orders/{order.pk}/")
        assert response.status_code == 200
        return len(queries), response

    one, response = count()
    assert len(response.context["thread"]) == 1
    for number in range(1, 20):
        author = world.seller_t_owner if number % 2 else world.buyer_staff
        message_services.message_post_order(actor=author, order_id=order.pk, body=f"Message {number}")

    many, response = count()

    assert len(_thread_ids(response)) == 20
    assert [message.body for message in response.context["thread"]] == [f"Message {n}" for n in range(20)]
    assert many == one
