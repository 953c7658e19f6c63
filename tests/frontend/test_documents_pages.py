"""The web pages of an order's trade documents: the printable HTML page and the PDF download."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import OrderLine, OrderStatus
from tests.orders.helpers import build_world, order_in, snapshot

pytestmark = pytest.mark.django_db
S = OrderStatus
KINDS = ("proforma", "commercial-invoice", "packing-list")


@pytest.fixture
def world(db):
    return build_world()


def page(order_id, kind: str) -> str:
    return reverse("frontend:order_document", args=[order_id, kind])


def pdf(order_id, kind: str) -> str:
    return reverse("frontend:order_document_pdf", args=[order_id, kind])


def test_addresses():
    assert page(12, "proforma") == "/orders/12/documents/proforma/"
    assert pdf(12, "packing-list") == "/orders/12/documents/packing-list.pdf"


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    order = order_in(world, S.SHIPPED)

    for address in (page(order.pk, "proforma"), pdf(order.pk, "commercial-invoice")):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('frontend:login')}?next={address}"


def test_the_buyer_reads_and_downloads_each_document(client_as, world):
    order = order_in(world, S.SHIPPED)
    client = client_as(world.buyer_staff)

    for kind, prefix in zip(KINDS, ("PI", "CI", "PL")):
        shown = client.get(page(order.pk, kind))
        downloaded = client.get(pdf(order.pk, kind))

        assert shown.status_code == 200
        assert shown["Content-Type"] == "text/html; charset=utf-8"
        assert shown["Cache-Control"] == "private, no-store"
        assert shown["X-Content-Type-Options"] == "nosniff"
        assert f'<dd class="document-number">{prefix}-{order.pk}</dd>' in shown.content.decode()
        assert downloaded.status_code == 200
        assert downloaded["Content-Type"] == "application/pdf"
        assert downloaded["Content-Disposition"] == f'attachment; filename="{prefix}-{order.pk}.pdf"'
        assert downloaded["Cache-Control"] == "private, no-store"
        assert downloaded.content.startswith(b"%PDF-")
        assert f"/Title ({prefix}-{order.pk})".encode() in downloaded.content


@pytest.mark.parametrize(("who", "expected"), [
    ("buyer_owner", 200), ("seller_t_owner", 200), ("moderator", 200), ("other_owner", 404), ("seller_c_owner", 404),
])
def test_who_may_see_the_documents(client_as, world, who, expected):
    order = order_in(world, S.SHIPPED)
    client = client_as(getattr(world, who))

    assert client.get(page(order.pk, "commercial-invoice")).status_code == expected
    assert client.get(pdf(order.pk, "packing-list")).status_code == expected


def test_a_document_not_issued_yet_is_a_409_page(client_as, world):
    order = order_in(world, S.PAID)
    client = client_as(world.buyer_owner)
    before = snapshot()

    shown = client.get(page(order.pk, "commercial-invoice"))
    downloaded = client.get(pdf(order.pk, "packing-list"))
    proforma = client.get(page(order.pk, "proforma"))

    assert (shown.status_code, downloaded.status_code, proforma.status_code) == (409, 409, 200)
    assert "This document is issued once the order has been shipped." in shown.content.decode()
    assert downloaded["Content-Type"] == "text/html; charset=utf-8"
    assert snapshot() == before


def test_an_unaccepted_order_has_no_proforma_and_outsiders_see_nothing(client_as, world):
    order = order_in(world, S.PLACED)

    mine = client_as(world.buyer_owner).get(page(order.pk, "proforma"))
    theirs = client_as(world.other_owner).get(page(order.pk, "proforma"))

    assert mine.status_code == 409
    assert "The proforma invoice is issued once the seller has accepted the order." in mine.content.decode()
    assert theirs.status_code == 404


def test_an_unknown_kind_is_404(client_as, world):
    order = order_in(world, S.SHIPPED)
    client = client_as(world.buyer_owner)

    assert client.get(page(order.pk, "invoice")).status_code == 404
    assert client.get(pdf(order.pk, "invoice")).status_code == 404


def test_posting_is_not_allowed(client_as, world):
    order = order_in(world, S.SHIPPED)

    assert client_as(world.buyer_owner).post(page(order.pk, "proforma")).status_code == 405


def test_the_page_is_translated(client_as, world):
    order = order_in(world, S.SHIPPED)
    client = client_as(world.buyer_owner)

    html = client.get(page(order.pk, "proforma"), headers={"accept-language": "tr"}).content.decode()

    assert '<html lang="tr">' in html
    assert "<h2>Satıcı</h2>" in html and "<h2>Alıcı</h2>" in html and "GTİP (HS) kodu" in html
    downloaded = client.get(pdf(order.pk, "proforma"), headers={"accept-language": "tr"})
    assert downloaded.status_code == 200 and downloaded.content.startswith(b"%PDF-")


def _with_lines(order, count: int) -> None:
    line = OrderLine.objects.get(order=order)
    OrderLine.objects.bulk_create([
        OrderLine(order=order, listing_ref=line.listing_ref, title=f"Towel {n}", hs_code=line.hs_code,
                  origin_country=line.origin_country, unit=line.unit, quantity=line.quantity,
                  unit_price=line.unit_price, line_total=line.line_total, unit_weight_kg=line.unit_weight_kg,
                  weight_kg=line.weight_kg) for n in range(count - 1)])


@pytest.mark.parametrize("address", [page, pdf])
def test_queries_do_not_grow_with_the_lines(client_as, world, address):
    one, many = order_in(world, S.SHIPPED), order_in(world, S.SHIPPED)
    _with_lines(many, 20)
    client = client_as(world.buyer_owner)
    counts = []
    for order in (one, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address(order.pk, "commercial-invoice"))
        assert response.status_code == 200
        counts.append(len(queries))

    # The session, the user, the visibility check, the order with both companies, the lines, the instalments.
    assert counts == [6, 6]
