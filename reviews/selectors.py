"""Reads of reviews. Each takes the acting user, so no query forgets its tenant.

Public lists show visible reviews only; moderators also see hidden ones with the reason. The
parties of an order (its buyer's and seller's members) see their own review even when it is
hidden, with the moderator's reason."""
from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Min, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404

from accounts.models import Company, Membership
from accounts.selectors import Actor, company_get, is_member
from orders.selectors.orders import order_visible_id

from .models import Review, ReviewDecision, ReviewReport, SellerRating


def _is_moderator(actor: Actor) -> bool:
    return bool(actor.is_authenticated and actor.is_moderator)


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def review_for_order(*, actor: Actor, order_id: int | str) -> Review | None:
    """The review of an order the actor may see (404 otherwise), or None while there is none."""
    order_id = order_visible_id(actor=actor, pk=order_id)
    return Review.objects.select_related("buyer", "seller", "author", "replied_by").filter(order_id=order_id).first()


def review_of_order(*, order) -> Review | None:
    """The review of an order already read for the actor (orders.selectors.order_get), or None."""
    return Review.objects.select_related("buyer", "seller").filter(order_id=order.pk).first()


def review_list_for_seller(*, actor: Actor, seller: Company) -> QuerySet[Review]:
    """The seller's reviews, newest first: visible ones for everyone, hidden ones too for
    moderators. Buyer and reply in the same query."""
    qs = Review.objects.filter(seller=seller).select_related("buyer")
    if not _is_moderator(actor):
        qs = qs.filter(hidden_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def seller_rating_get(*, seller_id: int) -> SellerRating | None:
    """The seller's average and count; None while nobody reviewed it."""
    return SellerRating.objects.filter(seller_id=seller_id).first()


def reviews_reportable(*, actor: Actor, reviews: list[Review]) -> set[int]:
    """The ids of the reviews on the list the actor may report: signed in, a member of a company,
    and not a member of the review's author company. One query, whatever the number of reviews."""
    if not actor.is_authenticated or not reviews:
        return set()
    memberships = set(Membership.objects.filter(user=actor).values_list("company_id", flat=True))
    if not memberships:
        return set()
    return {review.pk for review in reviews if review.buyer_id not in memberships}


def review_get_for_party(*, actor: Actor, pk: int | str) -> Review:
    """A review of an order the actor may see (its buyer's and seller's members, moderators), hidden
    or not; 404 otherwise."""
    review = Review.objects.select_related("order", "buyer", "seller").filter(pk=_int(pk)).first()
    if review is None:
        raise Http404
    order_visible_id(actor=actor, pk=review.order_id)
    return review


def review_get_visible(*, actor: Actor, pk: int | str) -> Review:
    """A review the actor may see: a visible one of a company the actor may see; hidden ones for
    moderators and the order's parties. 404 otherwise."""
    review = Review.objects.select_related("buyer", "seller").filter(pk=_int(pk)).first()
    if review is None:
        raise Http404
    company_get(actor=actor, pk=review.seller_id)
    if review.hidden_at is not None and not (
            _is_moderator(actor) or is_member(actor=actor, company_id=review.buyer_id)
            or is_member(actor=actor, company_id=review.seller_id)):
        raise Http404
    return review


def review_report_list(*, actor: Actor) -> QuerySet[ReviewReport]:
    """Open reports of reviews, oldest first, with the review and who reported (moderators only)."""
    if not _is_moderator(actor):
        return ReviewReport.objects.none()
    return (ReviewReport.objects.filter(resolved_at__isnull=True)
            .select_related("review", "review__buyer", "review__seller", "reporter", "company")
            .order_by("created_at", "pk"))


# --- moderators' dashboard -----------------------------------------------------------------------

def review_report_queue_size(*, actor: Actor) -> tuple[int, datetime | None]:
    """Open reports of reviews: how many, and since when the oldest waits. Moderators only."""
    if not _is_moderator(actor):
        return 0, None
    figures = ReviewReport.objects.filter(resolved_at__isnull=True).aggregate(n=Count("pk"), oldest=Min("created_at"))
    return figures["n"], figures["oldest"]


def review_decisions_per_day(*, actor: Actor, since: datetime) -> dict[date, int]:
    """How many decisions moderators took on reviews each day since `since` (hidden, shown again,
    reports dismissed); days without any are left out. Moderators only."""
    if not _is_moderator(actor):
        return {}
    rows = (ReviewDecision.objects.filter(created_at__gte=since).annotate(day=TruncDate("created_at"))
            .values("day").annotate(n=Count("pk")).order_by())
    return {row["day"]: row["n"] for row in rows}
