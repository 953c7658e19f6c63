"""The seller's payment-terms page."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import MembershipRole
from orders.models import SellerPaymentTerm, TrustedBuyer
from tests.factories.accounts import MembershipFactory
from tests.orders.helpers import build_world, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


def _section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_seller_without_terms_offers_advance(client_as, world):
    response = client_as(world.seller_t_owner).get("/seller/payment-terms/")
    assert response.status_code == 200
    assert "You offer 100% in advance, when you accept the order." in _section(response, "no-terms")
    assert 'id="term-form"' in response.content.decode()


def test_offering_a_deposit_and_withdrawing_it(client_as, world):
    client = client_as(world.seller_t_owner)
    response = client.post("/seller/payment-terms/add/", {"kind": "deposit", "deposit_percent": "30"}, follow=True)
    term = SellerPaymentTerm.objects.get()
    assert (term.kind, term.deposit_percent) == ("deposit", 30)
    assert _messages(response) == ["You now offer: 30% deposit with the order, balance before shipment."]
    assert "30% deposit with the order, balance before shipment" in _section(response, f"term-{term.pk}")
    client.post(f"/seller/payment-terms/{term.pk}/withdraw/")
    assert SellerPaymentTerm.objects.get().archived_at is not None


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "deposit"}, "deposit_percent", "Give the deposit as a percentage from 1 to 99."),
    ({"kind": "deposit", "deposit_percent": "100"}, "deposit_percent",
     "Ensure this value is less than or equal to 99."),
    ({"kind": "net"}, "net_days", "Give the number of days after delivery, from 1 to 180."),
    ({"kind": "net", "net_days": "181"}, "net_days", "Ensure this value is less than or equal to 180."),
    ({"kind": "cash"}, "kind", "Select a valid choice. cash is not one of the available choices."),
])
def test_bad_terms_are_form_errors(client_as, world, data, field, message):
    response = client_as(world.seller_t_owner).post("/seller/payment-terms/add/", data)
    assert response.status_code == 400
    assert response.context["term_form"].errors[field] == [message]
    assert not SellerPaymentTerm.objects.exists()


def test_trusting_a_buyer_that_ordered(client_as, world):
    place_order(world)
    client = client_as(world.seller_t_owner)
    page = client.get("/seller/payment-terms/")
    assert re.findall(r'<option value="(\d+)"', _section(page, "trust-form")) == [str(world.buyer.pk)]
    client.post("/seller/trusted-buyers/add/", {"buyer": world.buyer.pk})
    assert list(TrustedBuyer.objects.values_list("seller_id", "buyer_id")) == [(world.seller_t.pk, world.buyer.pk)]
    response = client.get("/seller/payment-terms/")
    assert "Gamma Handel GmbH" in _section(response, f"trusted-{world.buyer.pk}")
    client.post(f"/seller/trusted-buyers/{world.buyer.pk}/remove/")
    assert not TrustedBuyer.objects.exists()


def test_a_buyer_that_never_ordered_cannot_be_chosen(client_as, world):
    response = client_as(world.seller_t_owner).post("/seller/trusted-buyers/add/", {"buyer": world.other.pk})
    assert response.status_code == 400
    assert not TrustedBuyer.objects.exists()


def test_staff_read_but_do_not_change(client_as, world):
    staff = MembershipFactory(company=world.seller_t, role=MembershipRole.STAFF).user
    client = client_as(staff)
    page = client.get("/seller/payment-terms/")
    assert page.status_code == 200
    assert 'id="owners-only"' in page.content.decode() and 'id="term-form"' not in page.content.decode()
    assert client.post("/seller/payment-terms/add/", {"kind": "advance"}).status_code == 403
    assert not SellerPaymentTerm.objects.exists()
    assert client_as(world.buyer_owner).get("/seller/payment-terms/").status_code == 403


def test_the_page_query_count_does_not_grow(client_as, world):
    client = client_as(world.seller_t_owner)
    client.post("/seller/payment-terms/add/", {"kind": "advance"})
    with CaptureQueriesContext(connection) as few:
        client.get("/seller/payment-terms/")
    for data in ({"kind": "deposit", "deposit_percent": "10"}, {"kind": "deposit", "deposit_percent": "20"},
                 {"kind": "net", "net_days": "30"}, {"kind": "letter_of_credit"}):
        client.post("/seller/payment-terms/add/", data)
    place_order(world)
    client.post("/seller/trusted-buyers/add/", {"buyer": world.buyer.pk})
    with CaptureQueriesContext(connection) as many:
        client.get("/seller/payment-terms/")
    assert len(few) == len(many)
