"""Messages between a buyer and a seller, on a request for quotation or on an order.

- On a request, each seller has its own thread with the buyer. A member of the buying company
  writes to one seller that may see the request (it may answer it, or it has quoted on it); a
  member of a selling company writes in its company's thread if the company may see the request.
- On an order, the members of its buyer and of its seller write; nobody else reads or writes.
- The body is plain text (no markup), 1 to 5000 characters. The other party's members are told in
  the app, in the transaction that stores the message."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company, User
from accounts.selectors import member_company_ids
from core.exceptions import Forbidden
from core.inputs import field_error
from core.validators import validate_plain_text
from notifications.services import notify

from ..models import Message, MessageThreadRead, Order, Rfq
from ..selectors.rfq import rfq_access, seller_can_see

MAX_BODY = 5000
EXCERPT = 140


def _body(value) -> str:
    body = str(value or "").strip()
    if not body:
        raise field_error("body", _("Write a message."))
    if len(body) > MAX_BODY:
        raise field_error("body", _("Ensure this field has no more than %(max)d characters.") % {"max": MAX_BODY})
    try:
        validate_plain_text(body)
    except ValidationError as exc:
        raise field_error("body", str(exc.messages[0])) from None
    return body


def _seller_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise field_error("seller", _("Give a company id.")) from None


def _excerpt(body: str) -> str:
    return body if len(body) <= EXCERPT else body[:EXCERPT - 1] + "\u2026"


def message_post_rfq(*, actor: User, rfq_id: int, body: str, seller_id: int | None = None) -> Message:
    """Posts in the thread of the request with `seller_id` (required when a member of the buyer
    writes; for a seller, its own company, chosen by `seller_id` when it has several)."""
    rfq = Rfq.objects.select_related("buyer", "category").filter(pk=rfq_id).first()
    if rfq is None or not actor.is_authenticated:
        raise Http404
    access = rfq_access(actor=actor, rfq=rfq)
    if access.is_buyer:
        if seller_id in (None, ""):
            raise field_error("seller", _("Choose the seller you write to."))
        seller_id = _seller_id(seller_id)
        if not seller_can_see(seller_id=seller_id, rfq=rfq):
            raise field_error("seller", _("This company has not seen your request."), code="seller_not_concerned")
        company, seller, other = rfq.buyer, seller_id, Company.objects.get(pk=seller_id)
    elif access.seller_ids:
        if seller_id in (None, ""):
            seller = access.seller_ids[0]
        else:
            seller = _seller_id(seller_id)
            if seller not in access.seller_ids:
                raise Forbidden(_("You are not a member of this company."))
        company, other = Company.objects.get(pk=seller), rfq.buyer
    else:
        raise Http404
    text = _body(body)
    with transaction.atomic():
        message = Message.objects.create(rfq=rfq, seller_id=seller, author=actor, company=company, body=text)
        notify(event="message.posted", company=other, context={
            "message_id": message.pk, "rfq_id": rfq.pk, "rfq_title": rfq.title, "order_id": None,
            "company_name": company.legal_name, "excerpt": _excerpt(text)})
    return message


def message_post_order(*, actor: User, order_id: int, body: str) -> Message:
    """Posts on an order, for its buyer when the author is a member of it, else for its seller."""
    order = Order.objects.select_related("buyer", "seller").filter(pk=order_id).first()
    if order is None or not actor.is_authenticated:
        raise Http404
    companies = member_company_ids(actor=actor, company_ids=[order.buyer_id, order.seller_id])
    if order.buyer_id in companies:
        company, other = order.buyer, order.seller
    elif order.seller_id in companies:
        company, other = order.seller, order.buyer
    else:
        raise Http404
    text = _body(body)
    with transaction.atomic():
        message = Message.objects.create(order=order, seller=order.seller, author=actor, company=company, body=text)
        notify(event="message.posted", company=other, context={
            "message_id": message.pk, "rfq_id": None, "rfq_title": "", "order_id": order.pk,
            "company_name": company.legal_name, "excerpt": _excerpt(text)})
    return message


def message_thread_mark_read(*, user: User, message: Message) -> None:
    """Marks the thread of `message` read for `user` up to that message (the newest one the user
    was shown). The caller has already read the thread for the user, so the user may see it.

    Two queries whatever the state: the mark is made if missing (a concurrent maker wins, the unique
    constraints keep one mark per person and thread), then moved forward if it is behind; it never
    moves back, so a page rendered earlier and answered later does not unread newer messages."""
    if not user.is_authenticated:
        return
    if message.order_id is not None:
        thread = {"order_id": message.order_id, "rfq_id": None, "seller_id": None}
    else:
        thread = {"order_id": None, "rfq_id": message.rfq_id, "seller_id": message.seller_id}
    now = timezone.now()
    MessageThreadRead.objects.bulk_create(
        [MessageThreadRead(user=user, last_read_message_id=message.pk, last_read_at=now, **thread)],
        ignore_conflicts=True)
    MessageThreadRead.objects.filter(user=user, last_read_message_id__lt=message.pk, **thread).update(
        last_read_message_id=message.pk, last_read_at=now)
