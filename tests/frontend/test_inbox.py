"""The inbox page and the "Messages" link: the threads of the user's companies with the other party,
the subject, the newest message and the unread count; opening an order or a request marks its thread
read for that person only; a query count that does not grow with the threads. And the bell: htmx
asks the notification list and gets the short list alone, a browser without JavaScript the page."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.services import notify
from orders.models import MessageThreadRead
from orders.services import messages as services
from tests.orders.helpers import place_order
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_rfq_world()


def _section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _threads(response) -> list[tuple[str, str, str, str]]:
    """(id, subject, other party, unread badge) of each thread shown."""
    rows = []
    for item in re.findall(r'<li class="inbox-thread[^"]*" id="([^"]+)">(.*?)</li>', response.content.decode(), re.S):
        element_id, body = item
        subject = re.search(r'class="inbox-subject"[^>]*>([^<]*)</a>', body).group(1)
        party = re.search(r'<div class="inbox-party">([^<]*)</div>', body).group(1)
        unread = re.search(r'<span class="inbox-unread nav-count">([^<]*)</span>', body)
        rows.append((element_id, subject, party, unread.group(1) if unread else ""))
    return rows


def _nav_count(response) -> str:
    match = re.search(r'<a id="nav-inbox" href="/inbox/">Messages(?: <span class="nav-count" aria-hidden="true">(\d+)'
                      r'</span><span class="visually-hidden">(\d+) unread</span>)?</a>', response.content.decode())
    assert match is not None and match.group(1) == match.group(2)
    return match.group(1) or ""


def test_the_inbox_lists_threads_newest_first_with_unread_counts(client_as, world):
    order = place_order(world)
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Ready to ship on Monday.")
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Tracking follows.")
    rfq = post_rfq(world)
    services.message_post_rfq(actor=world.seller_h_owner, rfq_id=rfq.pk, body="Which colour?")

    response = client_as(world.buyer_staff).get("/inbox/")

    assert response.status_code == 200
    assert _threads(response) == [
        (f"thread-rfq-{rfq.pk}-{world.seller_h.pk}", "Hotel bath towels", "With Havlu Ltd", "1 unread"),
        (f"thread-order-{order.pk}", f"Order {order.pk}", "With Tekstil A.S.", "2 unread"),
    ]
    thread = _section(response, f"thread-order-{order.pk}")
    assert f'href="/orders/{order.pk}/#order-messages"' in thread
    assert '<span class="inbox-author">Tekstil A.S.:</span> Tracking follows.' in thread
    assert f'href="/rfqs/{rfq.pk}/?seller={world.seller_h.pk}#messages"' in response.content.decode()
    assert _nav_count(response) == "3"


def test_opening_the_order_marks_its_thread_read_for_that_person_only(client_as, world):
    order = place_order(world)
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Ready.")
    client = client_as(world.buyer_owner)

    assert client.get(f"/orders/{order.pk}/").status_code == 200

    assert _threads(client.get("/inbox/"))[0][3] == ""
    assert _nav_count(client.get("/inbox/")) == ""
    # The colleague has not opened it.
    assert _nav_count(client_as(world.buyer_staff).get("/inbox/")) == "1"
    assert list(MessageThreadRead.objects.values_list("user_id", "order_id")) == [(world.buyer_owner.pk, order.pk)]


def test_opening_a_request_thread_marks_only_that_thread_read(client_as, world):
    rfq = post_rfq(world)
    submit_quote(world, rfq)
    submit_quote(world, rfq, seller=world.seller_h)
    services.message_post_rfq(actor=world.seller_t_owner, rfq_id=rfq.pk, body="From Tekstil")
    services.message_post_rfq(actor=world.seller_h_owner, rfq_id=rfq.pk, body="From Havlu")
    client = client_as(world.buyer_owner)

    assert client.get(f"/rfqs/{rfq.pk}/").status_code == 200  # no thread chosen: nothing read
    assert _nav_count(client.get("/inbox/")) == "2"
    assert client.get(f"/rfqs/{rfq.pk}/", {"seller": world.seller_h.pk}).status_code == 200

    assert [row[3] for row in _threads(client.get("/inbox/"))] == ["", "1 unread"]
    # The seller reads its own thread on the request's page.
    services.message_post_rfq(actor=world.buyer_owner, rfq_id=rfq.pk, body="Thanks", seller_id=world.seller_t.pk)
    seller = client_as(world.seller_t_owner)
    assert _nav_count(seller.get("/inbox/")) == "1"
    seller.get(f"/rfqs/{rfq.pk}/")
    assert _nav_count(seller.get("/inbox/")) == ""


def test_another_company_sees_no_thread(client_as, world):
    order = place_order(world)
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Ready.")

    response = client_as(world.other_owner).get("/inbox/")

    assert _threads(response) == []
    assert "No messages yet." in _section(response, "inbox")
    assert _nav_count(response) == ""
    assert client_as(world.other_owner).get(f"/orders/{order.pk}/").status_code == 404
    assert MessageThreadRead.objects.count() == 0


def test_the_inbox_is_paginated(client_as, world):
    for _ in range(3):
        order = place_order(world)
        services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="Hello")
    from frontend.inbox import views
    views_page_size, views.PAGE_SIZE = views.PAGE_SIZE, 2
    try:
        client = client_as(world.buyer_owner)
        first, second = client.get("/inbox/"), client.get("/inbox/", {"page": "2"})
        bad = client.get("/inbox/", {"page": "x"})
    finally:
        views.PAGE_SIZE = views_page_size
    assert (len(_threads(first)), len(_threads(second)), len(_threads(bad))) == (2, 1, 2)
    assert "Page 1 of 2" in first.content.decode()


def test_the_inbox_query_count_does_not_grow_with_threads(client_as, world):
    client = client_as(world.buyer_owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/inbox/").status_code == 200
        return len(ctx)

    order = place_order(world)
    services.message_post_order(actor=world.seller_t_owner, order_id=order.pk, body="One")
    one = queries()
    for _ in range(4):
        other = place_order(world)
        services.message_post_order(actor=world.seller_t_owner, order_id=other.pk, body="More")
    rfq = post_rfq(world)
    services.message_post_rfq(actor=world.seller_h_owner, rfq_id=rfq.pk, body="A question")
    assert len(_threads(client.get("/inbox/"))) == 6
    assert queries() == one


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/inbox/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/inbox/")


# --- the bell -------------------------------------------------------------------------------------

def _listing_decided(company, title: str, status: str = "published"):
    notify(event="listing.decided", company=company, context={
        "listing_id": 1, "listing_title": title, "decision_id": 1, "from_status": "pending_review",
        "to_status": status, "reason": "", "changes_reviewed": False, "applied_changes": False})


def test_the_bell_is_a_link_to_the_list_that_htmx_opens_in_place(client_as, world):
    _listing_decided(world.seller_t, "Towel")
    client = client_as(world.seller_t_owner)

    page = client.get("/orders/")
    bell = re.search(r'<a class="bell[^"]*" id="notification-bell"[^>]*>', page.content.decode()).group(0)
    assert 'href="/notifications/"' in bell
    assert 'hx-get="/notifications/" hx-target="#bell-panel" hx-swap="innerHTML"' in bell
    assert '<div class="bell-panel" id="bell-panel" aria-live="polite"></div>' in page.content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer' in page.content.decode()


def test_htmx_gets_the_short_list_alone_and_a_browser_the_full_page(client_as, world):
    for number in range(12):
        _listing_decided(world.seller_t, f"Towel {number}")
    _listing_decided(world.seller_t, "Cable", status="rejected")
    client = client_as(world.seller_t_owner)

    fragment = client.get("/notifications/", headers={"HX-Request": "true"})
    full = client.get("/notifications/")

    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in body and "<nav" not in body
    assert re.findall(r'<li class="bell-line[^"]*">\s*(?:<a[^>]*>|<span[^>]*>|<form.*?<button[^>]*>)([^<]*)<', body,
                      re.S) == ["A moderator moved Cable to: Rejected.", "7 listings approved"]
    assert '<a class="bell-see-all" href="/notifications/">See all</a>' in body
    assert "HX-Request" in fragment["Vary"]
    assert full.status_code == 200 and "<html" in full.content.decode()
    assert '<a class="bell-see-all"' not in full.content.decode()
    assert "12 listings approved" in full.content.decode()
    assert "HX-Request" in full["Vary"]
