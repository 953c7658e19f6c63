"""The bank-statement API: upload (202), list and detail with progress, the entries with a filter,
assign and dismiss; other companies get 404; every answer is in the OpenAPI schema."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Payment
from statements.models import BankStatement, EntryOutcome
from tests.statements.builders import CamtEntry, camt053
from tests.statements.helpers import accepted_order, entries, import_statement, payments_of

pytestmark = pytest.mark.django_db
O = EntryOutcome


def base(company) -> str:
    return f"/api/v1/companies/{company.pk}/statements/"


def test_upload_answers_202_with_the_pending_statement(as_user, world, django_capture_on_commit_callbacks):
    client = as_user(world.seller_t_owner)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(base(world.seller_t), {"file": SimpleUploadedFile("s.xml", camt053([CamtEntry()]))},
                               format="multipart")

    assert response.status_code == 202
    statement = BankStatement.objects.get()
    assert response.json() == {
        "id": statement.pk, "company": world.seller_t.pk, "original_name": "s.xml", "format": "camt053",
        "statement_id": "", "account": "", "status": "pending", "total_entries": 0, "processed_entries": 0,
        "progress_percent": 0,
        "counts": {"matched": 0, "partial": 0, "over": 0, "unmatched": 0, "ambiguous": 0, "wrong_currency": 0,
                   "duplicate": 0, "ignored_debits": 0, "assigned": 0, "dismissed": 0, "to_review": 0},
        "error": "", "created_at": response.json()["created_at"], "started_at": None, "finished_at": None}
    assert len(callbacks) == 1


@pytest.mark.parametrize("data, field, message", [
    ({}, "file", "No file was submitted."),
    ({"file": SimpleUploadedFile("s.xml", b"hello")}, "file",
     "This is neither an ISO 20022 camt.053 statement (XML) nor a SWIFT MT940 statement. Download the statement "
     "from your bank in one of these formats."),
    ({"file": SimpleUploadedFile("s.xml", camt053([CamtEntry()])), "company": "9"}, "company",
     "This field cannot be set."),
])
def test_upload_errors_name_the_field(as_user, world, data, field, message):
    response = as_user(world.seller_t_owner).post(base(world.seller_t), data, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}
    assert BankStatement.objects.count() == 0


def test_list_detail_and_entries(as_user, world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([
        CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="A-1", reference=order.payment_reference),
        CamtEntry(amount="5.00", currency="TRY", acct_svcr_ref="A-2")]))
    client = as_user(world.seller_t_owner)

    listed = client.get(base(world.seller_t)).json()
    detail = client.get(f"{base(world.seller_t)}{statement.pk}/").json()
    review = client.get(f"{base(world.seller_t)}{statement.pk}/entries/?outcome=review").json()
    matched = client.get(f"{base(world.seller_t)}{statement.pk}/entries/?outcome=matched").json()

    assert [row["id"] for row in listed["results"]] == [statement.pk]
    assert (detail["status"], detail["total_entries"], detail["processed_entries"], detail["progress_percent"],
            detail["counts"]["matched"], detail["counts"]["to_review"]) == ("done", 2, 2, 100, 1, 1)
    assert [row["entry_reference"] for row in review["results"]] == ["A-2"]
    [row] = matched["results"]
    payment = Payment.objects.get()
    assert {key: row[key] for key in ("entry_reference", "amount", "currency", "outcome", "order", "orders",
                                      "payments", "recorded_amount", "excess", "credit", "references")} == {
        "entry_reference": "A-1", "amount": "2000.00", "currency": "TRY", "outcome": "matched", "order": order.pk,
        "orders": [order.pk], "payments": [payment.pk], "recorded_amount": "2000.00", "excess": "0.00",
        "credit": True, "references": [order.payment_reference]}


def test_an_unknown_outcome_filter_is_a_400(as_user, world):
    statement = import_statement(world, camt053([CamtEntry(acct_svcr_ref="Q-1")]))

    response = as_user(world.seller_t_owner).get(f"{base(world.seller_t)}{statement.pk}/entries/?outcome=paid")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["outcome"]


def test_assign_and_dismiss(as_user, world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="R-1"),
                                                 CamtEntry(amount="3.00", currency="TRY", acct_svcr_ref="R-2")]))
    first, second = entries(statement)
    client = as_user(world.seller_t_owner)
    url = f"{base(world.seller_t)}{statement.pk}/entries/"

    assigned = client.post(f"{url}{first.pk}/assign/", {"order_id": order.pk}, format="json")
    again = client.post(f"{url}{first.pk}/assign/", {"order_id": order.pk}, format="json")
    bad = client.post(f"{url}{second.pk}/dismiss/", {"reason": ""}, format="json")
    dismissed = client.post(f"{url}{second.pk}/dismiss/", {"reason": "Bank fee refund"}, format="json")

    assert (assigned.status_code, assigned.json()["outcome"], assigned.json()["recorded_amount"]) == (
        200, "assigned", "2000.00")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "entry_settled")
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["reason"])
    assert (dismissed.status_code, dismissed.json()["outcome"], dismissed.json()["review_note"]) == (
        200, "dismissed", "Bank fee refund")
    assert [p[0] for p in payments_of(order)] == [Decimal("2000.00")]


def test_assign_input_is_bounded(as_user, world):
    statement = import_statement(world, camt053([CamtEntry(amount="3.00", currency="TRY", acct_svcr_ref="B-1")]))
    [entry] = entries(statement)
    url = f"{base(world.seller_t)}{statement.pk}/entries/{entry.pk}/assign/"

    response = as_user(world.seller_t_owner).post(url, {"order_id": 10**12}, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["order_id"]
    entry.refresh_from_db()
    assert entry.outcome == O.UNMATCHED


def test_other_companies_and_anonymous_users_are_kept_out(as_user, api_client, world):
    content = camt053([CamtEntry(amount="3.00", currency="TRY", acct_svcr_ref="K-1")])
    statement = import_statement(world, content)
    [entry] = entries(statement)
    other = as_user(world.seller_c_owner)
    paths = [base(world.seller_t), f"{base(world.seller_t)}{statement.pk}/",
             f"{base(world.seller_t)}{statement.pk}/entries/",
             f"{base(world.seller_c)}{statement.pk}/", f"{base(world.seller_c)}{statement.pk}/entries/"]

    assert [other.get(path).status_code for path in paths] == [404, 404, 404, 404, 404]
    assert other.post(f"{base(world.seller_t)}{statement.pk}/entries/{entry.pk}/dismiss/", {"reason": "x"},
                      format="json").status_code == 404
    assert other.post(base(world.seller_t), {"file": SimpleUploadedFile("s.xml", content)},
                      format="multipart").status_code == 404
    api_client.force_authenticate(None)
    anonymous = api_client.get(base(world.seller_t))
    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "not_authenticated")
    entry.refresh_from_db()
    assert (entry.outcome, BankStatement.objects.count()) == (O.UNMATCHED, 1)


def test_every_statement_endpoint_and_error_is_documented(client):
    schema = json.loads(client.get("/api/v1/schema/?format=json").content)
    prefix = "/api/v1/companies/{company_id}/statements/"
    expected = {
        (prefix, "get"): {"200", "401", "404"},
        (prefix, "post"): {"202", "400", "401", "403", "404"},
        (prefix + "{id}/", "get"): {"200", "401", "404"},
        (prefix + "{id}/entries/", "get"): {"200", "400", "401", "404"},
        (prefix + "{id}/entries/{entry_id}/assign/", "post"): {"200", "400", "401", "403", "404", "409"},
        (prefix + "{id}/entries/{entry_id}/dismiss/", "post"): {"200", "400", "401", "403", "404", "409"},
    }

    for (path, method), codes in expected.items():
        assert codes <= set(schema["paths"][path][method]["responses"]), (path, method)
