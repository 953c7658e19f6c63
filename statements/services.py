"""Bank-statement reconciliation: a seller uploads a statement of its bank account; a task reads it
and records each incoming transfer that names one of the seller's orders as a payment of that order.

Rules:
- The upload is checked for size and format (camt.053 or MT940, told by the content, not the name)
  and stored where no URL serves it; reading the entries happens in the task.
- Each credit entry is matched by the RF references it carries: the structured reference first,
  else every reference in the free text. Only references of orders of this seller count.
- One order named, in the order's currency: the amount is recorded through the orders' payment
  service as the system (source "statement"): `matched` when it pays what was owed, `partial` when
  less, `over` when more (the excess is kept on the entry and flagged, never recorded).
- Several orders named: recorded only when the amount is exactly what those orders owe together
  (each gets what it owes); otherwise `ambiguous`. No order named: `unmatched`. Another currency:
  `wrong_currency`. Debits are listed and ignored. The seller assigns or dismisses what is left.
- An entry row and its payments are written in one transaction; the unique (company, bank
  reference) constraint makes a re-imported or overlapping statement add `duplicate` rows only,
  even when two workers run at once. A run may stop anywhere: the next carries on.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.inputs import MAX_AMOUNT, field_error
from core.queue import enqueue_on_commit
from orders.models import Instalment, InstalmentStatus, Order, OrderRole, PaymentSource
from orders.services.payments import PAYABLE_STATUSES, PaymentResult, payment_record
from payments.references import rf_find, rf_normalize

from . import parsers, tasks
from .models import (
    ASSIGNABLE_OUTCOMES,
    DISMISSABLE_OUTCOMES,
    ZERO,
    BankStatement,
    EntryOutcome,
    StatementEntry,
    StatementFormat,
    StatementStatus,
)
from .selectors import statement_company

MAX_REASON_LENGTH = 300
CENT = Decimal("0.01")
# Orders are looked up this many references at a time.
LOOKUP_CHUNK = 500
COUNT_FIELDS = {
    EntryOutcome.MATCHED: "matched_count", EntryOutcome.PARTIAL: "partial_count", EntryOutcome.OVER: "over_count",
    EntryOutcome.UNMATCHED: "unmatched_count", EntryOutcome.AMBIGUOUS: "ambiguous_count",
    EntryOutcome.WRONG_CURRENCY: "wrong_currency_count", EntryOutcome.DUPLICATE: "duplicate_count",
    EntryOutcome.DEBIT: "debit_count", EntryOutcome.ASSIGNED: "assigned_count",
    EntryOutcome.DISMISSED: "dismissed_count",
}


# --- upload ------------------------------------------------------------------------------------------

def _require_seller_member(*, actor: User, company_id: int | str) -> Company:
    company = statement_company(actor=actor, company_id=company_id)
    if not company.sells:
        raise Forbidden(_("Only a company that sells can reconcile bank statements."), code="not_a_seller")
    return company


CAMT053_HEAD = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.\d{2}")
MT940_TAGS = re.compile(r"(?m)^:(20|25|60[FM]):")


def _sniff_format(content: bytes) -> str | None:
    """camt053 or mt940 as the start of the content looks, else None. Only a first look: the task
    reads the whole file with statements.parsers and reports what is wrong with it."""
    head = content[:8192].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return StatementFormat.CAMT053 if CAMT053_HEAD.search(head) else None
    tags = {match.group(1) for match in MT940_TAGS.finditer(head.decode("latin-1").replace("\r", ""))}
    return StatementFormat.MT940 if {"20", "25"} <= tags and tags & {"60F", "60M"} else None


@transaction.atomic
def statement_upload(*, actor: User, company_id: int | str, uploaded_file) -> BankStatement:
    """A member of a selling company uploads a camt.053 or MT940 statement. Only its size and format
    are checked here; a task queued once the upload is committed reads and reconciles the entries."""
    company = _require_seller_member(actor=actor, company_id=company_id)
    if uploaded_file is None:
        raise field_error("file", _("Choose a statement file."))
    limit = settings.STATEMENT_MAX_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise field_error("file", _("The file is larger than %(max)d MB.") % {"max": limit // (1024 * 1024)})
    uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        raise field_error("file", _("The file is larger than %(max)d MB.") % {"max": limit // (1024 * 1024)})
    if not content.strip():
        raise field_error("file", _("The file is empty."))
    kind = _sniff_format(content)
    if kind is None:
        raise field_error("file", _("This is neither an ISO 20022 camt.053 statement (XML) nor a SWIFT MT940 "
                                    "statement. Download the statement from your bank in one of these formats."))
    name = os.path.basename(str(getattr(uploaded_file, "name", "") or ""))[:255]
    statement = BankStatement(company=company, uploaded_by=actor, original_name=name, format=kind,
                              status=StatementStatus.PENDING)
    statement.file.save(name or "statement", ContentFile(content), save=False)
    statement.save()
    enqueue_on_commit(tasks.statement_process, statement.pk)
    return statement


# --- processing --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OrderRef:
    pk: int
    currency: str
    reference: str


@dataclass
class _Run:
    statement: BankStatement
    orders: dict[str, OrderRef]
    # bank reference -> the live entry that holds it; positions of this statement already done
    known: dict[str, StatementEntry]
    done: set[int]
    duplicates: list[StatementEntry] = field(default_factory=list)
    # positions whose amount is not a whole number of cents (False)
    exact: dict[int, bool] = field(default_factory=dict)


def _references(structured: str, remittance: str) -> list[str]:
    """RF references of an entry: the structured one when it is valid, else those in the free text."""
    compact = rf_normalize(structured)
    if compact:
        return [compact]
    found = rf_find(structured) if structured else []
    return found or rf_find(remittance)


def _orders_by_reference(company_id: int, references: Iterable[str]) -> dict[str, OrderRef]:
    wanted = sorted(set(references))
    found: dict[str, OrderRef] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        for pk, currency, reference in (Order.objects.filter(seller_id=company_id,
                                                             payment_reference__in=wanted[start:start + LOOKUP_CHUNK])
                                        .values_list("pk", "currency", "payment_reference")):
            found[reference] = OrderRef(pk=pk, currency=currency, reference=reference)
    return found


def _known_references(company_id: int, references: list[str]) -> dict[str, StatementEntry]:
    wanted = sorted(set(references))
    known: dict[str, StatementEntry] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        for entry in (StatementEntry.objects.filter(company_id=company_id,
                                                    entry_reference__in=wanted[start:start + LOOKUP_CHUNK])
                      .exclude(outcome=EntryOutcome.DUPLICATE).select_related("statement")
                      .only("pk", "entry_reference", "created_at", "statement__statement_id")):
            known[entry.entry_reference] = entry
    return known


def _text(value: Any, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def _entry_data(statement: BankStatement, position: int, item: Any) -> dict[str, Any]:
    amount = Decimal(item.amount).copy_abs().quantize(CENT, rounding=ROUND_DOWN)
    return {
        "statement": statement, "company_id": statement.company_id, "position": position,
        "entry_reference": _text(item.entry_reference, 100),
        "booking_date": item.booking_date,
        "amount": amount, "currency": _text(item.currency, 3).upper(), "credit": bool(item.credit),
        "remittance": str(item.remittance or "")[:2000],
        "structured_reference": _text(item.structured_reference, 40),
        "counterparty": _text(item.counterparty, 140),
    }


def _payment_note(statement: BankStatement, entry: StatementEntry) -> str:
    return (_("Statement %(statement)s, entry %(entry)s")
            % {"statement": statement.statement_id or statement.pk, "entry": entry.entry_reference})[:300]


def _link_payments(entry: StatementEntry, result_payments: list) -> None:
    through = StatementEntry.payments.through
    through.objects.bulk_create([through(statemententry_id=entry.pk, payment_id=payment.pk)
                                 for payment in result_payments])


def _settle(entry: StatementEntry, results: list[PaymentResult], order_ids: list[int]) -> None:
    """Outcome and amounts of an entry whose money was recorded: matched, partial or over."""
    payments = [payment for result in results for payment in result.payments]
    entry.recorded_amount = sum((payment.amount for payment in payments), ZERO)
    entry.excess = sum((result.excess for result in results), ZERO)
    if entry.excess > 0:
        entry.outcome = EntryOutcome.OVER
        entry.note = _("%(excess)s %(currency)s more than was owed arrived; it is not recorded against the order. "
                       "Refund it to the buyer or agree what it pays for.") % {
            "excess": entry.excess, "currency": entry.currency}
    elif Instalment.objects.filter(pk__in=[payment.instalment_id for payment in payments],
                                   status=InstalmentStatus.PARTLY_PAID).exists():
        # Exact means the transfer settles the instalments it pays (a deposit paid exactly is matched,
        # though the balance is still to come); less leaves one of them partly paid.
        entry.outcome = EntryOutcome.PARTIAL
        entry.note = _("Part of what is owed; the rest is still open.")
    else:
        entry.outcome = EntryOutcome.MATCHED
    _link_payments(entry, payments)


def _pay_one(run: _Run, entry: StatementEntry, order: OrderRef) -> None:
    entry.order_id = order.pk
    if entry.currency != order.currency:
        entry.outcome = EntryOutcome.WRONG_CURRENCY
        entry.note = _("Order %(reference)s is paid in %(order_currency)s; this transfer is in %(currency)s.") % {
            "reference": order.reference, "order_currency": order.currency, "currency": entry.currency}
        return
    try:
        with transaction.atomic():
            result = payment_record(order_id=order.pk, actor=None, role=OrderRole.SYSTEM,
                                    source=PaymentSource.STATEMENT, amount=entry.amount, currency=entry.currency,
                                    reference=entry.entry_reference, note=_payment_note(run.statement, entry),
                                    allow_excess=True)
    except (ApplicationError, Http404) as exc:
        entry.outcome = EntryOutcome.UNMATCHED
        entry.note = (_("Order %(reference)s cannot take this payment: %(reason)s")
                      % {"reference": order.reference,
                         "reason": getattr(exc, "message", "") or _("it no longer exists.")})[:300]
        return
    _settle(entry, [result], [order.pk])


def _owed_by_order(order_ids: list[int]) -> dict[int, Decimal]:
    owed = dict.fromkeys(order_ids, ZERO)
    for order_id, amount in (Instalment.objects.filter(order_id__in=order_ids)
                             .exclude(status=InstalmentStatus.PAID).values("order_id")
                             .annotate(owed=Sum(F("amount") - F("paid_amount"))).values_list("order_id", "owed")):
        owed[order_id] = amount
    return owed


def _pay_several(run: _Run, entry: StatementEntry, orders: list[OrderRef]) -> None:
    """One transfer for several orders: recorded only when it is exactly what they owe together."""
    references = ", ".join(order.reference for order in orders)
    if any(order.currency != entry.currency for order in orders):
        entry.outcome = EntryOutcome.AMBIGUOUS
        entry.note = (_("The transfer names orders %(references)s, not all of them paid in %(currency)s.")
                      % {"references": references, "currency": entry.currency})[:300]
        return
    ids = sorted(order.pk for order in orders)
    try:
        with transaction.atomic():
            # Locked lowest id first, like every other lock of orders, so the amounts owed hold.
            statuses = dict(Order.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
                            .values_list("pk", "status"))
            owed = _owed_by_order(ids)
            total = sum(owed.values(), ZERO)
            payable = all(statuses.get(pk) in PAYABLE_STATUSES and owed[pk] > 0 for pk in ids)
            if not payable or total != entry.amount:
                entry.outcome = EntryOutcome.AMBIGUOUS
                entry.note = (_("The transfer names orders %(references)s, which owe %(owed)s %(currency)s together; "
                                "%(amount)s %(currency)s arrived. Assign it to one order or dismiss it.")
                              % {"references": references, "owed": total, "currency": entry.currency,
                                 "amount": entry.amount})[:300]
                return
            results = [payment_record(order_id=pk, actor=None, role=OrderRole.SYSTEM, source=PaymentSource.STATEMENT,
                                      amount=owed[pk], currency=entry.currency, reference=entry.entry_reference,
                                      note=_payment_note(run.statement, entry), allow_excess=False)
                       for pk in ids]
    except (ApplicationError, Http404) as exc:
        entry.outcome = EntryOutcome.AMBIGUOUS
        entry.note = (_("The transfer names orders %(references)s and could not be recorded: %(reason)s")
                      % {"references": references, "reason": getattr(exc, "message", "")})[:300]
        return
    _settle(entry, results, ids)


def _reconcile(run: _Run, entry: StatementEntry) -> None:
    """Decides the outcome of a new entry and records its payments (inside the entry's transaction)."""
    if not entry.credit:
        entry.outcome = EntryOutcome.DEBIT
        return
    entry.references = _references(entry.structured_reference, entry.remittance)
    if not run.exact.get(entry.position, True):
        entry.outcome = EntryOutcome.UNMATCHED
        entry.note = _("The amount has more than two decimals; record it by hand.")
        return
    orders: list[OrderRef] = []
    for reference in entry.references:
        order = run.orders.get(reference)
        if order is not None and order not in orders:
            orders.append(order)
    entry.orders = [order.pk for order in orders]
    if not orders:
        entry.outcome = EntryOutcome.UNMATCHED
        entry.note = _("No reference of one of your orders was found in this transfer.")
    elif len(orders) == 1:
        _pay_one(run, entry, orders[0])
    else:
        _pay_several(run, entry, orders)


def _duplicate_note(original: StatementEntry) -> str:
    return (_("Already imported with statement %(statement)s on %(date)s; nothing recorded again.") % {
        "statement": original.statement.statement_id or original.statement_id,
        "date": timezone.localdate(original.created_at).isoformat()})[:300]


def _entry_handle(run: _Run, position: int, item: Any) -> None:
    data = _entry_data(run.statement, position, item)
    reference = data["entry_reference"]
    original = run.known.get(reference)
    if original is None:
        try:
            with transaction.atomic():
                entry = StatementEntry.objects.create(outcome=EntryOutcome.UNMATCHED, **data)
                _reconcile(run, entry)
                entry.save(update_fields=["outcome", "references", "orders", "order", "recorded_amount", "excess",
                                          "note"])
            entry.statement = run.statement
            run.known[reference] = entry
            return
        except IntegrityError:
            # Another run took this position, or another statement this bank reference, meanwhile.
            pass
        if StatementEntry.objects.filter(statement=run.statement, position=position).exists():
            return
        original = (StatementEntry.objects.filter(company_id=run.statement.company_id, entry_reference=reference)
                    .exclude(outcome=EntryOutcome.DUPLICATE).select_related("statement").first())
        if original is None:  # the error above was not a duplicate: let the task report it
            raise IntegrityError(f"entry {position} of statement {run.statement.pk} could not be written")
        run.known[reference] = original
    # Written in batches (see _flush_duplicates): a duplicate records nothing, so it needs no
    # transaction of its own; a position another run wrote meanwhile is skipped.
    run.duplicates.append(StatementEntry(outcome=EntryOutcome.DUPLICATE, duplicate_of=original,
                                         note=_duplicate_note(original), **data))


def _flush_duplicates(run: _Run) -> None:
    if run.duplicates:
        StatementEntry.objects.bulk_create(run.duplicates, ignore_conflicts=True)
        run.duplicates = []


def _recount(statement_id: int, **extra: Any) -> None:
    counts = dict.fromkeys(COUNT_FIELDS.values(), 0)
    for outcome, count in (StatementEntry.objects.filter(statement_id=statement_id).values("outcome")
                           .annotate(count=Count("pk")).values_list("outcome", "count")):
        counts[COUNT_FIELDS[outcome]] = count
    BankStatement.objects.filter(pk=statement_id).update(**counts, **extra, updated_at=timezone.now())


def statement_fail(*, statement_id: int) -> BankStatement | None:
    """Marks a statement whose processing broke off on an unexpected error as failed, so its page
    stops waiting; the entries written so far stay."""
    return _fail(statement_id, _("The statement could not be processed to the end. Upload it again: the entries "
                                 "already matched are not recorded twice."))


def _fail(statement_id: int, message: str) -> BankStatement | None:
    BankStatement.objects.filter(pk=statement_id, status=StatementStatus.PROCESSING).update(
        status=StatementStatus.FAILED, error=message[:500], finished_at=timezone.now(), updated_at=timezone.now())
    return BankStatement.objects.filter(pk=statement_id).first()


def statement_process(*, statement_id: int) -> BankStatement | None:
    """Reads a statement and reconciles its entries in file order, one transaction per entry.

    Claims a pending statement or carries on with one being processed; a statement that is done or
    failed is left alone. Entries already written (by an earlier or a parallel run) are skipped,
    so running twice records nothing twice. Progress and counts are saved every
    STATEMENT_PROGRESS_EVERY entries and at the end."""
    now = timezone.now()
    BankStatement.objects.filter(pk=statement_id, status=StatementStatus.PENDING).update(
        status=StatementStatus.PROCESSING, started_at=now, updated_at=now)
    statement = BankStatement.objects.filter(pk=statement_id).first()
    if statement is None or statement.status != StatementStatus.PROCESSING:
        return statement
    try:
        with statement.file.open("rb") as handle:
            content = handle.read(settings.STATEMENT_MAX_BYTES + 1)
    except FileNotFoundError:
        return _fail(statement_id, _("The uploaded file is missing."))
    try:
        parsed = parsers.parse_statement(content)
    except ApplicationError as exc:
        return _fail(statement_id, exc.message)
    entries = list(parsed.entries)
    if len(entries) > settings.STATEMENT_MAX_ENTRIES:
        return _fail(statement_id, _("The statement has more than %(max)d entries; download it for a shorter "
                                     "period.") % {"max": settings.STATEMENT_MAX_ENTRIES})
    for position, item in enumerate(entries, start=1):
        if Decimal(item.amount).copy_abs() > MAX_AMOUNT:
            return _fail(statement_id, _("Entry %(number)d has an amount larger than %(max)s.")
                         % {"number": position, "max": MAX_AMOUNT})
    BankStatement.objects.filter(pk=statement_id).update(
        total_entries=len(entries), statement_id=_text(parsed.statement_id, 100),
        account=_text(parsed.account_iban_or_number, 64), updated_at=timezone.now())
    statement.refresh_from_db()

    references: set[str] = set()
    for item in entries:
        if item.credit:
            references.update(_references(_text(item.structured_reference, 40), str(item.remittance or "")[:2000]))
    run = _Run(statement=statement, orders=_orders_by_reference(statement.company_id, references),
               known=_known_references(statement.company_id, [_text(item.entry_reference, 100) for item in entries]),
               done=set(StatementEntry.objects.filter(statement=statement).values_list("position", flat=True)),
               exact={position: Decimal(item.amount) == Decimal(item.amount).quantize(CENT)
                      for position, item in enumerate(entries, start=1)})
    every = max(1, settings.STATEMENT_PROGRESS_EVERY)
    for position, item in enumerate(entries, start=1):
        if position not in run.done:
            _entry_handle(run, position, item)
        if position % every == 0:
            _flush_duplicates(run)
            _recount(statement_id, processed_entries=Greatest(F("processed_entries"), position))
    _flush_duplicates(run)
    finished = timezone.now()
    _recount(statement_id, processed_entries=len(entries))
    BankStatement.objects.filter(pk=statement_id, status=StatementStatus.PROCESSING).update(
        status=StatementStatus.DONE, finished_at=finished, updated_at=finished)
    return BankStatement.objects.filter(pk=statement_id).first()


# --- review ------------------------------------------------------------------------------------------

def _locked_entry(*, company: Company, statement_id: int | str, entry_id: int | str) -> StatementEntry:
    try:
        statement_pk, entry_pk = int(statement_id), int(entry_id)
    except (TypeError, ValueError):
        raise Http404 from None
    entry = (StatementEntry.objects.select_for_update(of=("self",)).select_related("statement")
             .filter(pk=entry_pk, statement_id=statement_pk, company=company).first())
    if entry is None:
        raise Http404
    return entry


def _settled(entry: StatementEntry) -> Conflict:
    return Conflict(_("This entry is already settled (%(outcome)s); it cannot be changed.")
                    % {"outcome": entry.get_outcome_display()}, code="entry_settled")


def statement_entry_assign(*, actor: User, company_id: int | str, statement_id: int | str, entry_id: int | str,
                           order_id: Any) -> StatementEntry:
    """The seller puts an unmatched, ambiguous or wrong-currency entry against one of its own orders:
    the whole amount is recorded as its payment (more than is owed is kept on the entry as excess)."""
    company = _require_seller_member(actor=actor, company_id=company_id)
    try:
        order_pk = int(str(order_id))
    except (TypeError, ValueError):
        order_pk = 0
    if not 0 < order_pk <= 2_147_483_647:
        raise field_error("order_id", _("Choose one of your orders."))
    with transaction.atomic():
        entry = _locked_entry(company=company, statement_id=statement_id, entry_id=entry_id)
        if entry.outcome not in ASSIGNABLE_OUTCOMES:
            raise _settled(entry)
        order = Order.objects.filter(pk=order_pk, seller=company).values("pk", "currency", "payment_reference").first()
        if order is None:
            raise field_error("order_id", _("Choose one of your orders."))
        if order["currency"] != entry.currency:
            raise field_error("order_id", _("Order %(reference)s is paid in %(order_currency)s; this transfer is in "
                                            "%(currency)s.") % {"reference": order["payment_reference"] or order["pk"],
                                                                "order_currency": order["currency"],
                                                                "currency": entry.currency})
        try:
            result = payment_record(order_id=order_pk, actor=actor, role=OrderRole.SELLER,
                                    source=PaymentSource.STATEMENT, amount=entry.amount, currency=entry.currency,
                                    reference=entry.entry_reference, note=_payment_note(entry.statement, entry),
                                    allow_excess=True)
        except ApplicationError as exc:
            raise type(exc)(exc.message, code=exc.code, status_code=exc.status_code,
                            fields={"order_id": [exc.message]}) from exc
        entry.order_id = order_pk
        entry.orders = [order_pk]
        entry.recorded_amount = sum((payment.amount for payment in result.payments), ZERO)
        entry.excess = result.excess
        entry.outcome = EntryOutcome.OVER if result.excess > 0 else EntryOutcome.ASSIGNED
        entry.note = (_("%(excess)s %(currency)s more than was owed arrived; it is not recorded against the order.")
                      % {"excess": entry.excess, "currency": entry.currency}) if result.excess > 0 else ""
        entry.reviewed_by = actor
        entry.reviewed_at = timezone.now()
        entry.save(update_fields=["order", "orders", "recorded_amount", "excess", "outcome", "note", "reviewed_by",
                                  "reviewed_at"])
        _link_payments(entry, result.payments)
        _recount(entry.statement_id)
    return entry


def statement_entry_dismiss(*, actor: User, company_id: int | str, statement_id: int | str, entry_id: int | str,
                            reason: Any) -> StatementEntry:
    """The seller sets aside an entry that waits for review, saying why (e.g. "refunded the
    excess", "not a payment for an order"). Payments already recorded stay."""
    company = _require_seller_member(actor=actor, company_id=company_id)
    text = " ".join(str(reason or "").split())
    if not text:
        raise field_error("reason", _("Say why you dismiss this entry."))
    if len(text) > MAX_REASON_LENGTH:
        raise field_error("reason", _("Ensure this field has no more than %(max)d characters.")
                          % {"max": MAX_REASON_LENGTH})
    with transaction.atomic():
        entry = _locked_entry(company=company, statement_id=statement_id, entry_id=entry_id)
        if entry.outcome not in DISMISSABLE_OUTCOMES:
            raise _settled(entry)
        entry.outcome = EntryOutcome.DISMISSED
        entry.review_note = text
        entry.reviewed_by = actor
        entry.reviewed_at = timezone.now()
        entry.save(update_fields=["outcome", "review_note", "reviewed_by", "reviewed_at"])
        _recount(entry.statement_id)
    return entry
