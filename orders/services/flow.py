"""Order moves. One function takes every move: it locks the order, checks the move against the
table in orders/transitions.py, applies the move's side effects, stamps the time, writes the event
and the parties' notifications (orders/events.py), all in one transaction. The named services
below only fill in the role and the details of their move.

Choices:
- The seller (or the statement reconciliation, as the system) records payments against the order's
  instalments (services/payments.py); once everything due before shipment is paid the order moves
  accepted -> paid. Under terms with nothing due before shipment (letter of credit, net days) the
  seller ships an accepted order directly.
- A dispute is resolved by a moderator who is not a member of either company, with a refund of
  zero up to the amount paid, or none.
- A buyer may open a dispute until ORDER_DISPUTE_WINDOW_DAYS after delivery; after that the order
  completes on its own.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, User
from accounts.selectors import company_require_not_suspended, member_company_ids, user_require_verified_email
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.inputs import field_error
from core.statemachine import MoveNotAllowed, ReasonRequired

from ..events.orders import order_parties_notify
from ..hooks import order_event_recorded
from ..locks import lock_order, stock_give_back
from ..models import Order, OrderEvent, OrderRole, OrderStatus, PaymentMethod
from ..transitions import ORDER_FLOW, STOCK_RELEASING, SUSPENDED_MAY, TIMESTAMP_FIELD
from .payments import before_shipment_outstanding, instalments_stamp_due_dates, payment_record

S = OrderStatus
R = OrderRole
MAX_DOCUMENTS = 20


def _check_actor(order: Order, actor: User | None, role: str) -> None:
    if role == R.SYSTEM:
        if actor is not None:
            raise Forbidden(_("Only the system takes this move."))
        return
    if role not in R.values or actor is None or not actor.is_authenticated:
        raise Forbidden(_("You cannot move this order."))
    companies = member_company_ids(actor=actor, company_ids=[order.buyer_id, order.seller_id])
    if role == R.BUYER and order.buyer_id not in companies:
        raise Forbidden(_("Only members of the buying company can do that."))
    if role == R.SELLER and order.seller_id not in companies:
        raise Forbidden(_("Only members of the selling company can do that."))
    if role == R.MODERATOR:
        if not actor.is_moderator:
            raise Forbidden(_("Only moderators can do that."))
        if companies:
            raise Forbidden(_("A moderator cannot decide on an order of their own company."))


def _only(payload: dict[str, Any], allowed: tuple[str, ...] = ()) -> None:
    unknown = sorted(set(payload) - set(allowed))
    if unknown:
        raise ApplicationError(_("This field cannot be set."), code="validation_error",
                               fields={key: [_("This field cannot be set.")] for key in unknown})


def _no_details(order: Order, payload: dict[str, Any], *, now, actor: User | None) -> dict[str, Any]:
    _only(payload)
    return {}


def _amount(field: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error(field, _("Enter an amount.")) from None
    if not number.is_finite() or number < 0 or number != number.quantize(Decimal("0.01")):
        raise field_error(field, _("Enter an amount of at least 0 with at most two decimals."))
    return number.quantize(Decimal("0.01"))


def _text(payload: dict[str, Any], field: str, *, max_length: int, required: bool = True) -> str:
    value = str(payload.get(field) or "").strip()
    if required and not value:
        raise field_error(field, _("This field is required."))
    if len(value) > max_length:
        raise field_error(field, _("Ensure this field has no more than %(max)d characters.") % {"max": max_length})
    return value


def _pay(order: Order, payload: dict[str, Any], *, now, actor: User | None) -> dict[str, Any]:
    """The paid move records no money itself: payment_record does, and takes this move once
    everything due before shipment is paid."""
    _only(payload, ("payments", "reference", "amount", "currency", "method"))
    outstanding = before_shipment_outstanding(order)
    if order.due_before_shipment <= 0 or outstanding > 0:
        raise Conflict(_("%(amount)s %(currency)s is still owed before shipment; record the payment first.")
                       % {"amount": outstanding, "currency": order.currency}, code="payment_outstanding")
    return dict(payload)


def _ship(order: Order, payload: dict[str, Any], *, now, actor: User | None) -> dict[str, Any]:
    _only(payload, ("carrier", "tracking_number", "documents"))
    if order.status == S.ACCEPTED and order.due_before_shipment > 0:
        raise Conflict(_("%(amount)s %(currency)s is due before shipment under the payment terms; it must be paid "
                         "first.") % {"amount": before_shipment_outstanding(order), "currency": order.currency},
                       code="payment_outstanding")
    carrier = _text(payload, "carrier", max_length=100)
    tracking = _text(payload, "tracking_number", max_length=100)
    documents = payload.get("documents") or []
    if isinstance(documents, str) or not isinstance(documents, (list, tuple)) or len(documents) > MAX_DOCUMENTS:
        raise field_error("documents", _("Give at most %(max)d document names.") % {"max": MAX_DOCUMENTS})
    cleaned = []
    for document in documents:
        name = str(document or "").strip()
        if not name or len(name) > 200:
            raise field_error("documents", _("Each document name has 1 to 200 characters."))
        cleaned.append(name)
    order.carrier, order.tracking_number, order.shipping_documents = carrier, tracking, cleaned
    return {"carrier": carrier, "tracking_number": tracking, "documents": cleaned}


def _dispute(order: Order, payload: dict[str, Any], *, now, actor: User | None) -> dict[str, Any]:
    _only(payload)
    window = timedelta(days=settings.ORDER_DISPUTE_WINDOW_DAYS)
    if order.delivered_at is not None and now - order.delivered_at > window:
        raise Conflict(_("Disputes can be opened up to %(days)d days after delivery.")
                       % {"days": settings.ORDER_DISPUTE_WINDOW_DAYS}, code="dispute_window_closed")
    return {}


def _resolve(order: Order, payload: dict[str, Any], *, now, actor: User | None) -> dict[str, Any]:
    _only(payload, ("refund_amount",))
    refund = payload.get("refund_amount")
    if refund in (None, ""):
        order.refund_amount = None
        return {"refund_amount": None}
    amount = _amount("refund_amount", refund)
    paid = order.amount_paid
    if amount > paid:
        raise field_error("refund_amount", _("The refund cannot be more than the %(paid)s %(currency)s paid.")
                          % {"paid": paid, "currency": order.currency}, code="refund_too_large")
    order.refund_amount = amount
    return {"refund_amount": str(amount), "currency": order.currency}


EFFECTS = {S.PAID: _pay, S.SHIPPED: _ship, S.DISPUTED: _dispute, S.RESOLVED: _resolve}
EXTRA_FIELDS = {S.SHIPPED: ["carrier", "tracking_number", "shipping_documents"], S.RESOLVED: ["refund_amount"]}


def order_transition(*, order_id: int, actor: User | None, to_status: str, role: str, reason: str = "",
                     payload: dict[str, Any] | None = None, from_status: str | None = None) -> Order:
    """Moves the order to `to_status` acting as `role` ("system" has no actor).

    403 when the actor cannot act in that role on this order; 409 invalid_transition when the table
    has no such move for the role from the order's current state (or the state is not `from_status`
    when given: the timed moves use it to skip orders that moved meanwhile); 400 for a missing
    reason or bad details. Nothing is written unless the whole move succeeds."""
    payload = dict(payload or {})
    reason = (reason or "").strip()
    with transaction.atomic():
        try:
            order = lock_order(order_id)
        except Order.DoesNotExist:
            raise Http404 from None
        _check_actor(order, actor, role)
        current = order.status
        if from_status is not None and current != from_status:
            raise Conflict(_("The order is %(status)s now.") % {"status": order.get_status_display()},
                           code="invalid_transition")
        try:
            ORDER_FLOW.check(from_status=current, to_status=to_status, role=role, reason=reason)
        except ReasonRequired as exc:
            raise field_error("reason", _("A reason is required for this decision.")) from exc
        except MoveNotAllowed as exc:
            raise Conflict(str(exc), code="invalid_transition") from exc
        if role in (R.BUYER, R.SELLER):
            party = Company.objects.get(pk=order.buyer_id if role == R.BUYER else order.seller_id)
            making_whole = (current, to_status, role) in SUSPENDED_MAY
            company_require_not_suspended(company=party, making_whole=making_whole)
            if not making_whole:
                user_require_verified_email(actor=actor)
        if len(reason) > 2000:
            raise field_error("reason", _("Ensure this field has no more than 2000 characters."))

        now = timezone.now()
        details = EFFECTS.get(to_status, _no_details)(order, payload, now=now, actor=actor)
        if to_status in STOCK_RELEASING:
            quantities: dict[int, int] = {}
            for listing_id, quantity in order.lines.filter(listing__isnull=False).values_list("listing_id",
                                                                                               "quantity"):
                quantities[listing_id] = quantities.get(listing_id, 0) + quantity
            stock_give_back(quantities)
            details = {**details, "stock_released": {str(k): v for k, v in sorted(quantities.items())}}

        stamp = TIMESTAMP_FIELD[to_status]
        order.status = to_status
        setattr(order, stamp, now)
        order.save(update_fields=["status", stamp, "updated_at", *EXTRA_FIELDS.get(to_status, [])])
        instalments_stamp_due_dates(order=order, to_status=to_status, now=now)
        event = OrderEvent.objects.create(order=order, actor=actor, role=role, from_status=current,
                                          to_status=to_status, reason=reason, payload=details, created_at=now)
        order_parties_notify(order=order, move=event)
        order_event_recorded(order_id=order.pk, seller_id=order.seller_id, event_id=event.pk)
    return order


def _party_role(order_id: int, actor: User) -> str:
    """Buyer when the actor is a member of the buying company, else seller when of the selling one."""
    order = Order.objects.filter(pk=order_id).values("buyer_id", "seller_id").first()
    if order is None:
        raise Http404
    companies = member_company_ids(actor=actor, company_ids=[order["buyer_id"], order["seller_id"]])
    if order["buyer_id"] in companies:
        return R.BUYER
    if order["seller_id"] in companies:
        return R.SELLER
    raise Forbidden(_("Only the buyer or the seller can do that."))


def order_accept(*, order_id: int, actor: User) -> Order:
    return order_transition(order_id=order_id, actor=actor, to_status=S.ACCEPTED, role=R.SELLER)


def order_refuse(*, order_id: int, actor: User, reason: str = "") -> Order:
    return order_transition(order_id=order_id, actor=actor, to_status=S.REFUSED, role=R.SELLER, reason=reason)


def order_cancel(*, order_id: int, actor: User, reason: str = "", role: str | None = None) -> Order:
    """The buyer cancels a placed or accepted order, the seller an accepted one (a reason is needed
    once the order is accepted). Without `role`, a member of both companies acts as the buyer."""
    role = role or _party_role(order_id, actor)
    return order_transition(order_id=order_id, actor=actor, to_status=S.CANCELLED, role=role, reason=reason)


def order_mark_paid(*, order_id: int, actor: User, reference: str = "", amount: Decimal | str | None = None,
                    method: str = "", currency: str | None = None, instalment: int | None = None) -> Order:
    """The seller records a payment it received; the order moves to paid once everything due before
    shipment is paid (see services/payments.py)."""
    return payment_record(order_id=order_id, actor=actor, amount=amount, currency=currency, reference=reference,
                          method=method or PaymentMethod.BANK_TRANSFER, instalment_id=instalment).order


def order_ship(*, order_id: int, actor: User, carrier: str = "", tracking_number: str = "",
               documents: list[str] | None = None) -> Order:
    return order_transition(order_id=order_id, actor=actor, to_status=S.SHIPPED, role=R.SELLER,
                            payload={"carrier": carrier, "tracking_number": tracking_number,
                                     "documents": list(documents or [])})


def order_confirm_delivery(*, order_id: int, actor: User) -> Order:
    return order_transition(order_id=order_id, actor=actor, to_status=S.DELIVERED, role=R.BUYER)


def order_complete(*, order_id: int, actor: User) -> Order:
    return order_transition(order_id=order_id, actor=actor, to_status=S.COMPLETED, role=R.BUYER)


def order_dispute(*, order_id: int, actor: User, reason: str = "") -> Order:
    return order_transition(order_id=order_id, actor=actor, to_status=S.DISPUTED, role=R.BUYER, reason=reason)


def order_resolve(*, order_id: int, actor: User, reason: str = "", refund_amount: Decimal | str | None = None) -> Order:
    return order_transition(order_id=order_id, actor=actor, to_status=S.RESOLVED, role=R.MODERATOR, reason=reason,
                            payload={"refund_amount": refund_amount})
