"""The API of a seller's payment terms and trusted buyers."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import MembershipRole
from orders.models import SellerPaymentTerm, TrustedBuyer
from tests.factories.accounts import MembershipFactory

pytestmark = pytest.mark.django_db


def _url(company, suffix=""):
    return f"/api/v1/companies/{company.pk}/payment-terms/{suffix}"


def _trust_url(company, suffix=""):
    return f"/api/v1/companies/{company.pk}/trusted-buyers/{suffix}"


def test_an_owner_offers_lists_and_withdraws_terms(as_user, world):
    client = as_user(world.seller_t_owner)
    assert client.get(_url(world.seller_t)).json() == []

    created = client.post(_url(world.seller_t), {"code": "deposit_30"}, format="json")
    client.post(_url(world.seller_t), {"code": "net_60"}, format="json")

    assert created.status_code == 201
    term = SellerPaymentTerm.objects.get(kind="deposit")
    assert created.json() == {"id": term.pk, "code": "deposit_30", "kind": "deposit", "deposit_percent": 30,
                              "net_days": 0, "label": "30% deposit with the order, balance before shipment"}
    assert [row["code"] for row in client.get(_url(world.seller_t)).json()] == ["deposit_30", "net_60"]
    assert client.delete(_url(world.seller_t, f"{term.pk}/")).status_code == 204
    assert [row["code"] for row in client.get(_url(world.seller_t)).json()] == ["net_60"]
    assert client.delete(_url(world.seller_t, f"{term.pk}/")).status_code == 404


@pytest.mark.parametrize(("body", "fields"), [
    ({"code": "deposit_0"}, {"code": ["Choose 100% in advance, a deposit of 1 to 99%, a letter of credit, or net 1 to "
                                      "180 days."]}),
    ({"code": "x" * 31}, {"code": ["Ensure this field has no more than 30 characters."]}),
    ({}, {"code": ["This field is required."]}),
    ({"code": "advance", "extra": 1}, {"extra": ["This field cannot be set."]}),
])
def test_bad_terms_are_field_errors(as_user, world, body, fields):
    response = as_user(world.seller_t_owner).post(_url(world.seller_t), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert not SellerPaymentTerm.objects.exists()


def test_only_owners_change_and_only_members_read(as_user, world):
    staff = MembershipFactory(company=world.seller_t, role=MembershipRole.STAFF).user
    assert as_user(staff).get(_url(world.seller_t)).status_code == 200
    assert as_user(staff).post(_url(world.seller_t), {"code": "advance"}, format="json").status_code == 403
    assert as_user(world.buyer_owner).get(_url(world.seller_t)).status_code == 403
    assert as_user(world.buyer_owner).post(_url(world.seller_t), {"code": "advance"}, format="json").status_code == 403
    assert as_user(None).get(_url(world.seller_t)).status_code in (401, 403)
    assert not SellerPaymentTerm.objects.exists()


def test_trusting_a_buyer(as_user, world):
    client = as_user(world.seller_t_owner)
    response = client.post(_trust_url(world.seller_t), {"buyer_id": world.buyer.pk}, format="json")
    assert response.status_code == 201
    assert [(row["buyer_id"], row["buyer_name"]) for row in response.json()] == [(world.buyer.pk, "Gamma Handel GmbH")]
    assert client.post(_trust_url(world.seller_t), {"buyer_id": world.buyer.pk}, format="json").status_code == 201
    assert TrustedBuyer.objects.count() == 1
    assert client.delete(_trust_url(world.seller_t, f"{world.buyer.pk}/")).status_code == 204
    assert not TrustedBuyer.objects.exists()
    bad = client.post(_trust_url(world.seller_t), {"buyer_id": 999999}, format="json")
    assert (bad.status_code, bad.json()["error"]["fields"]) == (400, {"buyer": [
        "There is no buying company with this id."]})


def test_the_list_query_count_does_not_grow(as_user, world):
    client = as_user(world.seller_t_owner)
    client.post(_url(world.seller_t), {"code": "advance"}, format="json")
    with CaptureQueriesContext(connection) as few:
        client.get(_url(world.seller_t))
    for code in ("deposit_10", "deposit_20", "net_30", "letter_of_credit"):
        client.post(_url(world.seller_t), {"code": code}, format="json")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(_url(world.seller_t)).json()) == 5
    assert len(few) == len(many)
