"""The admin shows orders, purchase groups, carts, requests for quotation, quotes and messages
read-only: they only change through the services. User text is shown escaped."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders import services
from orders.models import Cart, Message, OrderStatus, Quote, QuoteStatus, Rfq, RfqStatus
from orders.services import messages as message_services
from orders.services import rfq as rfq_services
from tests.orders.helpers import order_in
from tests.orders.rfq_helpers import build_rfq_world, post_rfq, submit_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_order_pages(admin_client, world):
    order = order_in(world, OrderStatus.SHIPPED)

    listing = admin_client.get("/admin/orders/order/")
    detail = admin_client.get(f"/admin/orders/order/{order.pk}/change/")

    assert (listing.status_code, detail.status_code) == (200, 200)
    html = detail.content.decode()
    assert "MSK1" in html
    assert "Bath towel" in html
    assert 'name="_save"' not in html


def test_nothing_is_added_changed_or_deleted_there(admin_client, world):
    order = order_in(world, OrderStatus.PLACED)

    assert admin_client.get("/admin/orders/order/add/").status_code == 403
    assert admin_client.post(f"/admin/orders/order/{order.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/orders/order/{order.pk}/change/", {"status": "completed"}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_purchase_group_and_cart_pages(admin_client, world):
    order = order_in(world, OrderStatus.PLACED)
    services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=world.towel.pk, quantity=10)
    cart = Cart.objects.get(buyer=world.buyer)

    assert admin_client.get("/admin/orders/purchasegroup/").status_code == 200
    assert admin_client.get(f"/admin/orders/purchasegroup/{order.purchase_group_id}/change/").status_code == 200
    assert admin_client.get("/admin/orders/cart/").status_code == 200
    assert admin_client.get(f"/admin/orders/cart/{cart.pk}/change/").status_code == 200


# --- requests for quotation, quotes and messages --------------------------------------------------

XSS = '<script>alert("rfq")</script><img src=x onerror=alert(1)>'
XSS_ESCAPED = "&lt;script&gt;alert(&quot;rfq&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


@pytest.fixture
def rfq_world(db):
    return build_rfq_world()


def _awarded(world):
    rfq = post_rfq(world)
    accepted = submit_quote(world, rfq, unit_price=Decimal("88.00"))
    rejected = submit_quote(world, rfq, seller=world.seller_h, unit_price=Decimal("95.00"))
    message_services.message_post_rfq(actor=world.seller_t_owner, rfq_id=rfq.pk, body="We can do 88.")
    rfq_services.quote_accept(actor=world.buyer_owner, rfq_id=rfq.pk, quote_id=accepted.pk)
    rfq.refresh_from_db()
    return rfq, accepted, rejected


def test_rfq_pages_list_and_show_the_quotes_and_messages(admin_client, rfq_world):
    rfq, accepted, rejected = _awarded(rfq_world)

    listing = admin_client.get("/admin/orders/rfq/")
    detail = admin_client.get(f"/admin/orders/rfq/{rfq.pk}/change/")

    assert (listing.status_code, detail.status_code) == (200, 200)
    row = re.search(rf'<tr>.*?/admin/orders/rfq/{rfq.pk}/change/.*?</tr>', listing.content.decode(), re.S).group(0)
    assert '<td class="field-title">Hotel bath towels</td>' in row
    assert '<td class="field-status">Awarded</td>' in row
    assert '<td class="field-quote_count">2</td>' in row
    html = detail.content.decode()
    assert f'href="/admin/orders/quote/{accepted.pk}/change/"' in html
    assert f'href="/admin/orders/quote/{rejected.pk}/change/"' in html
    assert "88.00" in html and "95.00" in html
    assert "We can do 88." in html
    assert 'name="_save"' not in html
    assert admin_client.get("/admin/orders/rfq/?status__exact=awarded&q=towels").context["cl"].result_count == 1
    assert admin_client.get("/admin/orders/rfq/?status__exact=open").context["cl"].result_count == 0


def test_quote_and_message_pages(admin_client, rfq_world):
    rfq, accepted, _rejected = _awarded(rfq_world)
    message = Message.objects.get()

    quotes = admin_client.get("/admin/orders/quote/?status__exact=accepted")
    assert quotes.status_code == 200
    assert [quote.pk for quote in quotes.context["cl"].result_list] == [accepted.pk]
    assert admin_client.get(f"/admin/orders/quote/{accepted.pk}/change/").status_code == 200
    messages = admin_client.get("/admin/orders/message/?on=rfq")
    assert [row.pk for row in messages.context["cl"].result_list] == [message.pk]
    assert admin_client.get("/admin/orders/message/?on=order").context["cl"].result_count == 0
    assert admin_client.get(f"/admin/orders/message/{message.pk}/change/").status_code == 200


def test_accepted_quotes_and_requests_cannot_be_edited_there(admin_client, rfq_world):
    rfq, accepted, rejected = _awarded(rfq_world)
    before = list(Quote.objects.order_by("pk").values_list("pk", "unit_price", "currency", "status", "updated_at"))
    rfq_before = Rfq.objects.values_list("title", "status", "target_price", "updated_at").get()

    for quote in (accepted, rejected):
        response = admin_client.post(f"/admin/orders/quote/{quote.pk}/change/",
                                     {"unit_price": "1.00", "currency": "EUR", "status": "submitted"})
        assert response.status_code == 403
        assert admin_client.post(f"/admin/orders/quote/{quote.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/orders/rfq/{rfq.pk}/change/", {"title": "Changed", "status": "open"}
                             ).status_code == 403
    assert admin_client.get("/admin/orders/quote/add/").status_code == 403
    assert admin_client.get("/admin/orders/rfq/add/").status_code == 403
    assert admin_client.get("/admin/orders/message/add/").status_code == 403

    assert list(Quote.objects.order_by("pk").values_list("pk", "unit_price", "currency", "status",
                                                         "updated_at")) == before
    assert Rfq.objects.values_list("title", "status", "target_price", "updated_at").get() == rfq_before
    assert (accepted.status, Quote.objects.get(pk=accepted.pk).status) == (QuoteStatus.SUBMITTED,
                                                                           QuoteStatus.ACCEPTED)
    assert rfq.status == RfqStatus.AWARDED


def test_user_text_is_escaped_on_the_rfq_pages(admin_client, rfq_world):
    rfq = post_rfq(rfq_world)
    # Text from before the plain-text rule, or written around the services, is still only text.
    Rfq.objects.filter(pk=rfq.pk).update(description=XSS, title=f"Towels {XSS}")
    Message.objects.create(rfq=rfq, seller=rfq_world.seller_t, author=rfq_world.seller_t_owner,
                           company=rfq_world.seller_t, body=XSS, created_at=timezone.now() - timedelta(minutes=1))

    pages = [admin_client.get("/admin/orders/rfq/"), admin_client.get(f"/admin/orders/rfq/{rfq.pk}/change/"),
             admin_client.get("/admin/orders/message/")]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert(" not in html
        assert "<img src=x" not in html
        assert XSS_ESCAPED in html
    changelist = pages[0].content.decode()
    assert f'<td class="field-description_excerpt">{XSS_ESCAPED}</td>' in changelist
    assert f"Towels {XSS_ESCAPED}" in changelist
    assert f'<div class="readonly">{XSS_ESCAPED}</div>' in pages[1].content.decode()


def test_rfq_admin_query_counts_do_not_grow_with_the_rows(admin_client, rfq_world):
    def counts(rfq) -> list[int]:
        result = []
        for url in ("/admin/orders/rfq/", "/admin/orders/quote/", "/admin/orders/message/",
                    f"/admin/orders/rfq/{rfq.pk}/change/"):
            with CaptureQueriesContext(connection) as queries:
                assert admin_client.get(url).status_code == 200
            result.append(len(queries))
        return result

    first = post_rfq(rfq_world)
    submit_quote(rfq_world, first)
    message_services.message_post_rfq(actor=rfq_world.seller_t_owner, rfq_id=first.pk, body="Hello")
    few = counts(first)
    submit_quote(rfq_world, first, seller=rfq_world.seller_h)
    for number in range(19):
        rfq = post_rfq(rfq_world, title=f"Towels {number}")
        submit_quote(rfq_world, rfq)
        message_services.message_post_rfq(actor=rfq_world.seller_t_owner, rfq_id=first.pk, body=f"Note {number}")

    many = counts(first)

    assert Message.objects.filter(rfq=first).count() == 20
    assert many == few
