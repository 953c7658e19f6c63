"""Upload of a statement and the seller's review of entries: assign to an order, dismiss."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from core.exceptions import ApplicationError, Conflict, Forbidden
from orders.models import Order, OrderStatus, Payment
from statements import services
from statements.models import BankStatement, EntryOutcome, StatementEntry, StatementStatus
from tests.factories.accounts import MembershipFactory
from tests.statements.builders import CamtEntry, Mt940Line, camt053, mt940
from tests.statements.helpers import accepted_order, entries, import_statement, payments_of, upload

pytestmark = pytest.mark.django_db
O = EntryOutcome


def _stored_files(root) -> list:
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- upload -----------------------------------------------------------------------------------------

def test_upload_stores_the_file_privately_and_queues_the_task_after_commit(world, statement_files,
                                                                          django_capture_on_commit_callbacks):
    content = mt940([Mt940Line(bank_reference="UP-1")])

    with django_capture_on_commit_callbacks() as callbacks:
        statement = upload(world, content, name="../../march.sta")

    assert (statement.status, statement.format, statement.original_name, statement.company_id,
            statement.uploaded_by_id) == (StatementStatus.PENDING, "mt940", "march.sta", world.seller_t.pk,
                                          world.seller_t_owner.pk)
    assert len(callbacks) == 1
    assert statement.file.read() == content
    path = statement_files / statement.file.name
    assert path.is_file() and str(path).startswith(str(statement_files))
    assert statement.file.name.startswith(f"{world.seller_t.pk}/") and statement.file.name.endswith(".dat")
    with pytest.raises(ValueError):
        statement.file.url


def test_upload_tells_the_format_by_the_content_not_the_name(world):
    statement = upload(world, camt053([CamtEntry(acct_svcr_ref="F-1")], version="001.05"), name="statement.txt")

    assert statement.format == "camt053"


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty."),
    (b"   \n", "The file is empty."),
    (b"title,price\nTowel,10\n", "This is neither an ISO 20022 camt.053 statement (XML) nor a SWIFT MT940 "
                                 "statement. Download the statement from your bank in one of these formats."),
    (b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
     "This is neither an ISO 20022 camt.053 statement (XML) nor a SWIFT MT940 statement. Download the statement "
     "from your bank in one of these formats."),
])
def test_upload_refuses_what_is_not_a_statement(world, statement_files, content, message):
    with pytest.raises(ApplicationError) as caught:
        upload(world, content)

    assert (caught.value.code, caught.value.fields) == ("validation_error", {"file": [message]})
    assert BankStatement.objects.count() == 0
    assert _stored_files(statement_files) == []


def test_upload_refuses_a_file_over_the_size_limit(world, settings, statement_files):
    settings.STATEMENT_MAX_BYTES = 1024 * 1024
    content = camt053([CamtEntry(acct_svcr_ref=f"L-{i}", unstructured=["x" * 130]) for i in range(2000)])
    assert len(content) > 1024 * 1024

    with pytest.raises(ApplicationError) as caught:
        upload(world, content)

    assert caught.value.fields == {"file": ["The file is larger than 1 MB."]}
    assert BankStatement.objects.count() == 0
    assert _stored_files(statement_files) == []


def test_only_members_of_a_selling_company_upload(world):
    content = camt053([CamtEntry(acct_svcr_ref="M-1")])

    with pytest.raises(Http404):
        upload(world, content, actor=world.seller_c_owner)  # not a member of seller T
    with pytest.raises(Forbidden) as caught:
        upload(world, content, actor=world.buyer_owner, company=world.buyer)
    assert caught.value.code == "not_a_seller"
    assert BankStatement.objects.count() == 0


def test_a_staff_member_of_the_seller_uploads_too(world):
    staff = MembershipFactory(company=world.seller_t, role="staff").user

    statement = services.statement_upload(actor=staff, company_id=world.seller_t.pk,
                                          uploaded_file=SimpleUploadedFile("s.xml", camt053([CamtEntry()])))

    assert statement.uploaded_by_id == staff.pk


# --- review -----------------------------------------------------------------------------------------

def _unmatched(world, amount="2000.00", currency="TRY", reference="REV-1") -> StatementEntry:
    statement = import_statement(world, camt053([CamtEntry(amount=amount, currency=currency, acct_svcr_ref=reference,
                                                           unstructured=["Towels, see our e-mail"])]))
    [entry] = entries(statement)
    assert entry.outcome == O.UNMATCHED
    return entry


def _assign(world, entry, order, actor=None):
    return services.statement_entry_assign(actor=actor or world.seller_t_owner, company_id=world.seller_t.pk,
                                           statement_id=entry.statement_id, entry_id=entry.pk, order_id=order.pk)


def _snapshot():
    return (list(Payment.objects.order_by("pk").values_list("pk", "order_id", "amount")),
            list(Order.objects.order_by("pk").values_list("pk", "status", "amount_paid")),
            list(StatementEntry.objects.order_by("pk").values_list("pk", "outcome", "order_id", "recorded_amount",
                                                                  "excess", "review_note", "reviewed_by")),
            list(BankStatement.objects.order_by("pk").values_list("pk", "unmatched_count", "assigned_count",
                                                                  "dismissed_count")))


def test_assign_records_the_entry_as_a_payment_by_the_seller(world):
    order = accepted_order(world)
    entry = _unmatched(world)

    assigned = _assign(world, entry, order)

    assert (assigned.outcome, assigned.order_id, assigned.recorded_amount, assigned.excess, assigned.reviewed_by_id) == (
        O.ASSIGNED, order.pk, Decimal("2000.00"), Decimal("0.00"), world.seller_t_owner.pk)
    assert payments_of(order) == [(Decimal("2000.00"), "TRY", "statement", world.seller_t_owner.pk, "REV-1",
                                   "Statement STMT-2026-03-02, entry REV-1")]
    assert list(assigned.payments.values_list("order_id", flat=True)) == [order.pk]
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    statement = BankStatement.objects.get(pk=entry.statement_id)
    assert (statement.unmatched_count, statement.assigned_count, statement.review_count) == (0, 1, 0)


def test_assign_more_than_owed_keeps_the_excess_flagged(world):
    order = accepted_order(world)
    entry = _unmatched(world, amount="2100.00")

    assigned = _assign(world, entry, order)

    assert (assigned.outcome, assigned.recorded_amount, assigned.excess) == (O.OVER, Decimal("2000.00"),
                                                                             Decimal("100.00"))


def test_an_entry_is_assigned_once(world):
    order = accepted_order(world)
    entry = _unmatched(world, amount="100.00")
    _assign(world, entry, order)
    before = _snapshot()

    with pytest.raises(Conflict) as caught:
        _assign(world, entry, order)

    assert caught.value.code == "entry_settled"
    assert caught.value.message == "This entry is already settled (Assigned by you); it cannot be changed."
    assert _snapshot() == before


@pytest.mark.parametrize("case", ["other_sellers_order", "other_currency", "not_a_number", "unknown"])
def test_assign_refuses_an_order_the_entry_cannot_pay(world, case):
    entry = _unmatched(world)
    if case == "other_sellers_order":
        order_id, message = accepted_order(world, world.cable).pk, "Choose one of your orders."
    elif case == "other_currency":
        entry.currency = "EUR"
        StatementEntry.objects.filter(pk=entry.pk).update(currency="EUR")
        order = accepted_order(world)
        order_id, message = order.pk, f"Order {order.payment_reference} is paid in TRY; this transfer is in EUR."
    elif case == "not_a_number":
        order_id, message = "abc", "Choose one of your orders."
    else:
        order_id, message = 999_999, "Choose one of your orders."
    before = _snapshot()

    with pytest.raises(ApplicationError) as caught:
        services.statement_entry_assign(actor=world.seller_t_owner, company_id=world.seller_t.pk,
                                        statement_id=entry.statement_id, entry_id=entry.pk, order_id=order_id)

    assert (caught.value.status_code, caught.value.fields) == (400, {"order_id": [message]})
    assert _snapshot() == before


def test_assign_to_an_order_not_yet_accepted_is_refused_and_changes_nothing(world):
    from tests.orders.helpers import place_order

    order = place_order(world)
    entry = _unmatched(world)
    before = _snapshot()

    with pytest.raises(Conflict) as caught:
        _assign(world, entry, order)

    assert caught.value.code == "invalid_transition"
    assert list(caught.value.fields) == ["order_id"]
    assert _snapshot() == before


def test_another_company_cannot_review_the_entry(world):
    order = accepted_order(world)
    entry = _unmatched(world)
    before = _snapshot()

    with pytest.raises(Http404):
        services.statement_entry_assign(actor=world.seller_c_owner, company_id=world.seller_t.pk,
                                        statement_id=entry.statement_id, entry_id=entry.pk, order_id=order.pk)
    with pytest.raises(Http404):  # its own company id does not reach another company's entry
        services.statement_entry_dismiss(actor=world.seller_c_owner, company_id=world.seller_c.pk,
                                         statement_id=entry.statement_id, entry_id=entry.pk, reason="Not ours")
    assert _snapshot() == before


def test_dismiss_sets_the_entry_aside_with_the_reason(world):
    entry = _unmatched(world)

    dismissed = services.statement_entry_dismiss(actor=world.seller_t_owner, company_id=world.seller_t.pk,
                                                 statement_id=entry.statement_id, entry_id=entry.pk,
                                                 reason="  Rent refund,\n not an order ")

    assert (dismissed.outcome, dismissed.review_note, dismissed.reviewed_by_id) == (
        O.DISMISSED, "Rent refund, not an order", world.seller_t_owner.pk)
    statement = BankStatement.objects.get(pk=entry.statement_id)
    assert (statement.unmatched_count, statement.dismissed_count) == (0, 1)
    assert Payment.objects.count() == 0


def test_dismissing_an_overpayment_keeps_its_payment(world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([CamtEntry(amount="2010.00", currency="TRY", acct_svcr_ref="OD-1",
                                                           reference=order.payment_reference)]))
    [entry] = entries(statement)

    services.statement_entry_dismiss(actor=world.seller_t_owner, company_id=world.seller_t.pk,
                                     statement_id=statement.pk, entry_id=entry.pk, reason="10 TRY refunded")

    entry.refresh_from_db()
    assert (entry.outcome, entry.recorded_amount, entry.excess) == (O.DISMISSED, Decimal("2000.00"),
                                                                    Decimal("10.00"))
    assert [p[0] for p in payments_of(order)] == [Decimal("2000.00")]


@pytest.mark.parametrize("reason, message", [
    ("", "Say why you dismiss this entry."),
    ("   ", "Say why you dismiss this entry."),
    ("x" * 301, "Ensure this field has no more than 300 characters."),
])
def test_dismiss_needs_a_short_reason(world, reason, message):
    entry = _unmatched(world)
    before = _snapshot()

    with pytest.raises(ApplicationError) as caught:
        services.statement_entry_dismiss(actor=world.seller_t_owner, company_id=world.seller_t.pk,
                                         statement_id=entry.statement_id, entry_id=entry.pk, reason=reason)

    assert caught.value.fields == {"reason": [message]}
    assert _snapshot() == before


def test_a_matched_entry_cannot_be_dismissed(world):
    order = accepted_order(world)
    statement = import_statement(world, camt053([CamtEntry(amount="2000.00", currency="TRY", acct_svcr_ref="MD-1",
                                                           reference=order.payment_reference)]))
    [entry] = entries(statement)
    before = _snapshot()

    with pytest.raises(Conflict) as caught:
        services.statement_entry_dismiss(actor=world.seller_t_owner, company_id=world.seller_t.pk,
                                         statement_id=statement.pk, entry_id=entry.pk, reason="oops")

    assert caught.value.code == "entry_settled"
    assert _snapshot() == before
