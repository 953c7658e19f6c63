"""Shared by the review tests."""
from __future__ import annotations

from reviews import services
from reviews.models import Review, ReviewDecision, ReviewReport, SellerRating


def post(world, order, *, actor=None, product=5, communication=4, shipping=3, comment="Good towels."):
    return services.review_post(actor=actor or world.buyer_owner, order_id=order.pk, product=product,
                                communication=communication, shipping=shipping, comment=comment)


def rating_of(company) -> tuple | None:
    row = SellerRating.objects.filter(seller=company).first()
    if row is None:
        return None
    return (row.review_count, row.average, row.product, row.communication, row.shipping)


def review_rows() -> dict:
    """Every row the reviews app writes, in a comparable form."""
    return {
        "reviews": list(Review.objects.order_by("pk").values_list(
            "pk", "order_id", "product", "communication", "shipping", "comment", "reply", "replied_at",
            "hidden_at", "hidden_reason")),
        "reports": list(ReviewReport.objects.order_by("pk").values_list("pk", "review_id", "reason", "resolved_at",
                                                                        "decision")),
        "decisions": list(ReviewDecision.objects.order_by("pk").values_list("pk", "action", "reason")),
        "ratings": list(SellerRating.objects.order_by("pk").values_list(
            "pk", "review_count", "average", "product", "communication", "shipping")),
    }
