"""The order page says what happens next: a stepper of the order's life (done, current, next, to come,
in words and marked for assistive technology), a sentence addressed to the viewer with the deadline
in the viewer's language, and links to every issued document as a page and as a PDF."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from orders.models import OrderEvent, OrderStatus
from orders.services.payments import payment_term_add
from tests.orders.helpers import PATHS, build_world, place

pytestmark = pytest.mark.django_db
S = OrderStatus
T0 = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def world(db):
    return build_world()


def _order_at(world, status, *, terms=None):
    """An order of the buyer placed at T0 and moved to `status` through the services, one move a day."""
    checkout = {"payment_terms": {str(world.seller_t.pk): terms}} if terms else {}
    with time_machine.travel(T0, tick=False):
        order = place(world, lines=[(world.towel, 20)], **checkout).orders.get()
    moves = [move for move in PATHS[status] if not (terms and move.__name__ == "_pay")]
    for number, move in enumerate(moves, 1):
        with time_machine.travel(T0 + number * DAY, tick=False):
            move(world, order)
    order.refresh_from_db()
    assert order.status == status
    return order


def _section(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', html, re.S)
    return match.group(0) if match else ""


def _steps(html: str) -> list[tuple[str, str, str, str]]:
    """(status, state class, label, state in words) of each step; the words end in "[aria-current]" on
    the step marked current."""
    stepper = _section(html, "order-stepper")
    found = re.findall(r'<li class="stepper-step stepper-(\w+)" data-status="(\w+)"( aria-current="step")?>\s*'
                       r'<span class="stepper-label">([^<]+)</span>\s*<span class="stepper-state">([^<]+)</span>',
                       stepper)
    return [(status, state, label, words + (" [aria-current]" if current else ""))
            for state, status, current, label, words in found]


def _page(client, order, *, language: str | None = None) -> str:
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(f"/orders/{order.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def test_the_seller_sees_the_steps_and_that_it_must_accept_by_the_deadline(client_as, world):
    order = _order_at(world, S.PLACED)

    html = _page(client_as(world.seller_t_owner), order)

    assert _steps(html) == [
        ("placed", "current", "Placed", "current step [aria-current]"),
        ("accepted", "next", "Accepted", "next step"),
        ("paid", "upcoming", "Paid", "to come"),
        ("shipped", "upcoming", "Shipped", "to come"),
        ("delivered", "upcoming", "Delivered", "to come"),
        ("completed", "upcoming", "Completed", "to come"),
    ]
    assert html.count('aria-current="step"') == 1
    assert _text(_section(html, "order-next-step")) == (
        "You must accept or refuse the order by 12/08/2026 2 p.m., or it is refused automatically.")
    next_step = re.search(r'<li class="stepper-step stepper-next".*?</li>', html, re.S).group(0)
    assert "Who acts: Seller" in next_step
    assert '<time datetime="2026-12-08T14:00:00+00:00">12/08/2026 2 p.m.</time>' in next_step
    assert '<time class="stepper-time" datetime="2026-12-05T14:00:00+00:00">12/05/2026 2 p.m.</time>' in html


def test_the_buyer_reads_whom_it_waits_for(client_as, world):
    order = _order_at(world, S.PLACED)

    html = _page(client_as(world.buyer_owner), order)

    assert _text(_section(html, "order-next-step")) == (
        "Waiting for the seller to accept the order by 12/08/2026 2 p.m., or it is refused automatically.")


@pytest.mark.parametrize(("status", "user", "sentence", "who"), [
    (S.ACCEPTED, "buyer_owner", "You must pay what is due before shipment by 12/13/2026 2 p.m., or the order is "
                                "cancelled automatically.", "Buyer"),
    (S.PAID, "seller_t_owner", "You must ship the order.", "Seller"),
    (S.SHIPPED, "seller_t_owner", "Waiting for the buyer to confirm the delivery by 01/07/2027 2 p.m., or it is "
                                  "taken as confirmed automatically.", "Buyer"),
    (S.DELIVERED, "buyer_owner", "The order completes automatically on 12/23/2026 2 p.m.; until then you may "
                                 "complete it or open a dispute.", "System"),
    (S.DISPUTED, "moderator", "You must resolve the dispute.", "Moderator"),
])
def test_each_state_names_the_next_step_and_who_acts(client_as, world, status, user, sentence, who):
    order = _order_at(world, status)

    html = _page(client_as(getattr(world, user)), order)

    assert _text(_section(html, "order-next-step")) == sentence
    next_step = re.search(r'<li class="stepper-step stepper-next".*?</li>', html, re.S).group(0)
    assert f"Who acts: {who}" in next_step


def test_under_a_letter_of_credit_there_is_no_paid_step_and_the_seller_ships(client_as, world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="letter_of_credit")
    order = _order_at(world, S.ACCEPTED, terms="letter_of_credit")

    html = _page(client_as(world.seller_t_owner), order)

    assert [(status, state) for status, state, _label, _words in _steps(html)] == [
        ("placed", "done"), ("accepted", "current"), ("shipped", "next"), ("delivered", "upcoming"),
        ("completed", "upcoming")]
    assert _text(_section(html, "order-next-step")) == "You must ship the order."


def test_a_completed_order_shows_its_path_done_and_no_next_step(client_as, world):
    order = _order_at(world, S.COMPLETED)

    html = _page(client_as(world.buyer_owner), order)

    assert [(status, state) for status, state, _label, _words in _steps(html)] == [
        ("placed", "done"), ("accepted", "done"), ("paid", "done"), ("shipped", "done"), ("delivered", "done"),
        ("completed", "current")]
    assert 'id="order-next-step"' not in html
    assert "stepper-next" not in html


def test_the_stepper_in_turkish(client_as, world):
    order = _order_at(world, S.PLACED)

    html = _page(client_as(world.seller_t_owner), order, language="tr")

    with translation.override("tr"):
        sentence = gettext("You must accept or refuse the order by %(deadline)s, or it is refused automatically.") % {
            "deadline": "08 Ara 2026 14:00"}
        who = gettext("Who acts: %(who)s") % {"who": "Satıcı"}
        states = [gettext("current step"), gettext("next step"), gettext("to come")]
    assert _text(_section(html, "order-next-step")) == sentence
    assert [(status, label, words) for status, _state, label, words in _steps(html)] == [
        ("placed", "Verildi", f"{states[0]} [aria-current]"), ("accepted", "Kabul edildi", states[1]),
        ("paid", "Ödendi", states[2]), ("shipped", "Sevk edildi", states[2]), ("delivered", "Teslim edildi", states[2]),
        ("completed", "Tamamlandı", states[2])]
    assert who in html
    assert '<time datetime="2026-12-08T14:00:00+00:00">08 Ara 2026 14:00</time>' in html
    assert "12/08/2026" not in html


@pytest.mark.parametrize("user", ["buyer_owner", "seller_t_owner", "moderator"])
def test_every_issued_document_is_linked_as_a_page_and_as_a_pdf(client_as, world, user):
    order = _order_at(world, S.SHIPPED)

    section = _section(_page(client_as(getattr(world, user)), order), "order-documents")

    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> · <a href="([^"]+)" type="application/pdf">'
                       r'PDF<span class="visually-hidden"> \(([^<]+)\)</span></a></li>', section)
    base = f"/orders/{order.pk}/documents"
    assert links == [
        (f"{base}/proforma/", "Proforma invoice", f"{base}/proforma.pdf", "Proforma invoice"),
        (f"{base}/commercial-invoice/", "Commercial invoice", f"{base}/commercial-invoice.pdf", "Commercial invoice"),
        (f"{base}/packing-list/", "Packing list", f"{base}/packing-list.pdf", "Packing list"),
    ]


def test_the_pdf_link_gives_the_pdf(client_as, world):
    order = _order_at(world, S.ACCEPTED)
    client = client_as(world.buyer_owner)
    section = _section(_page(client, order), "order-documents")
    assert re.findall(r'href="([^"]+\.pdf)"', section) == [f"/orders/{order.pk}/documents/proforma.pdf"]

    response = client.get(f"/orders/{order.pk}/documents/proforma.pdf")

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")


def test_an_order_not_yet_accepted_links_no_document(client_as, world):
    order = _order_at(world, S.PLACED)
    section = _section(_page(client_as(world.buyer_owner), order), "order-documents")
    assert "<a " not in section


@pytest.mark.parametrize("status", [S.PLACED, S.SHIPPED, S.RESOLVED])
def test_the_page_query_count_does_not_grow_with_the_events_of_the_order(client_as, world, status):
    """The stepper reads the events the page already fetched: twenty more events cost no query."""
    client = client_as(world.buyer_owner)
    few = _order_at(world, status)
    many = _order_at(world, status)
    OrderEvent.objects.bulk_create(
        OrderEvent(order=many, role="system", from_status=status, to_status=status, reason=f"Note {number}",
                   created_at=T0 + timedelta(days=10, seconds=number)) for number in range(20))

    counts = []
    for order in (few, many):
        with CaptureQueriesContext(connection) as queries:
            _page(client, order)
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- the order lists: the next step of each order in a column ------------------------------------------------

def _next_steps(html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr id="order-(\d+)">.*?<td class="order-next-step">([^<]*)</td>', html, re.S))


def test_the_buyers_list_and_the_sellers_inbox_say_the_next_step_to_each(client_as, world):
    placed = _order_at(world, S.PLACED)
    shipped = _order_at(world, S.SHIPPED)
    completed = _order_at(world, S.COMPLETED)

    buyer = _next_steps(client_as(world.buyer_owner).get("/orders/").content.decode())
    seller = _next_steps(client_as(world.seller_t_owner).get("/seller/orders/").content.decode())
    moderator = _next_steps(client_as(world.moderator).get("/orders/").content.decode())

    assert buyer == {
        str(placed.pk): "Waiting for the seller to accept the order by 12/08/2026 2 p.m., or it is refused "
                        "automatically.",
        str(shipped.pk): "You must confirm the delivery by 01/07/2027 2 p.m., or it is taken as confirmed "
                         "automatically.",
        str(completed.pk): "–"}
    assert seller == {
        str(placed.pk): "You must accept or refuse the order by 12/08/2026 2 p.m., or it is refused automatically.",
        str(shipped.pk): "Waiting for the buyer to confirm the delivery by 01/07/2027 2 p.m., or it is taken as "
                         "confirmed automatically.",
        str(completed.pk): "–"}
    assert moderator[str(placed.pk)] == buyer[str(placed.pk)]


@pytest.mark.parametrize(("url", "user"), [("/orders/", "buyer_owner"), ("/seller/orders/", "seller_t_owner"),
                                           ("/orders/", "moderator")])
def test_the_next_step_column_costs_no_query_per_row(client_as, world, url, user):
    client = client_as(getattr(world, user))
    _order_at(world, S.PLACED)
    with CaptureQueriesContext(connection) as queries:
        few = client.get(url)
    one = len(queries)
    for status in (S.ACCEPTED, S.PAID, S.SHIPPED, S.DELIVERED, S.DISPUTED, S.RESOLVED, S.COMPLETED, S.CANCELLED):
        _order_at(world, status)

    with CaptureQueriesContext(connection) as queries:
        many = client.get(url)

    assert len(_next_steps(few.content.decode())) == 1
    assert len(_next_steps(many.content.decode())) == 9
    assert len(queries) == one
