"""Money owed to the seller: the payment terms a seller offers, the schedule an order gets when it is
placed, payments recorded against its instalments, due dates as the order moves, and reminders of
overdue instalments.

Rules:
- A seller offers terms (orders.payment_terms); with none, it offers 100% in advance. Net terms are
  offered only to buyers the seller trusts.
- A payment is in the order currency, more than zero, and put against the open instalments oldest
  first (or the one named). More than what is still owed is refused (400 amount_over_due) unless the
  caller allows it (a bank statement: the money has arrived), in which case the excess is returned
  for the caller to flag, never recorded against the order.
- When everything due before shipment is paid, an accepted order moves to paid through the one
  transition function, in the same transaction, as the recording role (the seller, or the system for
  a statement).
- An overdue instalment is reminded of once: the beat task claims it with one conditional UPDATE.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, CompanyKind, User
from accounts.selectors import company_is_suspended, is_member, member_company_ids
from core.exceptions import Conflict, Forbidden
from core.inputs import field_error
from payments.models import iban_display
from payments.references import rf_reference_for_order
from payments.selectors import bank_account_for_payment

from ..events.orders import instalment_overdue_notify
from ..locks import lock_order
from ..models import (
    DUE_BEFORE_SHIPMENT,
    Instalment,
    InstalmentDue,
    InstalmentStatus,
    Order,
    OrderRole,
    OrderStatus,
    Payment,
    PaymentMethod,
    PaymentSource,
    SellerPaymentTerm,
    TrustedBuyer,
)
from ..payment_terms import Terms, due_date, due_before_shipment, schedule, terms_from_code
from ..selectors import payment_terms_can_change
from ..transitions import ORDER_FLOW, SUSPENDED_MAY

CENT = Decimal("0.01")
MAX_PAYMENT = Decimal("999999999999.99")
# States in which the seller may record money it received.
PAYABLE_STATUSES = frozenset({OrderStatus.ACCEPTED, OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED,
                              OrderStatus.DISPUTED, OrderStatus.RESOLVED, OrderStatus.COMPLETED})
MAX_TERMS_PER_SELLER = 10


# --- terms a seller offers ------------------------------------------------------------------------------

def _require_seller_admin(*, actor: User, seller: Company) -> None:
    """Owners of a selling company set its payment terms and whom it trusts with net terms."""
    if not is_member(actor=actor, company_id=seller.pk):
        raise Forbidden(_("Only members of the selling company can do that."))
    if not payment_terms_can_change(actor=actor, seller=seller):
        raise Forbidden(_("Only owners of the company can change its payment terms."))
    if not seller.sells:
        raise Forbidden(_("Only a company that sells can offer payment terms."), code="not_a_seller")


def payment_term_add(*, actor: User, seller: Company, code: str) -> SellerPaymentTerm:
    """Offers terms by code ("advance", "deposit_30", "letter_of_credit", "net_60"). Offering terms
    the seller already offers returns them (409 is not useful here)."""
    _require_seller_admin(actor=actor, seller=seller)
    terms = terms_from_code(code)
    if terms is None:
        raise field_error("code", _("Choose 100% in advance, a deposit of 1 to 99%, a letter of credit, or net 1 to "
                                    "180 days."))
    live = SellerPaymentTerm.objects.filter(seller=seller, archived_at__isnull=True)
    existing = live.filter(kind=terms.kind, deposit_percent=terms.deposit_percent, net_days=terms.net_days).first()
    if existing is not None:
        return existing
    if live.count() >= MAX_TERMS_PER_SELLER:
        raise field_error("code", _("A seller offers at most %(max)d payment terms; withdraw one first.")
                          % {"max": MAX_TERMS_PER_SELLER})
    try:
        with transaction.atomic():
            return SellerPaymentTerm.objects.create(seller=seller, kind=terms.kind,
                                                    deposit_percent=terms.deposit_percent, net_days=terms.net_days)
    except IntegrityError:
        return live.get(kind=terms.kind, deposit_percent=terms.deposit_percent, net_days=terms.net_days)


def payment_term_withdraw(*, actor: User, seller: Company, term_id: int) -> None:
    """Stops offering terms; orders that chose them keep them."""
    _require_seller_admin(actor=actor, seller=seller)
    updated = SellerPaymentTerm.objects.filter(pk=term_id, seller=seller, archived_at__isnull=True).update(
        archived_at=timezone.now())
    if not updated:
        raise Http404


def trusted_buyer_set(*, actor: User, seller: Company, buyer_id: int, trusted: bool) -> bool:
    """Marks a buying company as trusted (net terms) or not. Returns the new state."""
    _require_seller_admin(actor=actor, seller=seller)
    if buyer_id == seller.pk:
        raise field_error("buyer", _("A company cannot trust itself with net terms."))
    if not Company.objects.filter(pk=buyer_id, kind__in=[CompanyKind.BUYER, CompanyKind.BOTH]).exists():
        raise field_error("buyer", _("There is no buying company with this id."))
    if trusted:
        TrustedBuyer.objects.get_or_create(seller=seller, buyer_id=buyer_id, defaults={"added_by": actor})
    else:
        TrustedBuyer.objects.filter(seller=seller, buyer_id=buyer_id).delete()
    return trusted


# --- the schedule of a new order ------------------------------------------------------------------------

def order_schedule_create(*, order: Order, terms: Terms) -> None:
    """Writes the order's terms, schedule, payment reference and the account to pay into. Called once,
    in the transaction that places the order."""
    planned = schedule(terms, order.invoice_total)
    Instalment.objects.bulk_create([Instalment(order=order, sequence=item.sequence, due=item.due, amount=item.amount,
                                               currency=order.currency) for item in planned])
    account = bank_account_for_payment(seller_id=order.seller_id, currency=order.currency)
    order.payment_terms = terms.kind
    order.deposit_percent = terms.deposit_percent or None
    order.net_days = terms.net_days or None
    order.due_before_shipment = due_before_shipment(planned)
    order.payment_reference = rf_reference_for_order(order.pk)
    order.pay_to = _account_snapshot(account)
    order.save(update_fields=["payment_terms", "deposit_percent", "net_days", "due_before_shipment",
                              "payment_reference", "pay_to"])


def _account_snapshot(account) -> dict[str, str]:
    if account is None:
        return {}
    return {"account_id": account.pk, "label": account.label, "account_holder": account.account_holder,
            "iban": account.iban, "account_number": account.account_number, "bic": account.bic,
            "bank_name": account.bank_name, "bank_country": str(account.bank_country),
            "currency": account.currency}


def pay_to_display(order: Order) -> dict[str, str]:
    """The account to pay into as a page or a document shows it: the IBAN in groups of four."""
    account = dict(order.pay_to or {})
    if account.get("iban"):
        account["iban"] = iban_display(account["iban"])
    return account


def order_terms(order: Order) -> Terms:
    return Terms(kind=order.payment_terms, deposit_percent=order.deposit_percent or 0, net_days=order.net_days or 0)


def instalments_stamp_due_dates(*, order: Order, to_status: str, now: datetime) -> None:
    """Gives the instalments whose event has just happened their due date. One UPDATE at most."""
    dues = {OrderStatus.ACCEPTED: InstalmentDue.ON_ACCEPTANCE, OrderStatus.SHIPPED: InstalmentDue.ON_DOCUMENTS,
            OrderStatus.DELIVERED: InstalmentDue.AFTER_DELIVERY}
    due = dues.get(to_status)
    if due is None:
        return
    today = timezone.localdate(now)
    day = due_date(due=due, terms=order_terms(order), accepted=today, shipped=today, delivered=today)
    Instalment.objects.filter(order=order, due=due, due_date__isnull=True).update(due_date=day)


# --- recording payments ---------------------------------------------------------------------------------

@dataclass
class PaymentResult:
    order: Order
    payments: list[Payment] = field(default_factory=list)
    excess: Decimal = Decimal("0.00")
    moved_to_paid: bool = False


def _amount(value: Any) -> Decimal:
    if value in (None, ""):
        raise field_error("amount", _("This field is required."))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise field_error("amount", _("Enter an amount such as 1250.00.")) from None
    if not number.is_finite() or number <= 0 or number > MAX_PAYMENT or number != number.quantize(CENT):
        raise field_error("amount", _("Enter an amount greater than 0 with at most two decimals."))
    return number.quantize(CENT)


def _check_recorder(order: Order, actor: User | None, role: str) -> None:
    if role == OrderRole.SYSTEM:
        if actor is not None:
            raise Forbidden(_("Only the system takes this move."))
        return
    if role != OrderRole.SELLER or actor is None or not actor.is_authenticated:
        raise Forbidden(_("Only members of the selling company can record payments."))
    if order.seller_id not in member_company_ids(actor=actor, company_ids=[order.seller_id]):
        raise Forbidden(_("Only members of the selling company can record payments."))


def payment_record(*, order_id: int, actor: User | None, amount: Any, currency: str | None = None,
                   reference: str = "", method: str = PaymentMethod.BANK_TRANSFER, instalment_id: int | None = None,
                   role: str = OrderRole.SELLER, source: str = PaymentSource.MANUAL, note: str = "",
                   allow_excess: bool = False) -> PaymentResult:
    """Records money the seller received for the order (see the module's rules). Locks the order;
    nothing is written unless all of it succeeds."""
    from .flow import order_transition  # the flow module records payments through this one too

    amount = _amount(amount)
    reference = str(reference or "").strip()
    if not reference:
        raise field_error("reference", _("Give the reference shown on the bank transfer."))
    if len(reference) > 100:
        raise field_error("reference", _("Ensure this field has no more than 100 characters."))
    if method not in PaymentMethod.values:
        raise field_error("method", _("Choose bank transfer, letter of credit or card."))
    note = str(note or "").strip()[:300]
    with transaction.atomic():
        try:
            order = lock_order(order_id)
        except Order.DoesNotExist:
            raise Http404 from None
        _check_recorder(order, actor, role)
        code = str(currency or order.currency).strip().upper()
        if code != order.currency:
            raise field_error("currency", _("This order is paid in %(currency)s.") % {"currency": order.currency},
                              code="currency_mismatch")
        if order.status not in PAYABLE_STATUSES:
            raise Conflict(_("Payments can be recorded once the seller has accepted the order; it is %(status)s.")
                           % {"status": order.get_status_display()}, code="invalid_transition")
        open_items = list(Instalment.objects.select_for_update().filter(order=order).exclude(
            status=InstalmentStatus.PAID).order_by("sequence"))
        instalments = open_items
        if instalment_id is not None:
            instalments = [item for item in open_items if item.pk == instalment_id]
            if not instalments:
                raise field_error("instalment", _("This order has no open instalment with this id."))
        owed = sum((item.outstanding for item in instalments), Decimal("0.00"))
        if amount > owed and not allow_excess:
            if owed == 0:
                message = _("Nothing more is owed on this order.")
            else:
                message = _("At most %(owed)s %(currency)s is still owed; you entered %(amount)s %(currency)s.") % {
                    "owed": owed, "currency": order.currency, "amount": amount}
            raise field_error("amount", message, code="amount_over_due")

        now = timezone.now()
        left = amount
        result = PaymentResult(order=order)
        for item in instalments:
            if left <= 0:
                break
            part = min(left, item.outstanding)
            left -= part
            item.paid_amount += part
            item.status = InstalmentStatus.PAID if item.paid_amount == item.amount else InstalmentStatus.PARTLY_PAID
            item.save(update_fields=["paid_amount", "status"])
            result.payments.append(Payment.objects.create(
                order=order, instalment=item, reference=reference, amount=part, currency=order.currency,
                method=method, source=source, note=note, recorded_by=actor, created_at=now))
        result.excess = left
        paid_now = amount - left
        if paid_now:
            Order.objects.filter(pk=order.pk).update(amount_paid=F("amount_paid") + paid_now)
            order.amount_paid += paid_now
        # Everything due before shipment is paid once none of those instalments is still open.
        covered = order.due_before_shipment > 0 and all(
            item.status == InstalmentStatus.PAID for item in open_items if item.due in DUE_BEFORE_SHIPMENT)
        if order.status == OrderStatus.ACCEPTED and covered:
            result.order = order_transition(
                order_id=order.pk, actor=actor, role=role, to_status=OrderStatus.PAID,
                payload={"payments": [p.pk for p in result.payments], "reference": reference,
                         "amount": str(paid_now), "currency": order.currency, "method": method})
            result.moved_to_paid = True
    return result


def before_shipment_outstanding(order: Order) -> Decimal:
    """What the buyer still owes the seller before shipment. One query."""
    rows = Instalment.objects.filter(order=order, due__in=sorted(DUE_BEFORE_SHIPMENT)).values_list(
        "amount", "paid_amount")
    return sum((amount - paid for amount, paid in rows), Decimal("0.00"))


# --- overdue reminders ----------------------------------------------------------------------------------

def instalments_remind_overdue(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Reminds both parties, once, of each instalment past its due date and not fully paid. Safe to
    run twice or in parallel: each reminder is claimed by one conditional UPDATE."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = list(Instalment.objects.filter(due_date__lt=today, reminded_at__isnull=True)
               .exclude(status=InstalmentStatus.PAID)
               .exclude(order__status__in=[OrderStatus.CANCELLED, OrderStatus.REFUSED])
               .order_by("due_date", "pk").values_list("pk", flat=True)[:batch_size])
    sent = 0
    for pk in due:
        with transaction.atomic():
            claimed = Instalment.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue
            instalment = Instalment.objects.select_related("order", "order__buyer", "order__seller").get(pk=pk)
            instalment_overdue_notify(instalment=instalment)
            sent += 1
    return sent


def instalment_is_overdue(instalment: Instalment, *, today=None) -> bool:
    today = today or timezone.localdate()
    return (instalment.status != InstalmentStatus.PAID and instalment.due_date is not None
            and instalment.due_date < today)


def payment_recordable(order: Order) -> bool:
    """The seller may record a payment now: the order is accepted or later and not fully paid."""
    return order.status in PAYABLE_STATUSES and order.amount_paid < order.invoice_total


def shipping_allowed(order: Order) -> bool:
    """The payment terms let the seller ship: paid, or accepted with nothing due before shipment."""
    return order.status == OrderStatus.PAID or (order.status == OrderStatus.ACCEPTED and order.due_before_shipment <= 0)


def order_moves_available(order: Order, roles: set[str]) -> set[tuple[str, str]]:
    """(role, target state) pairs a viewer acting in `roles` may take now: the transition table's
    moves, less shipping while the payment terms want money first, and with the seller's "paid"
    move (recording a payment) whenever money is still owed, in any state after acceptance. The API
    and the pages ask this one function."""
    moves = {(role, to) for role in roles for to in ORDER_FLOW.targets(order.status, role)}
    moves = {(role, to) for role, to in moves
             if to != OrderStatus.PAID and (to != OrderStatus.SHIPPED or shipping_allowed(order))}
    if OrderRole.SELLER in roles and payment_recordable(order):
        moves.add((OrderRole.SELLER, OrderStatus.PAID))
    # A suspended party keeps only the moves that make the other party whole (recording a payment
    # the buyer made is one of them, whenever it is recordable).
    kept = {(role, to) for _frm, to, role in SUSPENDED_MAY if _frm == order.status} | {
        (OrderRole.SELLER, OrderStatus.PAID)}
    for role, company in ((OrderRole.BUYER, order.buyer), (OrderRole.SELLER, order.seller)):
        if role in roles and company_is_suspended(company=company):
            moves = {move for move in moves if move[0] != role or move in kept}
    return moves
