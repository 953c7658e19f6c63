from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plain_text

RATING_MIN = 1
RATING_MAX = 5
COMMENT_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 2000
REASON_MAX_LENGTH = 1000

RATING_FIELDS = ("product", "communication", "shipping")


def _rating_field(label):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)])


class Review(models.Model):
    """The buyer company's rating of the seller after one completed order: one per order (the
    one-to-one key is the unique constraint), one reply by the seller, hidden by a moderator with
    a recorded reason. Hidden reviews leave the public lists and the seller's average."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="review")
    buyer = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="reviews_given")
    seller = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="reviews_received")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    product = _rating_field(_("product as described"))
    communication = _rating_field(_("communication"))
    shipping = _rating_field(_("shipping"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True,
                               validators=[validate_plain_text])
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    reply = models.TextField(_("reply"), max_length=REPLY_MAX_LENGTH, blank=True, validators=[validate_plain_text])
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)

    hidden_at = models.DateTimeField(null=True, blank=True, db_index=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    hidden_reason = models.TextField(_("reason for hiding"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["seller", "-created_at"], name="reviews_seller_latest")]
        constraints = [
            *[models.CheckConstraint(condition=Q(**{f"{f}__gte": RATING_MIN, f"{f}__lte": RATING_MAX}),
                                     name=f"reviews_review_{f}_1_to_5") for f in RATING_FIELDS],
            models.CheckConstraint(condition=~Q(buyer=models.F("seller")), name="reviews_review_not_own_company"),
            models.CheckConstraint(condition=Q(replied_at__isnull=True) | ~Q(reply=""),
                                   name="reviews_review_reply_has_text"),
            models.CheckConstraint(condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                                   name="reviews_review_hidden_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Review of order {self.order_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def average(self) -> Decimal:
        """The mean of the three ratings, to two places."""
        total = Decimal(self.product + self.communication + self.shipping)
        return (total / 3).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class ReviewDecision(models.Model):
    """A moderator's decision on a review, kept as history: hidden (with the reason), shown again,
    or its reports dismissed."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hidden")
        UNHIDE = "unhide", _("Shown again")
        DISMISS = "dismiss", _("Reports dismissed")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class ReviewReport(models.Model):
    """A signed-in member's report of a review; open reports reach the moderators' queue."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, validators=[validate_plain_text])
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    decision = models.CharField(max_length=10, choices=ReviewDecision.Action.choices, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reporter"], condition=Q(resolved_at__isnull=True),
                                    name="reviews_report_one_open_per_reporter"),
        ]


class SellerRating(models.Model):
    """The seller's visible reviews summed up: written by the review services in the same
    transaction, under a lock of this row. Hidden reviews count for nothing; `average` (the mean
    of the three dimensions) is null while the seller has no visible review. The means keep three
    places (the pages show one, the API two), which also keeps them apart from the money columns,
    all of which have two."""

    seller = models.OneToOneField("accounts.Company", on_delete=models.CASCADE, primary_key=True,
                                  related_name="rating")
    review_count = models.PositiveIntegerField(default=0, db_index=True)
    average = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True, db_index=True)
    product = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    communication = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    shipping = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Rating of company {self.seller_id}: {self.average} ({self.review_count})"
