"""Reconciliation of imported statements with the seller's orders: what each kind of entry becomes
and what it records. Statements are real camt.053 and MT940 files written by tests/statements/builders.py."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Instalment, InstalmentStatus, Order, OrderStatus, Payment
from payments.references import rf_format
from statements import services, tasks
from statements.models import BankStatement, EntryOutcome, StatementEntry, StatementStatus
from orders import services as order_services
from orders.services.payments import payment_term_add
from tests.orders.helpers import place, place_order
from tests.statements.builders import CamtEntry, CamtTx, Mt940Line, camt053, mt940
from tests.statements.helpers import accepted_order, entries, import_statement, owed, payments_of, upload

pytestmark = pytest.mark.django_db
O = EntryOutcome


def spaced_lower(reference: str) -> str:
    """"RF35SME00000001" -> "rf35 sme0 0000 001", as people type it."""
    return rf_format(reference).lower()


def test_exact_payment_by_structured_reference_records_it_and_pays_the_order(world):
    order = accepted_order(world)
    assert owed(order) == Decimal("2000.00")

    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="BANK-1",
                                                           reference=order.payment_reference, debtor="Gamma Handel")],
                                                statement_id="STMT-7"))

    assert (statement.status, statement.format, statement.statement_id, statement.account) == (
        StatementStatus.DONE, "camt053", "STMT-7", "DE89370400440532013000")
    assert (statement.total_entries, statement.processed_entries, statement.matched_count) == (1, 1, 1)
    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id, entry.orders, entry.references, entry.recorded_amount, entry.excess,
            entry.counterparty, entry.entry_reference) == (
        O.MATCHED, order.pk, [order.pk], [order.payment_reference], Decimal("2000.00"), Decimal("0.00"),
        "Gamma Handel", "BANK-1")
    assert payments_of(order) == [(Decimal("2000.00"), "TRY", "statement", None, "BANK-1",
                                   "Statement STMT-7, entry BANK-1")]
    assert list(entry.payments.values_list("pk", flat=True)) == list(Payment.objects.filter(order=order)
                                                                     .values_list("pk", flat=True))
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("2000.00"))
    assert order.events.filter(to_status=OrderStatus.PAID).values_list("role", "actor")[0] == ("system", None)


def test_partial_payment_is_recorded_and_the_order_waits_for_the_rest(world):
    order = accepted_order(world)

    statement = import_statement(world, camt053([CamtEntry(amount="500.00", currency="TRY", acct_svcr_ref="P-1",
                                                           reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.recorded_amount, entry.excess, statement.partial_count) == (
        O.PARTIAL, Decimal("500.00"), Decimal("0.00"), 1)
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.ACCEPTED, Decimal("500.00"))
    assert list(Instalment.objects.filter(order=order).values_list("paid_amount", "status")) == [
        (Decimal("500.00"), InstalmentStatus.PARTLY_PAID)]


def test_overpayment_records_what_was_owed_and_flags_the_excess(world):
    order = accepted_order(world)

    statement = import_statement(world, camt053([CamtEntry(amount="2150.50", currency="TRY", acct_svcr_ref="O-1",
                                                           reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.recorded_amount, entry.excess, statement.over_count, statement.review_count) == (
        O.OVER, Decimal("2000.00"), Decimal("150.50"), 1, 1)
    assert "150.50 TRY more than was owed" in entry.note
    assert [p[0] for p in payments_of(order)] == [Decimal("2000.00")]
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("2000.00"))


def test_a_second_transfer_for_a_paid_order_is_all_excess(world):
    order = accepted_order(world)
    import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="T-1",
                                               reference=order.payment_reference)]))

    statement = import_statement(world, camt053([CamtEntry(amount="80.00", currency="TRY", acct_svcr_ref="T-2",
                                                           reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.recorded_amount, entry.excess) == (O.OVER, Decimal("0.00"), Decimal("80.00"))
    assert [p[0] for p in payments_of(order)] == [Decimal("2000.00")]


def test_wrong_currency_records_nothing(world):
    order = accepted_order(world)

    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="EUR", acct_svcr_ref="W-1",
                                                           reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id, entry.recorded_amount, statement.wrong_currency_count) == (
        O.WRONG_CURRENCY, order.pk, Decimal("0.00"), 1)
    assert entry.note == f"Order {order.payment_reference} is paid in TRY; this transfer is in EUR."
    assert payments_of(order) == []
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.ACCEPTED, Decimal("0.00"))


def test_reference_with_spaces_and_lower_case_in_the_free_text_is_found(world):
    order = accepted_order(world)
    text = f"payment for order {spaced_lower(order.payment_reference)}, thanks"

    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="U-1",
                                                           unstructured=[text])]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id, entry.references, entry.structured_reference) == (
        O.MATCHED, order.pk, [order.payment_reference], "")
    assert entry.remittance == text


def test_mt940_with_the_reference_spread_over_the_86_text(world):
    order = accepted_order(world)
    details = "Rechnung vom Maerz " + "x" * 40 + f" {spaced_lower(order.payment_reference)} Gamma Handel GmbH"

    statement = import_statement(world, mt940([Mt940Line(amount="2000.00", currency="TRY", bank_reference="MT-1",
                                                         details=details)], currency="TRY"), name="s.sta")

    assert (statement.format, statement.statement_id) == ("mt940", "STMT20260302 / 00042")
    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id, entry.entry_reference, entry.amount, entry.currency) == (
        O.MATCHED, order.pk, "MT-1", Decimal("2000.00"), "TRY")
    assert payments_of(order)[0][:3] == (Decimal("2000.00"), "TRY", "statement")


def test_mt940_structured_reference_as_customer_reference(world):
    order = accepted_order(world)

    statement = import_statement(world, mt940([Mt940Line(amount="700.00", currency="TRY", bank_reference="MT-2",
                                                         customer_reference=order.payment_reference)],
                                              currency="TRY"))

    [entry] = entries(statement)
    assert (entry.outcome, entry.structured_reference, entry.recorded_amount) == (
        O.PARTIAL, order.payment_reference, Decimal("700.00"))


def test_the_structured_reference_wins_over_the_free_text(world):
    first, second = accepted_order(world), accepted_order(world)

    statement = import_statement(world, camt053([CamtEntry(
        amount="2000.00", currency="TRY", acct_svcr_ref="S-1", reference=first.payment_reference,
        unstructured=[f"also {second.payment_reference}"])]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id) == (O.MATCHED, first.pk)
    assert payments_of(second) == []


def test_two_orders_with_one_transfer_of_what_they_owe_together(world):
    first, second = accepted_order(world), accepted_order(world)
    text = f"orders {first.payment_reference} and {spaced_lower(second.payment_reference)}"

    statement = import_statement(world, camt053([CamtEntry(amount="4000.00", currency="TRY", acct_svcr_ref="TWO-1",
                                                           unstructured=[text])]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id, sorted(entry.orders), entry.recorded_amount, entry.excess) == (
        O.MATCHED, None, sorted([first.pk, second.pk]), Decimal("4000.00"), Decimal("0.00"))
    for order in (first, second):
        assert payments_of(order) == [(Decimal("2000.00"), "TRY", "statement", None, "TWO-1",
                                       "Statement STMT-2026-03-02, entry TWO-1")]
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
    assert entry.payments.count() == 2


def test_two_orders_with_a_transfer_that_is_not_their_sum_go_to_review(world):
    first, second = accepted_order(world), accepted_order(world)

    statement = import_statement(world, camt053([CamtEntry(
        amount="3000.00", currency="TRY", acct_svcr_ref="TWO-2",
        unstructured=[f"{first.payment_reference} {second.payment_reference}"])]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.recorded_amount, statement.ambiguous_count) == (O.AMBIGUOUS, Decimal("0.00"), 1)
    assert "owe 4000.00 TRY together; 3000.00 TRY arrived" in entry.note
    assert payments_of(first) == payments_of(second) == []


def test_another_sellers_reference_is_never_matched(world):
    theirs = accepted_order(world, world.cable)  # seller C, paid in CNY
    assert theirs.seller_id == world.seller_c.pk

    statement = import_statement(world, camt053([CamtEntry(amount=str(owed(theirs)), currency="CNY",
                                                           acct_svcr_ref="X-1", reference=theirs.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id, entry.orders, entry.references) == (
        O.UNMATCHED, None, [], [theirs.payment_reference])
    assert payments_of(theirs) == []
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.ACCEPTED


def test_debits_are_listed_and_ignored(world):
    order = accepted_order(world)

    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", credit=False,
                                                           acct_svcr_ref="D-1", reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.credit, statement.debit_count, statement.review_count) == (O.DEBIT, False, 1, 0)
    assert payments_of(order) == []


def test_no_reference_goes_to_review(world):
    statement = import_statement(world, camt053([CamtEntry(amount="12.00", currency="TRY", acct_svcr_ref="N-1",
                                                           unstructured=["Invoice 4711"])]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.note, statement.unmatched_count) == (
        O.UNMATCHED, "No reference of one of your orders was found in this transfer.", 1)
    assert Payment.objects.count() == 0


def test_an_order_not_yet_accepted_cannot_be_paid_and_goes_to_review(world):
    order = place_order(world)

    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="NA-1",
                                                           reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.order_id) == (O.UNMATCHED, order.pk)
    assert entry.note.startswith(f"Order {order.payment_reference} cannot take this payment: Payments can be "
                                 "recorded once the seller has accepted the order")
    assert payments_of(order) == []


def _paid_state():
    return (list(Payment.objects.order_by("pk").values_list("pk", "order_id", "amount")),
            list(Order.objects.order_by("pk").values_list("pk", "status", "amount_paid")))


def test_the_same_statement_imported_twice_records_nothing_twice(world):
    first, second = accepted_order(world), accepted_order(world)
    content = camt053([
        CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="R-1", reference=first.payment_reference),
        CamtEntry(amount="300.00", currency="TRY", acct_svcr_ref="R-2", reference=second.payment_reference),
        CamtEntry(amount="5.00", currency="TRY", acct_svcr_ref="R-3"),
    ])
    original = import_statement(world, content)
    before = _paid_state()

    again = import_statement(world, content)

    assert _paid_state() == before
    assert [(e.outcome, e.duplicate_of_id, e.recorded_amount) for e in entries(again)] == [
        (O.DUPLICATE, e.pk, Decimal("0.00")) for e in entries(original)]
    assert (again.duplicate_count, again.matched_count, again.review_count) == (3, 0, 0)
    assert entries(again)[0].note.startswith("Already imported with statement STMT-2026-03-02 on ")


def test_an_overlapping_statement_records_only_the_new_entries(world):
    first, second, third = accepted_order(world), accepted_order(world), accepted_order(world)
    monday = [CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="OV-1", reference=first.payment_reference),
              CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="OV-2", reference=second.payment_reference)]
    tuesday = [monday[1],
               CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="OV-3", reference=third.payment_reference)]
    import_statement(world, camt053(monday, statement_id="MON"))

    statement = import_statement(world, camt053(tuesday, statement_id="TUE"))

    assert [e.outcome for e in entries(statement)] == [O.DUPLICATE, O.MATCHED]
    assert [len(payments_of(order)) for order in (first, second, third)] == [1, 1, 1]
    assert Payment.objects.count() == 3


def test_running_the_task_twice_records_nothing_twice(world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="TT-1",
                                                           reference=order.payment_reference)]))
    before = (_paid_state(), list(StatementEntry.objects.values_list("pk", "outcome")),
              BankStatement.objects.filter(pk=statement.pk).values_list("status", "finished_at").get())

    assert tasks.statement_process(statement.pk) == StatementStatus.DONE

    assert (_paid_state(), list(StatementEntry.objects.values_list("pk", "outcome")),
            BankStatement.objects.filter(pk=statement.pk).values_list("status", "finished_at").get()) == before


def test_a_run_that_stopped_midway_is_carried_on_without_doubling(world, settings):
    orders = [accepted_order(world) for _ in range(3)]
    content = camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref=f"RS-{i}",
                                 reference=order.payment_reference) for i, order in enumerate(orders)])
    statement = import_statement(world, content)
    # As if the worker died after the first entry: the other two entries and their payments are gone.
    later = StatementEntry.objects.filter(statement=statement, position__gt=1)
    for entry in later:
        for payment in entry.payments.all():
            Instalment.objects.filter(pk=payment.instalment_id).update(paid_amount=0, status=InstalmentStatus.OPEN)
            Order.objects.filter(pk=payment.order_id).update(amount_paid=0, status=OrderStatus.ACCEPTED)
            payment.delete()
    later.delete()
    BankStatement.objects.filter(pk=statement.pk).update(status=StatementStatus.PROCESSING, processed_entries=1)

    tasks.statement_process(statement.pk)

    statement.refresh_from_db()
    assert (statement.status, statement.processed_entries, statement.matched_count) == (StatementStatus.DONE, 3, 3)
    assert [len(payments_of(order)) for order in orders] == [1, 1, 1]


def test_progress_is_saved_every_n_entries(world, settings):
    settings.STATEMENT_PROGRESS_EVERY = 2
    statement = upload(world, camt053([CamtEntry(amount="1.00", currency="TRY", acct_svcr_ref=f"PG-{i}")
                                       for i in range(5)]))

    with CaptureQueriesContext(connection) as queries:
        tasks.statement_process(statement.pk)

    progress = [q["sql"] for q in queries.captured_queries
                if q["sql"].startswith('UPDATE "statements_bankstatement"') and '"processed_entries" =' in q["sql"]]
    # after entries 2 and 4 (never going back), then the end
    assert ["GREATEST" in sql.upper() or "MAX(" in sql.upper() for sql in progress] == [True, True, False]
    statement.refresh_from_db()
    assert (statement.total_entries, statement.processed_entries, statement.unmatched_count) == (5, 5, 5)
    assert statement.progress_percent == 100


def test_an_unreadable_file_fails_the_statement_with_a_message(world):
    content = b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><broken>'

    statement = import_statement(world, content)

    assert (statement.status, statement.total_entries) == (StatementStatus.FAILED, 0)
    assert statement.error.startswith("The XML of the statement is damaged near line")
    assert StatementEntry.objects.count() == 0


def test_a_missing_file_fails_the_statement(world):
    statement = upload(world, camt053([CamtEntry(acct_svcr_ref="MF-1")]))
    statement.file.delete(save=False)

    tasks.statement_process(statement.pk)

    statement.refresh_from_db()
    assert (statement.status, statement.error) == (StatementStatus.FAILED, "The uploaded file is missing.")


def test_a_batch_entry_pays_each_order_of_its_transactions(world):
    first, second = accepted_order(world), accepted_order(world)
    batch = CamtEntry(amount="2500.00", currency="TRY", acct_svcr_ref="BATCH", transactions=[
        CamtTx(amount="2000.00", currency="TRY", reference=first.payment_reference),
        CamtTx(amount="500.00", currency="TRY", reference=second.payment_reference)])

    statement = import_statement(world, camt053([batch], version="001.08"))

    assert [(e.entry_reference, e.outcome, e.order_id) for e in entries(statement)] == [
        ("BATCH/1", O.MATCHED, first.pk), ("BATCH/2", O.PARTIAL, second.pk)]


def test_recount_keeps_the_counts_in_step_with_the_entries(world):
    statement = import_statement(world, camt053([CamtEntry(amount="3.00", currency="TRY", acct_svcr_ref="C-1"),
                                                 CamtEntry(amount="3.00", currency="TRY", acct_svcr_ref="C-2",
                                                           credit=False)]))

    services._recount(statement.pk)

    statement.refresh_from_db()
    assert (statement.unmatched_count, statement.debit_count, statement.matched_count) == (1, 1, 0)


def test_an_amount_with_more_than_two_decimals_is_left_for_review(world):
    order = accepted_order(world)

    statement = import_statement(world, camt053([CamtEntry(amount="2000.005", currency="TRY", acct_svcr_ref="DEC-1",
                                                           reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.amount, entry.note) == (
        O.UNMATCHED, Decimal("2000.00"), "The amount has more than two decimals; record it by hand.")
    assert payments_of(order) == []


def test_an_amount_beyond_the_money_columns_fails_the_statement(world):
    statement = import_statement(world, camt053([CamtEntry(amount="1000000000000.00", currency="TRY",
                                                           acct_svcr_ref="BIG-1")]))

    assert (statement.status, statement.error) == (StatementStatus.FAILED,
                                                   "Entry 1 has an amount larger than 999999999999.99.")
    assert StatementEntry.objects.count() == 0


def test_an_unexpected_error_fails_the_statement_instead_of_leaving_it_running(world, monkeypatch):
    statement = upload(world, camt053([CamtEntry(amount="1.00", currency="TRY", acct_svcr_ref="ERR-1")]))

    def broken(run, entry):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "_reconcile", broken)
    with pytest.raises(RuntimeError):
        tasks.statement_process(statement.pk)

    statement.refresh_from_db()
    assert statement.status == StatementStatus.FAILED
    assert statement.error.startswith("The statement could not be processed to the end.")
    assert StatementEntry.objects.count() == 0


def test_a_deposit_paid_exactly_is_matched_and_the_balance_stays_open(world):
    payment_term_add(actor=world.seller_t_owner, seller=world.seller_t, code="deposit_30")
    order = place(world, lines=[(world.towel, 20)], payment_terms={str(world.seller_t.pk): "deposit_30"}).orders.get()
    order_services.order_accept(order_id=order.pk, actor=world.seller_t_owner)

    statement = import_statement(world, camt053([CamtEntry(amount="600.00", currency="TRY", acct_svcr_ref="DEP-1",
                                                           reference=order.payment_reference)]))

    [entry] = entries(statement)
    assert (entry.outcome, entry.recorded_amount) == (O.MATCHED, Decimal("600.00"))
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.ACCEPTED, Decimal("600.00"))
    assert list(Instalment.objects.filter(order=order).values_list("sequence", "paid_amount", "status")) == [
        (1, Decimal("600.00"), InstalmentStatus.PAID), (2, Decimal("0.00"), InstalmentStatus.OPEN)]
