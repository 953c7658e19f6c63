"""The review notifications: a review posted (to the seller's members), the seller's reply (to the
buyer's members), a moderator hiding a review (to both companies, with the reason) and a report of
a review (to the moderators).

Registered from ReviewsConfig.ready() into the notifications registry; the review services call
the *_notify functions inside the transaction that records the change, so a change that rolls back
tells no one. The company that acted gets posted and replied events on its webhooks too (not by
e-mail or in the app: its people made the move); every event names its actor."""
from __future__ import annotations

from datetime import UTC

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.events import COMPANY_MEMBERS, MODERATORS, DeliverySkipped, EventType, page_path, register
from notifications.models import Channel
from notifications.services import notify, notify_webhooks
from notifications.webhooks import actor_data

from .models import Review, ReviewReport

REVIEW_POSTED = "review.posted"
REVIEW_REPLIED = "review.replied"
REVIEW_HIDDEN = "review.hidden"
REVIEW_REPORTED = "review.reported"

BUYER = "buyer"
SELLER = "seller"
MODERATOR = "moderator"


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else ""


def review_context(*, review: Review, party: str, actor: dict) -> dict:
    """What the recipients see and the webhooks receive: ids, the ratings, the texts and who acted."""
    return {
        "review_id": review.pk,
        "order_id": review.order_id,
        "buyer_id": review.buyer_id,
        "buyer_name": review.buyer.legal_name,
        "seller_id": review.seller_id,
        "seller_name": review.seller.legal_name,
        "product": review.product,
        "communication": review.communication,
        "shipping": review.shipping,
        "comment": review.comment,
        "reply": review.reply,
        "created_at": _iso(review.created_at),
        "replied_at": _iso(review.replied_at),
        "hidden": review.hidden_at is not None,
        "hidden_reason": review.hidden_reason,
        "party": party,
        "actor": actor,
    }


def _order_path(context: dict) -> str:
    return page_path("frontend:order_detail", context["order_id"])


def _review_email_context(summary):
    def build(context: dict) -> dict:
        review = Review.objects.select_related("buyer", "seller").filter(pk=context["review_id"]).first()
        if review is None:
            raise DeliverySkipped("the review no longer exists")
        return {"review": review, "summary": summary(context), "reason": context.get("hidden_reason", ""),
                "path": _order_path(context)}
    return build


# --- review.posted ---------------------------------------------------------------------------------

def _posted_summary(context: dict) -> str:
    return _("%(buyer)s reviewed order %(number)s: product %(product)s, communication %(communication)s, "
             "shipping %(shipping)s out of 5.") % {
        "buyer": context["buyer_name"], "number": context["order_id"], "product": context["product"],
        "communication": context["communication"], "shipping": context["shipping"]}


register(EventType(
    name=REVIEW_POSTED,
    label=gettext_lazy("A buyer reviewed my company"),
    summary=_posted_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="reviews/email/review_event",
    email_context=_review_email_context(_posted_summary),
    link=_order_path,
))


def review_posted_notify(*, review: Review) -> None:
    actor = actor_data(company=review.buyer, user=review.author, role=BUYER)
    notify(event=REVIEW_POSTED, company=review.seller, context=review_context(review=review, party=SELLER,
                                                                               actor=actor))
    notify_webhooks(event=REVIEW_POSTED, company=review.buyer,
                    context=review_context(review=review, party=BUYER, actor=actor))


# --- review.replied --------------------------------------------------------------------------------

def _replied_summary(context: dict) -> str:
    return _("%(seller)s replied to your review of order %(number)s.") % {
        "seller": context["seller_name"], "number": context["order_id"]}


register(EventType(
    name=REVIEW_REPLIED,
    label=gettext_lazy("A seller replied to my company's review"),
    summary=_replied_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="reviews/email/review_event",
    email_context=_review_email_context(_replied_summary),
    link=_order_path,
))


def review_replied_notify(*, review: Review) -> None:
    actor = actor_data(company=review.seller, user=review.replied_by, role=SELLER)
    notify(event=REVIEW_REPLIED, company=review.buyer, context=review_context(review=review, party=BUYER,
                                                                               actor=actor))
    notify_webhooks(event=REVIEW_REPLIED, company=review.seller,
                    context=review_context(review=review, party=SELLER, actor=actor))


# --- review.hidden ---------------------------------------------------------------------------------

def _hidden_summary(context: dict) -> str:
    return _("A moderator hid the review of order %(number)s (%(buyer)s about %(seller)s): %(reason)s") % {
        "number": context["order_id"], "buyer": context["buyer_name"], "seller": context["seller_name"],
        "reason": context["hidden_reason"]}


register(EventType(
    name=REVIEW_HIDDEN,
    label=gettext_lazy("A moderator hid a review by or about my company"),
    summary=_hidden_summary,
    audience=COMPANY_MEMBERS,
    webhook=True,
    email_template="reviews/email/review_event",
    email_context=_review_email_context(_hidden_summary),
    link=_order_path,
))


def review_hidden_notify(*, review: Review, moderator) -> None:
    actor = actor_data(user=moderator, role=MODERATOR)
    for party, company in ((BUYER, review.buyer), (SELLER, review.seller)):
        notify(event=REVIEW_HIDDEN, company=company, context=review_context(review=review, party=party, actor=actor))


# --- review.reported (moderators) ------------------------------------------------------------------

def _reported_summary(context: dict) -> str:
    return _("A review of %(seller)s (order %(number)s) was reported: %(reason)s") % {
        "seller": context["seller_name"], "number": context["order_id"], "reason": context["reason"]}


def _reported_email_context(context: dict) -> dict:
    report = ReviewReport.objects.filter(pk=context["report_id"]).values("resolved_at").first()
    if report is None or report["resolved_at"] is not None:
        raise DeliverySkipped("the report was withdrawn or already resolved")
    return {"summary": _reported_summary(context), "reason": context["reason"],
            "path": page_path("frontend:review_moderation")}


register(EventType(
    name=REVIEW_REPORTED,
    label=gettext_lazy("A review was reported (moderators)"),
    summary=_reported_summary,
    channels=frozenset({Channel.EMAIL, Channel.IN_APP}),
    audience=MODERATORS,
    email_template="reviews/email/review_reported",
    email_context=_reported_email_context,
    link=lambda context: page_path("frontend:review_moderation"),
))


def review_reported_notify(*, report: ReviewReport) -> None:
    review = report.review
    notify(event=REVIEW_REPORTED, context={
        "report_id": report.pk, "review_id": review.pk, "order_id": review.order_id,
        "seller_id": review.seller_id, "seller_name": review.seller.legal_name, "reason": report.reason,
        "actor": actor_data(company=report.company, user=report.reporter, role="reporter")})
