"""Writes for reviews: a buyer rates the seller after a completed order, the seller replies once,
members report a review and moderators hide it (with a recorded reason), show it again or dismiss
its reports.

Every write that changes what counts keeps the seller's SellerRating row in step in the same
transaction, under a lock of that row; each write tells the parties through the notification outbox
in its transaction (reviews/events.py).

Suspension: a suspended buying company cannot post a review (it is a trading move). A suspended
seller may still reply to a review: the reply is its side of a public statement about it, the same
way a suspended company may still finish what it owes (accounts.selectors.company_require_not_suspended
with making_whole)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import (
    company_require_not_suspended,
    is_member,
    user_primary_membership,
    user_require_verified_email,
)
from core.exceptions import ApplicationError, Conflict, Forbidden
from core.inputs import field_error
from orders.models import Order, OrderStatus
from orders.selectors.orders import order_visible_id

from . import events
from .selectors import review_get_for_party
from .models import (
    RATING_FIELDS,
    RATING_MAX,
    RATING_MIN,
    Review,
    ReviewDecision,
    ReviewReport,
    SellerRating,
)

THREE_PLACES = Decimal("0.001")


# --- the seller's rating ------------------------------------------------------------------------------

def _mean(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(THREE_PLACES, rounding=ROUND_HALF_UP)


def seller_rating_refresh(*, seller_id: int) -> SellerRating:
    """Counts the seller's visible reviews again into its SellerRating row, under a lock of the row,
    in the caller's transaction (hidden reviews count for nothing)."""
    with transaction.atomic():
        rating, _created = SellerRating.objects.select_for_update().get_or_create(seller_id=seller_id)
        sums = Review.objects.filter(seller_id=seller_id, hidden_at__isnull=True).aggregate(
            count=Count("pk"), product=Avg("product"), communication=Avg("communication"),
            shipping=Avg("shipping"))
        rating.review_count = sums["count"]
        for name in RATING_FIELDS:
            setattr(rating, name, _mean(sums[name]))
        if sums["count"]:
            total = sum(Decimal(str(sums[name])) for name in RATING_FIELDS)
            rating.average = (total / 3).quantize(THREE_PLACES, rounding=ROUND_HALF_UP)
        else:
            rating.average = None
        rating.save()
    return rating


# --- input ---------------------------------------------------------------------------------------------

def _ratings(values: dict[str, Any]) -> dict[str, int]:
    """Each rating as a whole number from 1 to 5; a 400 naming every field that is not."""
    message = _("Give a whole number from 1 to 5.")
    ratings, errors = {}, {}
    for field, value in values.items():
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 3:
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not RATING_MIN <= value <= RATING_MAX:
            errors[field] = [message]
        else:
            ratings[field] = value
    if errors:
        raise ApplicationError(message, code="validation_error", fields=errors)
    return ratings


def _clean(instance, fields: list[str]) -> None:
    """Runs the model's field checks (length, no markup) on `fields`; a 400 naming them otherwise."""
    exclude = [f.name for f in instance._meta.fields if f.name not in fields]
    try:
        for name in fields:  # a TextField's max_length bounds the form, not clean_fields()
            limit = instance._meta.get_field(name).max_length
            if limit:
                try:
                    MaxLengthValidator(limit)(getattr(instance, name))
                except ValidationError as exc:
                    raise ValidationError({name: exc.messages}) from None
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        errors = {name: list(messages) for name, messages in exc.message_dict.items()}
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, code="validation_error", fields=errors) from exc


def _reason(value: Any, field: str = "reason") -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise field_error(field, _("Give the reason."))
    return text


# --- post -----------------------------------------------------------------------------------------------

