"""Bank-statement reconciliation with a real Celery worker on PostgreSQL: a statement of 1,000
transfers for 1,000 accepted orders, uploaded twice at the same moment (two worker processes
reconcile the two copies in parallel) and then once more. Every order is paid exactly once."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Sum

from orders.models import Order, OrderStatus, Payment
from payments.references import rf_format
from statements import services
from statements.models import BankStatement, EntryOutcome, StatementEntry, StatementStatus
from tests.integration.conftest import wait_until
from tests.orders.helpers import build_world, order_in
from tests.statements.builders import CamtEntry, camt053
from tests.statements.bulk import accepted_order_copies

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ENTRIES = 1000


@pytest.fixture
def shared_statement_files(tmp_path, monkeypatch, settings):
    """One directory for the statements this process stores and the worker reads (set before the
    worker starts, which takes its environment from this process)."""
    root = tmp_path / "statement-files"
    monkeypatch.setenv("STATEMENT_FILES_ROOT", str(root))
    settings.STATEMENT_FILES_ROOT = root
    return root


@pytest.fixture
def thousand_orders(shared_statement_files):
    world = build_world()
    template = order_in(world, OrderStatus.ACCEPTED)
    orders = [template, *accepted_order_copies(template, ENTRIES - 1)]
    return world, orders


def _statement(orders: list[Order]) -> bytes:
    rows = []
    for index, order in enumerate(orders):
        owed = order.invoice_total
        if index % 3:
            rows.append(CamtEntry(amount=f"{owed:.2f}", currency=order.currency, acct_svcr_ref=f"INT-{index:05d}",
                                  reference=order.payment_reference, debtor="Gamma Handel GmbH"))
        else:  # in the free text, spaced and in lower case
            rows.append(CamtEntry(amount=f"{owed:.2f}", currency=order.currency, acct_svcr_ref=f"INT-{index:05d}",
                                  unstructured=[f"order {rf_format(order.payment_reference).lower()}"]))
    return camt053(rows, version="001.08", statement_id="INT-1000")


def _upload(world, content: bytes) -> BankStatement:
    return services.statement_upload(actor=world.seller_t_owner, company_id=world.seller_t.pk,
                                     uploaded_file=SimpleUploadedFile("camt053.xml", content))


def _wait_done(pks: list[int], timeout: float = 300) -> list[BankStatement]:
    def finished():
        rows = list(BankStatement.objects.filter(pk__in=pks).order_by("pk"))
        return rows if all(row.status in (StatementStatus.DONE, StatementStatus.FAILED) for row in rows) else None

    return wait_until(finished, timeout=timeout, interval=0.5,
                      message=f"statements {pks} were not reconciled within {timeout}s")


def _payments() -> tuple[int, Decimal, int]:
    totals = Payment.objects.aggregate(count=Count("pk"), total=Sum("amount"), orders=Count("order", distinct=True))
    return totals["count"], totals["total"], totals["orders"]


def test_a_thousand_transfers_are_matched_once_by_the_worker(thousand_orders, celery_worker_process):
    world, orders = thousand_orders
    content = _statement(orders)
    expected_total = sum((order.invoice_total for order in orders), Decimal("0.00"))

    # Two uploads of the same statement at once: two worker processes reconcile them in parallel.
    first, second = _upload(world, content), _upload(world, content)
    done = _wait_done([first.pk, second.pk])

    assert [row.status for row in done] == [StatementStatus.DONE, StatementStatus.DONE], [r.error for r in done]
    assert [row.total_entries for row in done] == [ENTRIES, ENTRIES]
    assert sum(row.matched_count for row in done) == ENTRIES
    assert sum(row.duplicate_count for row in done) == ENTRIES
    assert sum(row.review_count for row in done) == 0
    assert _payments() == (ENTRIES, expected_total, ENTRIES)
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {
        OrderStatus.PAID}
    live = StatementEntry.objects.exclude(outcome=EntryOutcome.DUPLICATE)
    assert live.count() == ENTRIES and live.values("entry_reference").distinct().count() == ENTRIES
    assert StatementEntry.payments.through.objects.count() == ENTRIES

    # Imported once more: every entry is a duplicate, nothing is recorded again.
    again = _wait_done([_upload(world, content).pk])[0]

    assert (again.status, again.total_entries, again.duplicate_count, again.matched_count) == (
        StatementStatus.DONE, ENTRIES, ENTRIES, 0)
    assert _payments() == (ENTRIES, expected_total, ENTRIES)
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("amount_paid", flat=True)) == {
        orders[0].invoice_total}
    runs = celery_worker_process.task_outcomes("statements.tasks.statement_process")
    assert [outcome for _id, outcome, _rest in runs] == ["succeeded"] * 3
