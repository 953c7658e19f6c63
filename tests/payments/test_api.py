"""The bank account endpoints: members read, owners change, everyone else gets 404; errors in the
one error format and in the OpenAPI schema."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.models import BankAccount
from tests.payments.helpers import TURKISH_IBAN, account_data, make_account, snapshot

pytestmark = pytest.mark.django_db

IBAN_2 = "TR900001000000000006295310"


def _list_url(company) -> str:
    return f"/api/v1/companies/{company.pk}/bank-accounts/"


def _detail_url(account) -> str:
    return f"/api/v1/companies/{account.company_id}/bank-accounts/{account.pk}/"


def test_owner_creates_an_account(as_user, company_a, member_a):
    data = account_data(iban="tr33 0006 1005 1978 6457 8413 26", is_default=True)
    data.pop("account_number")

    response = as_user(member_a).post(_list_url(company_a), data, format="json")

    assert response.status_code == 201
    account = BankAccount.objects.get()
    body = response.json()
    assert body == {"id": account.pk, "company": company_a.pk, "label": "TRY main",
                    "account_holder": "Alpha Textiles A.S.", "iban": TURKISH_IBAN,
                    "iban_display": "TR33 0006 1005 1978 6457 8413 26", "account_number": "", "bic": "TCZBTR2AXXX",
                    "bank_name": "Ziraat Bankasi", "bank_country": "TR", "currency": "TRY", "is_default": True,
                    "archived_at": None, "created_at": body["created_at"], "updated_at": body["updated_at"]}


def test_bad_iban_answers_400_with_a_field_message(as_user, company_a, member_a):
    response = as_user(member_a).post(_list_url(company_a), account_data(iban="TR340006100519786457841326"),
                                      format="json")

    message = "The check digits of this IBAN do not match: look for a mistyped or swapped character."
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "validation_error", "message": message,
                                         "fields": {"iban": [message]}}}
    assert BankAccount.objects.count() == 0


def test_unknown_and_overlong_input_is_refused(as_user, company_a, member_a):
    client = as_user(member_a)

    unknown = client.post(_list_url(company_a), {**account_data(), "company": 5}, format="json")
    overlong = client.post(_list_url(company_a), account_data(label="x" * 101), format="json")

    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"company": ["This field cannot be set."]}
    assert overlong.status_code == 400
    assert overlong.json()["error"]["fields"] == {"label": ["Ensure this field has no more than 100 characters."]}
    assert BankAccount.objects.count() == 0


def test_member_lists_and_reads(as_user, company_a, staff_a):
    account = make_account(company_a)
    client = as_user(staff_a)

    listed = client.get(_list_url(company_a))
    one = client.get(_detail_url(account))

    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [account.pk]
    assert listed.json()["count"] == 1
    assert one.status_code == 200
    assert one.json()["iban"] == TURKISH_IBAN


def test_list_makes_the_same_queries_for_one_or_many_accounts(as_user, company_a, member_a):
    client = as_user(member_a)
    make_account(company_a)
    with CaptureQueriesContext(connection) as one:
        assert client.get(_list_url(company_a)).status_code == 200
    for index in range(5):
        make_account(company_a, label=f"Extra {index}", iban="", account_number=f"12345{index}")

    with CaptureQueriesContext(connection) as many:
        response = client.get(_list_url(company_a))

    assert len(response.json()["results"]) == 6
    assert len(many) == len(one) == 4  # company, membership, count, page


def test_staff_member_gets_403_for_changes(as_user, company_a, staff_a):
    account = make_account(company_a)
    client = as_user(staff_a)
    before = snapshot()

    created = client.post(_list_url(company_a), account_data(iban=IBAN_2), format="json")
    patched = client.patch(_detail_url(account), {"label": "Mine"}, format="json")
    archived = client.delete(_detail_url(account))

    assert [created.status_code, patched.status_code, archived.status_code] == [403, 403, 403]
    assert created.json() == {"error": {"code": "permission_denied",
                                        "message": "Only an owner of this company can change its bank accounts."}}
    assert snapshot() == before


def test_non_member_gets_404_everywhere(as_user, company_a, member_b):
    account = make_account(company_a)
    client = as_user(member_b)
    before = snapshot()

    answers = [client.get(_list_url(company_a)), client.get(_detail_url(account)),
               client.post(_list_url(company_a), account_data(iban=IBAN_2), format="json"),
               client.patch(_detail_url(account), {"label": "Mine"}, format="json"),
               client.delete(_detail_url(account))]

    assert [answer.status_code for answer in answers] == [404] * 5
    assert snapshot() == before


def test_anonymous_is_asked_to_sign_in(api_client, company_a):
    response = api_client.get(_list_url(company_a))

    assert response.status_code == 401
    assert response.json() == {"error": {"code": "not_authenticated",
                                         "message": "Authentication credentials were not provided."}}


def test_owner_patches_and_archives(as_user, company_a, member_a):
    account = make_account(company_a)
    client = as_user(member_a)

    patched = client.patch(_detail_url(account), {"label": "Renamed", "is_default": True}, format="json")
    archived = client.delete(_detail_url(account))
    listed = client.get(_list_url(company_a))
    with_archived = client.get(_list_url(company_a) + "?archived=true")

    assert (patched.status_code, patched.json()["label"], patched.json()["is_default"]) == (200, "Renamed", True)
    assert archived.status_code == 204
    assert listed.json()["results"] == []
    assert [row["id"] for row in with_archived.json()["results"]] == [account.pk]
    assert with_archived.json()["results"][0]["archived_at"] is not None


def test_endpoints_and_their_errors_are_documented(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)

    collection = schema["paths"]["/api/v1/companies/{company_id}/bank-accounts/"]
    detail = schema["paths"]["/api/v1/companies/{company_id}/bank-accounts/{id}/"]
    assert set(collection) - {"parameters"} == {"get", "post"}
    assert set(detail) - {"parameters"} == {"get", "patch", "delete"}
    assert {"201", "400", "403", "404", "409"} <= set(collection["post"]["responses"])
    assert {"200", "400", "403", "404", "409"} <= set(detail["patch"]["responses"])
    assert {"204", "403", "404"} <= set(detail["delete"]["responses"])
    assert {"200", "403", "404"} <= set(collection["get"]["responses"])
