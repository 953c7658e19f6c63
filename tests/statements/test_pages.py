"""The seller's bank-statement pages: upload and list, progress, the per-entry report and its review."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Payment
from statements.models import BankStatement, EntryOutcome, StatementEntry, StatementStatus
from tests.statements.builders import CamtEntry, camt053
from tests.statements.helpers import accepted_order, entries, import_statement, payments_of, upload

pytestmark = pytest.mark.django_db
O = EntryOutcome


@pytest.fixture
def seller_client(client, world):
    client.force_login(world.seller_t_owner)
    return client


def _detail(statement) -> str:
    return reverse("frontend:seller_statement_detail", args=[statement.pk])


def test_the_listings_page_links_to_the_statements(seller_client):
    page = seller_client.get(reverse("frontend:seller_listings")).content.decode()

    assert f'id="statements-link" href="{reverse("frontend:seller_statements")}"' in page


def test_upload_page_stores_the_statement_and_opens_it(seller_client, world, django_capture_on_commit_callbacks):
    content = camt053([CamtEntry(acct_svcr_ref="PG-1")])

    with django_capture_on_commit_callbacks() as callbacks:
        response = seller_client.post(reverse("frontend:seller_statements"),
                                      {"file": SimpleUploadedFile("march.xml", content)})

    statement = BankStatement.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(statement)
    assert (statement.company_id, statement.format, statement.status, len(callbacks)) == (
        world.seller_t.pk, "camt053", StatementStatus.PENDING, 1)
    page = seller_client.get(_detail(statement)).content.decode()
    assert 'hx-get="' + reverse("frontend:seller_statement_progress", args=[statement.pk]) in page
    assert "The statement is uploaded. Its entries are matched with your orders now." in page


@pytest.mark.parametrize("files, message", [
    ({}, "Choose the statement file."),
    ({"file": SimpleUploadedFile("prices.csv", b"title,price\nTowel,1\n")},
     "This is neither an ISO 20022 camt.053 statement (XML) nor a SWIFT MT940 statement."),
])
def test_upload_page_says_what_is_wrong_with_the_file(seller_client, files, message):
    response = seller_client.post(reverse("frontend:seller_statements"), files)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert BankStatement.objects.count() == 0


def test_statement_list_shows_the_company_statements_only(seller_client, world):
    mine = import_statement(world, camt053([CamtEntry(acct_svcr_ref="L-1")], statement_id="MINE-1"))
    import_statement(world, camt053([CamtEntry(acct_svcr_ref="L-2")], statement_id="THEIRS-1"),
                     actor=world.seller_c_owner, company=world.seller_c)

    page = seller_client.get(reverse("frontend:seller_statements")).content.decode()

    assert "MINE-1" in page and _detail(mine) in page
    assert "THEIRS-1" not in page


def test_report_shows_each_entry_with_its_outcome_amount_and_order(seller_client, world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([
        CamtEntry(amount="2050.00", currency="TRY", acct_svcr_ref="RP-1", reference=order.payment_reference,
                  debtor="Gamma Handel"),
        CamtEntry(amount="9.99", currency="TRY", acct_svcr_ref="RP-2", unstructured=["no reference"]),
    ]))

    page = seller_client.get(_detail(statement)).content.decode()

    assert 'hx-trigger="every' not in page  # finished: no polling
    assert "2050.00 TRY in" in page and "2000.00 TRY" in page and "50.00 TRY" in page
    assert "Overpayment" in page and "No order found" in page and "Gamma Handel" in page
    assert reverse("frontend:order_detail", args=[order.pk]) in page
    assert reverse("frontend:seller_statement_entry_dismiss", args=[statement.pk, entries(statement)[0].pk]) in page


def test_report_filters_by_outcome(seller_client, world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([
        CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="FL-1", reference=order.payment_reference),
        CamtEntry(amount="9.99", currency="TRY", acct_svcr_ref="FL-2"),
    ]))

    page = seller_client.get(_detail(statement) + "?outcome=review").content.decode()

    assert "FL-2" in page and "FL-1" not in page


def test_progress_block_polls_while_running_and_reloads_when_done(seller_client, world):
    statement = upload(world, camt053([CamtEntry(acct_svcr_ref="PR-1")]))
    url = reverse("frontend:seller_statement_progress", args=[statement.pk])

    running = seller_client.get(url, HTTP_HX_REQUEST="true")
    BankStatement.objects.filter(pk=statement.pk).update(status=StatementStatus.DONE, total_entries=1,
                                                         processed_entries=1, matched_count=1)
    done = seller_client.get(url, HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 2s"' in running.content.decode() and "HX-Refresh" not in running
    assert "hx-trigger" not in done.content.decode() and done["HX-Refresh"] == "true"
    assert "1 of 1 entries matched (100%)" in done.content.decode()


def test_assign_from_the_report_records_the_payment(seller_client, world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="AS-1")]))
    [entry] = entries(statement)
    page = seller_client.get(_detail(statement)).content.decode()
    assert f'<option value="{order.pk}">{order.payment_reference} – Gamma Handel GmbH – 2000.00 TRY owed</option>' \
        in page

    response = seller_client.post(reverse("frontend:seller_statement_entry_assign", args=[statement.pk, entry.pk]),
                                  {f"e{entry.pk}-order_id": order.pk, "outcome": "review"})

    assert response.status_code == 302 and response["Location"] == _detail(statement) + "?outcome=review"
    entry.refresh_from_db()
    assert (entry.outcome, entry.order_id) == (O.ASSIGNED, order.pk)
    assert payments_of(order)[0][:4] == (Decimal("2000.00"), "TRY", "statement", world.seller_t_owner.pk)


def test_assign_an_order_that_is_not_offered_changes_nothing(seller_client, world):
    theirs = accepted_order(world, world.cable)
    statement = import_statement(world, camt053([CamtEntry(amount="10.00", currency="TRY", acct_svcr_ref="AS-2")]))
    [entry] = entries(statement)

    response = seller_client.post(reverse("frontend:seller_statement_entry_assign", args=[statement.pk, entry.pk]),
                                  {f"e{entry.pk}-order_id": theirs.pk}, follow=True)

    assert "Entry AS-2: Choose one of your orders." in response.content.decode()
    entry.refresh_from_db()
    assert entry.outcome == O.UNMATCHED
    assert Payment.objects.count() == 0


def test_dismiss_from_the_report(seller_client, world):
    statement = import_statement(world, camt053([CamtEntry(amount="10.00", currency="TRY", acct_svcr_ref="DS-1")]))
    [entry] = entries(statement)
    url = reverse("frontend:seller_statement_entry_dismiss", args=[statement.pk, entry.pk])

    empty = seller_client.post(url, {f"e{entry.pk}-reason": ""}, follow=True)
    entry.refresh_from_db()
    assert entry.outcome == O.UNMATCHED
    assert "Entry DS-1: Say why you dismiss this entry." in empty.content.decode()

    done = seller_client.post(url, {f"e{entry.pk}-reason": "Bank fee refund"}, follow=True)
    entry.refresh_from_db()
    assert (entry.outcome, entry.review_note) == (O.DISMISSED, "Bank fee refund")
    assert "Entry DS-1 is dismissed." in done.content.decode()


def test_another_company_gets_404_everywhere(client, world):
    statement = import_statement(world, camt053([CamtEntry(amount="10.00", currency="TRY", acct_svcr_ref="NF-1")]))
    [entry] = entries(statement)
    client.force_login(world.seller_c_owner)

    assert client.get(_detail(statement)).status_code == 404
    assert client.get(reverse("frontend:seller_statement_progress", args=[statement.pk])).status_code == 404
    assert client.post(reverse("frontend:seller_statement_entry_dismiss", args=[statement.pk, entry.pk]),
                       {f"e{entry.pk}-reason": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.outcome == O.UNMATCHED


def test_a_buyer_cannot_open_the_statement_pages(client, world):
    client.force_login(world.buyer_owner)

    assert client.get(reverse("frontend:seller_statements")).status_code == 403


def _report_queries(client, statement) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_detail(statement))
    assert response.status_code == 200
    return len(queries)


def test_report_queries_do_not_grow_with_the_number_of_entries(seller_client, world):
    orders = [accepted_order(world) for _ in range(3)]

    def statement_of(count: int, tag: str):
        rows = [CamtEntry(amount="1.00", currency="TRY", acct_svcr_ref=f"{tag}-{i}",
                          reference=orders[i % 3].payment_reference if i % 2 else "") for i in range(count)]
        rows.append(CamtEntry(amount="1.00", currency="TRY", acct_svcr_ref=f"{tag}-dup-{count}",
                              reference=orders[0].payment_reference))
        return import_statement(world, camt053(rows))

    small, large = statement_of(3, "S"), statement_of(40, "L")
    # a duplicate row links to its first import
    again = import_statement(world, camt053([CamtEntry(amount="1.00", currency="TRY", acct_svcr_ref="S-0"),
                                             CamtEntry(amount="1.00", currency="TRY", acct_svcr_ref="NEW-1")]))
    assert [e.outcome for e in entries(again)] == [O.DUPLICATE, O.UNMATCHED]

    assert _report_queries(seller_client, small) == _report_queries(seller_client, large) \
        == _report_queries(seller_client, again)
    assert StatementEntry.objects.filter(statement=large).count() == 41
