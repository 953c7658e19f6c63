"""The notifications of requests for quotation, quotes and messages.

- rfq.quote_received: a seller quoted on (or revised its quote on) a request; to the buyer's members.
- rfq.quote_accepted: the buyer accepted a quote and the order is placed; to the seller's members.
- message.posted: a message on a request or an order; to the other party's members, in the app.

Imported from OrdersConfig.ready(); the services call notifications.services.notify() inside the
transaction that makes the change."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.events import COMPANY_MEMBERS, EventType, page_path, register
from notifications.models import Channel

QUOTE_RECEIVED = "rfq.quote_received"
QUOTE_ACCEPTED = "rfq.quote_accepted"
MESSAGE_POSTED = "message.posted"


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

register(EventType(
    name=MESSAGE_POSTED,
    label=gettext_lazy("A message from a buyer or a seller"),
    summary=_message_summary,
    channels=frozenset({Channel.IN_APP}),
    audience=COMPANY_MEMBERS,
    link=_message_link,
))
