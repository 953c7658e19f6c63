"""The inbox: every message thread of the actor's companies, on orders and on requests for
quotation, newest first, with the number of messages the actor has not read.

A thread is the messages of one order, or of one request with one seller. Its unread messages are
those the other party wrote after the actor's own read mark (MessageThreadRead): each member of a
company reads for themselves, and what colleagues write is not unread. A company sees only the
threads it is a party to: a request's buyer sees all its threads, a seller only its own."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from accounts.selectors import Actor

from ..models import Message, MessageThreadRead

ORDER = "order"
RFQ = "rfq"


@dataclass(frozen=True)
class InboxThread:
    kind: str  # ORDER or RFQ
    order_id: int | None
    rfq_id: int | None
    seller_id: int
    subject: str  # the order number or the request's title
    other_party: Company
    last_message: Message
    unread: int

    @property
    def last_at(self) -> datetime:
        return self.last_message.created_at


def _company_ids(actor: Actor):
    return Membership.objects.filter(user=actor).values("company_id")


def _visible(company_ids) -> Q:
    """Messages of the threads the companies are a party to."""
    return Q(seller_id__in=company_ids) | Q(order__buyer_id__in=company_ids) | Q(rfq__buyer_id__in=company_ids)


def _unread(actor: Actor, company_ids) -> Q:
    """A message the other party wrote that the actor's read mark of its thread does not cover."""
    read = MessageThreadRead.objects.filter(user=actor, last_read_message_id__gte=OuterRef("pk")).filter(
        Q(order_id=OuterRef("order_id"))
        | Q(rfq_id=OuterRef("rfq_id"), seller_id=OuterRef("seller_id")))
    return ~Q(company_id__in=company_ids) & ~Q(Exists(read))


def inbox_unread_count(*, actor: Actor) -> int:
    """One query: the messages of all the actor's threads the actor has not read."""
    if not actor.is_authenticated:
        return 0
    companies = Subquery(_company_ids(actor))
    return Message.objects.filter(_visible(companies)).filter(_unread(actor, companies)).count()


def inbox_thread_list(*, actor: Actor) -> QuerySet:
    """The actor's threads as rows of order_id, rfq_id, seller_id, last_id (the newest message's id)
    and unread, newest first; page them, then pass a page to `inbox_threads`. One query (a paginator
    adds the count)."""
    if not actor.is_authenticated:
        return Message.objects.none().values("order_id")
    companies = Subquery(_company_ids(actor))
    return (Message.objects.filter(_visible(companies))
            .values("order_id", "rfq_id", "seller_id")
            .annotate(last_id=Max("pk"), unread=Count("pk", filter=_unread(actor, companies)))
            .order_by("-last_id"))


def inbox_threads(*, actor: Actor, rows) -> list[InboxThread]:
    """The threads of rows from `inbox_thread_list`, with their newest message, subject and the other
    party. Two queries whatever the number of rows."""
    rows = list(rows)
    if not rows:
        return []
    mine = set(_company_ids(actor).values_list("company_id", flat=True))
    last = Message.objects.select_related("company", "author", "order__buyer", "order__seller", "rfq__buyer",
                                          "seller").in_bulk([row["last_id"] for row in rows])
    threads = []
    for row in rows:
        message = last[row["last_id"]]
        if message.order_id is not None:
            order = message.order
            other = order.seller if order.buyer_id in mine else order.buyer
            threads.append(InboxThread(kind=ORDER, order_id=order.pk, rfq_id=None, seller_id=order.seller_id,
                                       subject=_("Order %(number)s") % {"number": order.pk}, other_party=other, last_message=message,
                                       unread=row["unread"]))
        else:
            rfq = message.rfq
            other = message.seller if rfq.buyer_id in mine else rfq.buyer
            threads.append(InboxThread(kind=RFQ, order_id=None, rfq_id=rfq.pk, seller_id=message.seller_id,
                                       subject=rfq.title, other_party=other, last_message=message,
                                       unread=row["unread"]))
    return threads