def review_post(*, actor: User, order_id: int, product: Any, communication: Any, shipping: Any,
                comment: str = "") -> Review:
    """The buying company rates the seller of one completed order, once.

    404 for an order the actor may not see; 403 for a member of the seller (nobody rates their own
    company) or for someone who is not a member of the buyer; 409 while the order is not completed
    and for a second review of the order (also when two are posted at once: the one-to-one key
    decides)."""
    order_id = order_visible_id(actor=actor, pk=order_id)
    ratings = _ratings({"product": product, "communication": communication, "shipping": shipping})
    order = Order.objects.select_related("buyer", "seller").get(pk=order_id)
    if is_member(actor=actor, company_id=order.seller_id):
        raise Forbidden(_("You cannot review your own company."), code="own_company")
    if not is_member(actor=actor, company_id=order.buyer_id):
        raise Forbidden(_("Only the buying company can review this order."))
    user_require_verified_email(actor=actor)
    company_require_not_suspended(company=order.buyer)
    if order.status != OrderStatus.COMPLETED:
        raise Conflict(_("You can review an order once it is completed."), code="order_not_completed")
    if comment is not None and not isinstance(comment, str):
        raise field_error("comment", _("Give text here."))
    review = Review(order=order, buyer=order.buyer, seller=order.seller, author=actor,
                    comment=(comment or "").strip(), **ratings)
    _clean(review, ["comment"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                review.save()
        except IntegrityError as exc:
            raise Conflict(_("This order has already been reviewed."), code="already_reviewed") from exc
        seller_rating_refresh(seller_id=order.seller_id)
        events.review_posted_notify(review=review)
    return review


# --- reply ----------------------------------------------------------------------------------------------

def review_reply(*, actor: User, review_id: int, text: str) -> Review:
    """The seller answers a review once. 404 for a review the actor may not see; 403 for anyone but
    a member of the seller; 409 when the review already has a reply (two replies at once: the
    conditional update lets one through)."""
    review = review_get_for_party(actor=actor, pk=review_id)
    if not is_member(actor=actor, company_id=review.seller_id):
        raise Forbidden(_("Only the reviewed company can reply."))
    user_require_verified_email(actor=actor)
    if not isinstance(text, str) or not text.strip():
        raise field_error("reply", _("Write your reply."))
    review.reply = text.strip()
    _clean(review, ["reply"])
    now = timezone.now()
    with transaction.atomic():
        updated = Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(
            reply=review.reply, replied_by=actor, replied_at=now)
        if not updated:
            raise Conflict(_("This review already has a reply."), code="already_replied")
        review.refresh_from_db()
        events.review_replied_notify(review=review)
    return review


# --- report ---------------------------------------------------------------------------------------------

def review_report(*, actor: User, review: Review, reason: str) -> ReviewReport:
    """A signed-in member of a company other than the review's author company reports a visible
    review, once while the report is open; the moderators are told in the report's transaction."""
    if is_member(actor=actor, company_id=review.buyer_id):
        raise Forbidden(_("You cannot report your own company's review."), code="own_company")
    if review.hidden_at is not None:
        raise Conflict(_("This review is already hidden."), code="already_hidden")
    membership = user_primary_membership(user=actor)
    if membership is None:
        raise Forbidden(_("Only members of a company can report reviews."))
    report = ReviewReport(review=review, reporter=actor, company=membership.company,
                          reason=_reason(reason))
    _clean(report, ["reason"])
    with transaction.atomic():
        # A moderator hiding the review at this moment resolves its open reports: wait for the
        # decision, and add no report to a review that has just been hidden.
        if _locked_review(review.pk).hidden_at is not None:
            raise Conflict(_("This review is already hidden."), code="already_hidden")
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError as exc:
            raise Conflict(_("You have already reported this review."), code="duplicate_report") from exc
        events.review_reported_notify(report=report)
    return report


# --- moderation -----------------------------------------------------------------------------------------

def _moderator_required(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_moderator):
        raise Forbidden(_("Only moderators can do that."))


def _locked_review(review_id: int) -> Review:
    review = Review.objects.select_for_update(of=("self",)).select_related("order", "buyer", "seller").filter(
        pk=review_id).first()
    if review is None:
        raise Http404
    return review


def _resolve_reports(*, review: Review, actor: User, decision: str, now) -> int:
    return ReviewReport.objects.filter(review=review, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=actor, decision=decision)


def review_hide(*, actor: User, review_id: int, reason: str) -> Review:
    """A moderator hides a review with a reason: it leaves the public lists and the seller's
    average, its open reports are resolved, the decision is kept, and both companies are told."""
    _moderator_required(actor)
    reason = _reason(reason)
    probe = ReviewDecision(reason=reason)
    _clean(probe, ["reason"])
    now = timezone.now()
    with transaction.atomic():
        review = _locked_review(review_id)
        if review.hidden_at is not None:
            raise Conflict(_("This review is already hidden."), code="already_hidden")
        review.hidden_at, review.hidden_by, review.hidden_reason = now, actor, reason
        review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        ReviewDecision.objects.create(review=review, action=ReviewDecision.Action.HIDE, reason=reason,
                                      moderator=actor)
        _resolve_reports(review=review, actor=actor, decision=ReviewDecision.Action.HIDE, now=now)
        seller_rating_refresh(seller_id=review.seller_id)
        events.review_hidden_notify(review=review, moderator=actor)
    return review


def review_unhide(*, actor: User, review_id: int, reason: str = "") -> Review:
    """A moderator shows a hidden review again (it counts again); the decision is kept."""
    _moderator_required(actor)
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    _clean(ReviewDecision(reason=reason), ["reason"])
    with transaction.atomic():
        review = _locked_review(review_id)
        if review.hidden_at is None:
            raise Conflict(_("This review is not hidden."), code="not_hidden")
        review.hidden_at, review.hidden_by, review.hidden_reason = None, None, ""
        review.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        ReviewDecision.objects.create(review=review, action=ReviewDecision.Action.UNHIDE, reason=reason,
                                      moderator=actor)
        seller_rating_refresh(seller_id=review.seller_id)
    return review


def review_reports_dismiss(*, actor: User, review_id: int) -> int:
    """A moderator leaves a reported review visible: its open reports are resolved as dismissed.
    Returns how many were; 409 when none was open."""
    _moderator_required(actor)
    now = timezone.now()
    with transaction.atomic():
        review = _locked_review(review_id)
        resolved = _resolve_reports(review=review, actor=actor, decision=ReviewDecision.Action.DISMISS, now=now)
        if not resolved:
            raise Conflict(_("This review has no open report."), code="no_open_report")
        ReviewDecision.objects.create(review=review, action=ReviewDecision.Action.DISMISS, moderator=actor)
    return resolved

