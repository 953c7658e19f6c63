"""The inbox of message threads: unread counts per person, marking a thread read, who sees which
thread, the API answer and its query count."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from orders.models import Message, MessageThreadRead
from orders.selectors import inbox as selectors
from orders.services import messages as services
from tests.orders.helpers import place_order
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db

INBOX = "/api/v1/inbox/"


@pytest.fixture
def world(db):
    return build_rfq_world()


def summary(actor) -> list[tuple]:
    threads = selectors.inbox_threads(actor=actor, rows=selectors.inbox_thread_list(actor=actor))
    return [(t.kind, t.order_id, t.rfq_id, t.seller_id, t.other_party.legal_name, t.last_message.body, t.unread)
            for t in threads]


def test_unread_counts_are_per_person_and_only_the_other_partys_messages(world):
    order = place_order(world)
    services.message_post_order(actor=world.buyer_owner, order_id=order.pk, body="Ship before Friday?")
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Yes.")
    last = services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Tracking follows.")

    # The buyer's two members have not read the seller's two messages; their own company's message is not unread.
    for member in (world.buyer_owner, world.buyer_staff):
        assert summary(member) == [("order", order.pk, None, world.seller_t.pk, "Tekstil A.S.", "Tracking follows.", 2)]
        assert selectors.inbox_unread_count(actor=member) == 2
    assert selectors.inbox_unread_count(actor=world.seller_t_owner) == 1

    services.message_thread_mark_read(user=world.buyer_owner, message=last)

    assert selectors.inbox_unread_count(actor=world.buyer_owner) == 0
    assert summary(world.buyer_owner)[0][-1] == 0
    # A colleague keeps their own read state.
    assert selectors.inbox_unread_count(actor=world.buyer_staff) == 2
    # A new message of the other party is unread again, and only that one.
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Shipped.")
    assert selectors.inbox_unread_count(actor=world.buyer_owner) == 1
    assert summary(world.buyer_owner)[0][-2:] == ("Shipped.", 1)


def test_another_company_never_sees_the_thread(world):
    order = place_order(world)
    services.message_post_order(actor=world.buyer_owner, order_id=order.pk, body="Hello")
    rfq = post_rfq(world)
    services.message_post_rfq(actor=world.seller_h_owner, rfq_id=rfq.pk, body="A question from Havlu.")

    for outsider in (world.other_owner, world.seller_c_owner, world.moderator):
        assert summary(outsider) == []
        assert selectors.inbox_unread_count(actor=outsider) == 0
    # A seller sees its own thread of the request, never another seller's.
    assert summary(world.seller_t_owner) == [
        ("order", order.pk, None, world.seller_t.pk, "Gamma Handel GmbH", "Hello", 1)]
    assert summary(world.seller_h_owner) == [
        ("rfq", None, rfq.pk, world.seller_h.pk, "Gamma Handel GmbH", "A question from Havlu.", 0)]
    # The buyer sees both, the newest first.
    assert [row[:4] for row in summary(world.buyer_staff)] == [
        ("rfq", None, rfq.pk, world.seller_h.pk), ("order", order.pk, None, world.seller_t.pk)]


def test_request_threads_are_one_per_seller_and_read_separately(world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    from_t = services.message_post_rfq(actor=world.seller_t_owner, rfq_id=rfq.pk, body="From Tekstil")
    services.message_post_rfq(actor=world.seller_h_owner, rfq_id=rfq.pk, body="From Havlu")

    assert [(row[3], row[4], row[6]) for row in summary(world.buyer_owner)] == [
        (world.seller_h.pk, "Havlu Ltd", 1), (world.seller_t.pk, "Tekstil A.S.", 1)]
    services.message_thread_mark_read(user=world.buyer_owner, message=from_t)
    assert [(row[3], row[6]) for row in summary(world.buyer_owner)] == [(world.seller_h.pk, 1), (world.seller_t.pk, 0)]
    assert selectors.inbox_unread_count(actor=world.buyer_owner) == 1
    assert MessageThreadRead.objects.get().rfq_id == rfq.pk


def test_the_read_mark_only_moves_forward_and_is_one_per_person_and_thread(world):
    order = place_order(world)
    first = services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="One")
    second = services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Two")

    services.message_thread_mark_read(user=world.buyer_owner, message=second)
    services.message_thread_mark_read(user=world.buyer_owner, message=first)  # an older page, opened late
    services.message_thread_mark_read(user=world.buyer_owner, message=second)

    mark = MessageThreadRead.objects.get()
    assert (mark.user_id, mark.order_id, mark.rfq_id, mark.seller_id, mark.last_read_message_id) == (
        world.buyer_owner.pk, order.pk, None, None, second.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageThreadRead.objects.create(user=world.buyer_owner, order=order, last_read_message_id=first.pk)
    assert MessageThreadRead.objects.count() == 1


def test_the_api_lists_threads_with_unread_counts(as_user, world):
    order = place_order(world)
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Ready to ship.")

    response = as_user(world.buyer_staff).get(INBOX)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    message = Message.objects.get()
    assert {k: row[k] for k in ("kind", "order_id", "rfq_id", "seller_id", "subject", "unread")} == {
        "kind": "order", "order_id": order.pk, "rfq_id": None, "seller_id": world.seller_t.pk,
        "subject": f"Order {order.pk}", "unread": 1}
    assert row["other_party"]["id"] == world.seller_t.pk
    assert (row["last_message"]["id"], row["last_message"]["body"]) == (message.pk, "Ready to ship.")
    assert as_user(world.other_owner).get(INBOX).json()["results"] == []
    assert as_user(None).get(INBOX).status_code in (401, 403)
    assert as_user(world.buyer_staff).get(INBOX, {"page_size": "x"}).status_code == 400


def test_the_api_query_count_does_not_grow_with_threads(as_user, world):
    def queries() -> int:
        client = as_user(world.buyer_owner)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(INBOX).status_code == 200
        return len(ctx)

    order = place_order(world)
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="One")
    few = queries()
    for _ in range(3):
        other = place_order(world)
        services.message_post_order(actor=world.seller_t_owner, order_id=other.pk, body="More")
    rfq = post_rfq(world)
    services.message_post_rfq(actor=world.seller_h_owner, rfq_id=rfq.pk, body="Question")
    assert as_user(world.buyer_owner).get(INBOX).json()["count"] == 5
    assert queries() == few


def test_the_inbox_is_documented_in_the_schema(as_user, world):
    schema = as_user(world.buyer_owner).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/inbox/"]["get"]
    assert "200" in operation["responses"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    results = schema["components"]["schemas"][ref]["properties"]["results"]["items"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][results]["properties"]
    assert set(properties) == {"kind", "order_id", "rfq_id", "seller_id", "subject", "other_party", "last_message",
                               "last_at", "unread"}
    assert properties["unread"]["type"] == "integer"
