"""The order notifications: who is told of a placed order and of every later move, and how.

Both events are mandatory (nobody can switch them off), go out by e-mail and in the app in each
recipient's language, and may be sent to the companies' webhooks. `order_parties_notify()` is called
by the order services inside the transaction that records the move, so a move that rolls back tells
no one.

Who is told: a placed order goes to the seller's members; a buyer's move to the seller's, a
seller's move to the buyer's, and a move of a moderator or of the system to both companies (one
event per company, so each company's webhooks get their own copy). The company that moved gets the
event on its webhooks too (not by e-mail or in the app: its people made the move), so its systems
can follow the order from webhooks alone; every event names its actor."""
from __future__ import annotations

from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.events import COMPANY_MEMBERS, DeliverySkipped, EventType, page_path, register
from notifications.models import Channel
from notifications.services import notify, notify_webhooks
from notifications.webhooks import actor_data

from ..models import Instalment, Order, OrderEvent, OrderRole, OrderStatus

ORDER_PLACED = "order.placed"
ORDER_STATUS_CHANGED = "order.status_changed"
INSTALMENT_OVERDUE = "order.instalment_overdue"

BUYER = "buyer"
SELLER = "seller"


def _status_label(value: str) -> str:
    return str(OrderStatus(value).label) if value in OrderStatus.values else value


def _placed_summary(context: dict) -> str:
    return _("%(buyer)s placed order %(number)s.") % {"buyer": context["buyer_name"], "number": context["order_id"]}


def _status_summary(context: dict) -> str:
    return _("Order %(number)s (%(buyer)s buying from %(seller)s) is now: %(status)s.") % {
        "number": context["order_id"], "buyer": context["buyer_name"], "seller": context["seller_name"],
        "status": _status_label(context["to_status"])}


def _email_context(context: dict) -> dict:
    """The order and its move as they are when the e-mail goes out."""
    move = (OrderEvent.objects.select_related("order", "order__buyer", "order__seller")
            .filter(pk=context["order_event_id"], order_id=context["order_id"]).first())
    if move is None:
        raise DeliverySkipped("the order no longer exists")
    order = move.order
    return {"order": order, "move": move, "buyer": order.buyer, "seller": order.seller,
            "order_path": _order_path(context)}


def _email_sent(context: dict, sent_at: datetime) -> None:
    OrderEvent.objects.filter(pk=context["order_event_id"], sent_at__isnull=True).update(sent_at=sent_at)


def _order_path(context: dict) -> str:
    return page_path("frontend:order_detail", context["order_id"])


COMMON = {
    "channels": frozenset({Channel.EMAIL, Channel.IN_APP}),
    "mandatory": True,
    "audience": COMPANY_MEMBERS,
    "webhook": True,
    "email_template": "orders/email/order_event",
    "email_context": _email_context,
    "on_email_sent": _email_sent,
    "link": _order_path,
}

register(EventType(
    name=ORDER_PLACED,
    label=gettext_lazy("A buyer placed an order with my company"),
    summary=_placed_summary,
    **COMMON,
))

register(EventType(
    name=ORDER_STATUS_CHANGED,
    label=gettext_lazy("An order of my company changed status"),
    summary=_status_summary,
    **COMMON,
))


def _told_parties(move: OrderEvent) -> list[str]:
    """The seller for a placed order; else the other party of the one who moved, and both for a
    moderator's or the system's move."""
    role = move.role
    if not move.from_status or role == OrderRole.BUYER:
        return [SELLER]
    if role == OrderRole.SELLER:
        return [BUYER]
    return [BUYER, SELLER]


def _actor_party(move: OrderEvent) -> str | None:
    """The side of the company that made the move, None for a moderator or the system."""
    return {OrderRole.BUYER: BUYER, OrderRole.SELLER: SELLER}.get(move.role)


def order_event_context(*, order: Order, move: OrderEvent, party: str) -> dict:
    """What the recipients see and the webhooks receive as the event's data: ids, statuses, the
    role that moved and who (`actor`), the reason and the time. Nothing secret (no payment or
    account details)."""
    acting = _actor_party(move)
    company = order.buyer if acting == BUYER else order.seller if acting == SELLER else None
    return {
        "order_id": order.pk,
        "order_event_id": move.pk,
        "from_status": move.from_status,
        "to_status": move.to_status,
        "role": move.role,
        "reason": move.reason,
        "at": move.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "party": party,
        "buyer_id": order.buyer_id,
        "buyer_name": order.buyer.legal_name,
        "seller_id": order.seller_id,
        "seller_name": order.seller.legal_name,
        "actor": actor_data(company=company, user=move.actor, role=move.role),
    }


def order_parties_notify(*, order: Order, move: OrderEvent) -> None:
    """Tells the parties concerned of one order move, and the mover's own webhooks, in the caller's
    transaction."""
    name = ORDER_STATUS_CHANGED if move.from_status else ORDER_PLACED
    told = _told_parties(move)
    for party in told:
        company = order.seller if party == SELLER else order.buyer
        notify(event=name, company=company, context=order_event_context(order=order, move=move, party=party))
    acting = _actor_party(move)
    if acting is not None and acting not in told:
        company = order.seller if acting == SELLER else order.buyer
        notify_webhooks(event=name, company=company,
                        context=order_event_context(order=order, move=move, party=acting))


# --- an instalment past its due date ---------------------------------------------------------------

def _overdue_summary(context: dict) -> str:
    return _("Payment of %(amount)s %(currency)s for order %(number)s (%(buyer)s buying from %(seller)s) was due on "
             "%(date)s and is not fully paid: %(outstanding)s %(currency)s is still owed to the seller.") % {
        "amount": context["amount"], "currency": context["currency"], "number": context["order_id"],
        "buyer": context["buyer_name"], "seller": context["seller_name"], "date": context["due_date"],
        "outstanding": context["outstanding"]}


def _overdue_email_context(context: dict) -> dict:
    instalment = (Instalment.objects.select_related("order", "order__buyer", "order__seller")
                  .filter(pk=context["instalment_id"], order_id=context["order_id"]).first())
    if instalment is None:
        raise DeliverySkipped("the order no longer exists")
    order = instalment.order
    return {"order": order, "instalment": instalment, "buyer": order.buyer, "seller": order.seller,
            "order_path": _order_path(context), "summary": _overdue_summary(context)}


register(EventType(
    name=INSTALMENT_OVERDUE,
    label=gettext_lazy("A payment of an order of my company is overdue"),
    summary=_overdue_summary,
    channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
    mandatory=True,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="orders/email/instalment_overdue",
    email_context=_overdue_email_context,
    link=_order_path,
))


def instalment_overdue_notify(*, instalment: Instalment) -> None:
    """Tells both companies that an instalment is overdue, in the caller's transaction."""
    order = instalment.order
    context = {
        "order_id": order.pk, "instalment_id": instalment.pk, "sequence": instalment.sequence,
        "amount": str(instalment.amount), "outstanding": str(instalment.outstanding), "currency": instalment.currency,
        "due_date": instalment.due_date.isoformat() if instalment.due_date else "",
        "payment_reference": order.payment_reference,
        "buyer_id": order.buyer_id, "buyer_name": order.buyer.legal_name,
        "seller_id": order.seller_id, "seller_name": order.seller.legal_name,
    }
    for party in (BUYER, SELLER):
        company = order.seller if party == SELLER else order.buyer
        notify(event=INSTALMENT_OVERDUE, company=company, context={**context, "party": party})
