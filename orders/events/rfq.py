"""The notifications of requests for quotation, quotes and messages.

- rfq.invited: a buyer sent a request to named sellers; to each invited seller's members.
- rfq.quote_received: a seller quoted on (or revised its quote on) a request; to the buyer's members.
- rfq.quote_accepted: the buyer accepted a quote and the order is placed; to the seller's members.
- rfq.quote_rejected: the buyer accepted another quote; to each seller whose live quote it rejected.
- rfq.closed: the deadline passed or the buyer withdrew the request; to the sellers with a live
  quote, and to the buyer's members when the deadline closed it.
- message.posted: a message on a request or an order; to the other party's members, in the app.

The company that made a move gets its event on its webhooks too (notify_webhooks), so its systems
can follow a request from webhooks alone; each event names its actor. Imported from
OrdersConfig.ready(); the services call the *_notify() functions below inside the transaction that
makes the change."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from notifications.events import COMPANY_MEMBERS, EventType, page_path, register
from notifications.models import Channel
from notifications.services import notify, notify_webhooks
from notifications.webhooks import actor_data

RFQ_INVITED = "rfq.invited"
QUOTE_RECEIVED = "rfq.quote_received"
QUOTE_ACCEPTED = "rfq.quote_accepted"
QUOTE_REJECTED = "rfq.quote_rejected"
RFQ_CLOSED = "rfq.closed"
MESSAGE_POSTED = "message.posted"
BUYER = "buyer"
SELLER = "seller"
CLOSED_AT_DEADLINE = "deadline"
CLOSED_BY_BUYER = "cancelled"


def _rfq_path(context: dict) -> str:
    return page_path("frontend:rfq_detail", context["rfq_id"]) if context.get("rfq_id") else ""


def _quote_received_summary(context: dict) -> str:
    if context.get("revised"):
        return _("%(seller)s revised its quote on %(title)s: %(price)s %(currency)s per unit.") % {
            "seller": context["seller_name"], "title": context["rfq_title"], "price": context["unit_price"],
            "currency": context["currency"]}
    return _("%(seller)s quoted on %(title)s: %(price)s %(currency)s per unit.") % {
        "seller": context["seller_name"], "title": context["rfq_title"], "price": context["unit_price"],
        "currency": context["currency"]}


def _quote_accepted_summary(context: dict) -> str:
    return _("%(buyer)s accepted your quote on %(title)s; order %(order)s is placed.") % {
        "buyer": context["buyer_name"], "title": context["rfq_title"], "order": context["order_id"]}


def _email_context(summary):
    def build(context: dict) -> dict:
        return {"summary": summary(context), "title": context["rfq_title"], "path": _rfq_path(context)}
    return build


def _message_summary(context: dict) -> str:
    if context.get("rfq_id"):
        return _("New message from %(company)s about %(title)s: %(excerpt)s") % {
            "company": context["company_name"], "title": context["rfq_title"], "excerpt": context["excerpt"]}
    return _("New message from %(company)s about order %(order)s: %(excerpt)s") % {
        "company": context["company_name"], "order": context["order_id"], "excerpt": context["excerpt"]}


def _message_link(context: dict) -> str:
    if context.get("rfq_id"):
        return _rfq_path(context)
    return page_path("frontend:order_detail", context["order_id"])


register(EventType(
    name=QUOTE_RECEIVED,
    label=gettext_lazy("A seller quoted on one of my company's requests for quotation"),
    summary=_quote_received_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="orders/email/rfq_quote_received",
    email_context=_email_context(_quote_received_summary),
    link=_rfq_path,
))

register(EventType(
    name=QUOTE_ACCEPTED,
    label=gettext_lazy("A buyer accepted one of my company's quotes"),
    summary=_quote_accepted_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="orders/email/rfq_quote_accepted",
    email_context=_email_context(_quote_accepted_summary),
    link=_rfq_path,
))

def _invited_summary(context: dict) -> str:
    return _("%(buyer)s asks your company for a quote: %(title)s.") % {
        "buyer": context["buyer_name"], "title": context["rfq_title"]}


def _rejected_summary(context: dict) -> str:
    return _("%(buyer)s accepted another quote on %(title)s; your quote was not chosen.") % {
        "buyer": context["buyer_name"], "title": context["rfq_title"]}


def _closed_summary(context: dict) -> str:
    if context.get("reason") == CLOSED_BY_BUYER:
        return _("%(buyer)s withdrew the request for quotation %(title)s.") % {
            "buyer": context["buyer_name"], "title": context["rfq_title"]}
    return _("The request for quotation %(title)s reached its deadline and is closed.") % {
        "title": context["rfq_title"]}


register(EventType(
    name=RFQ_INVITED,
    label=gettext_lazy("A buyer asked my company for a quote"),
    summary=_invited_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=COMPANY_MEMBERS,
    webhook=True,
    link=_rfq_path,
))

register(EventType(
    name=QUOTE_REJECTED,
    label=gettext_lazy("A buyer chose another seller's quote over my company's"),
    summary=_rejected_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=COMPANY_MEMBERS,
    webhook=True,
    link=_rfq_path,
))

register(EventType(
    name=RFQ_CLOSED,
    label=gettext_lazy("A request for quotation my company takes part in closed"),
    summary=_closed_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=COMPANY_MEMBERS,
    webhook=True,
    link=_rfq_path,
))

register(EventType(
    name=MESSAGE_POSTED,
    label=gettext_lazy("A message from a buyer or a seller"),
    summary=_message_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=COMPANY_MEMBERS,
    link=_message_link,
    group_summary=lambda count, context: ngettext(
        "%(count)d new message", "%(count)d new messages", count) % {"count": count},
))


# --- telling the parties -------------------------------------------------------------------------

def rfq_context(*, rfq, party: str, actor_company=None, actor=None, role: str = "system", **extra) -> dict:
    """What an RFQ event carries: the request, the side of the receiving company, who moved."""
    return {"rfq_id": rfq.pk, "rfq_title": rfq.title, "buyer_id": rfq.buyer_id, "buyer_name": rfq.buyer.legal_name,
            "party": party, "actor": actor_data(company=actor_company, user=actor, role=role), **extra}


def rfq_invited_notify(*, rfq, sellers, actor) -> None:
    """Each invited seller learns of the request."""
    for seller in sellers:
        notify(event=RFQ_INVITED, company=seller,
               context=rfq_context(rfq=rfq, party=SELLER, actor_company=rfq.buyer, actor=actor, role=BUYER))


def quote_received_notify(*, quote, rfq, revised: bool, actor) -> None:
    """The buyer's members learn of a new or revised quote; the seller's webhooks of its own move."""
    extra = {"quote_id": quote.pk, "seller_id": quote.seller_id, "seller_name": quote.seller.legal_name,
             "unit_price": str(quote.unit_price), "currency": quote.currency, "revised": revised}
    moved = {"actor_company": quote.seller, "actor": actor, "role": SELLER}
    notify(event=QUOTE_RECEIVED, company=rfq.buyer, context=rfq_context(rfq=rfq, party=BUYER, **moved, **extra))
    notify_webhooks(event=QUOTE_RECEIVED, company=quote.seller,
                    context=rfq_context(rfq=rfq, party=SELLER, **moved, **extra))


def quote_decided_notify(*, rfq, accepted, order, rejected, actor) -> None:
    """The accepted seller, each rejected seller, and the buyer's own webhooks learn of the choice."""
    moved = {"actor_company": rfq.buyer, "actor": actor, "role": BUYER}
    accepted_extra = {"quote_id": accepted.pk, "order_id": order.pk}
    notify(event=QUOTE_ACCEPTED, company=accepted.seller,
           context=rfq_context(rfq=rfq, party=SELLER, **moved, **accepted_extra))
    notify_webhooks(event=QUOTE_ACCEPTED, company=rfq.buyer,
                    context=rfq_context(rfq=rfq, party=BUYER, **moved, **accepted_extra))
    for quote in rejected:
        notify(event=QUOTE_REJECTED, company=quote.seller,
               context=rfq_context(rfq=rfq, party=SELLER, **moved, quote_id=quote.pk))


def rfq_closed_notify(*, rfq, reason: str, quoted_sellers, actor=None) -> None:
    """The sellers with a live quote learn that the request closed. The buyer's members learn it when
    the deadline closed it; when the buyer withdrew it, only the buyer's webhooks do."""
    if actor is None:
        moved = {"role": "system"}
    else:
        moved = {"actor_company": rfq.buyer, "actor": actor, "role": BUYER}
    for seller in quoted_sellers:
        notify(event=RFQ_CLOSED, company=seller, context=rfq_context(rfq=rfq, party=SELLER, reason=reason, **moved))
    context = rfq_context(rfq=rfq, party=BUYER, reason=reason, **moved)
    if actor is None:
        notify(event=RFQ_CLOSED, company=rfq.buyer, context=context)
    else:
        notify_webhooks(event=RFQ_CLOSED, company=rfq.buyer, context=context)
