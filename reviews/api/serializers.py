"""Input shapes and output shapes of the reviews API. The services check the rules; these classes
bound the input and type the fields for the schema."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import StrictInputMixin
from reviews.models import COMMENT_MAX_LENGTH, RATING_MAX, RATING_MIN, REASON_MAX_LENGTH, REPLY_MAX_LENGTH


def _rating_input(label: str) -> serializers.IntegerField:
    message = _("Give a whole number from 1 to 5.")
    return serializers.IntegerField(
        min_value=RATING_MIN, max_value=RATING_MAX, help_text=label,
        error_messages={"min_value": message, "max_value": message, "invalid": message})


class ReviewInputSerializer(StrictInputMixin, serializers.Serializer):
    product = _rating_input("Product as described, 1 to 5.")
    communication = _rating_input("Communication, 1 to 5.")
    shipping = _rating_input("Shipping, 1 to 5.")
    comment = serializers.CharField(max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True, default="",
                                    trim_whitespace=True, help_text="Plain text; may be left empty.")


class ReviewReplyInputSerializer(StrictInputMixin, serializers.Serializer):
    reply = serializers.CharField(max_length=REPLY_MAX_LENGTH, help_text="Plain text.")


class ReviewReasonInputSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Plain text.")


class ReviewOptionalReasonInputSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default="")


class ReviewEmptyInputSerializer(StrictInputMixin, serializers.Serializer):
    pass


class ReviewSerializer(serializers.Serializer):
    """A review as anyone who may see it reads it. The buyer is shown by country only: a seller's
    customers are not published."""

    id = serializers.IntegerField(read_only=True)
    seller_id = serializers.IntegerField(read_only=True)
    buyer_country = serializers.CharField(source="buyer.country.code", read_only=True)
    product = serializers.IntegerField(read_only=True)
    communication = serializers.IntegerField(read_only=True)
    shipping = serializers.IntegerField(read_only=True)
    average = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True,
                                       help_text="The mean of the three ratings.")
    comment = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    reply = serializers.CharField(read_only=True)
    replied_at = serializers.DateTimeField(read_only=True, allow_null=True)
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)
    hidden_reason = serializers.CharField(read_only=True,
                                          help_text="The moderator's reason, for a hidden review (else empty).")


class OrderReviewSerializer(ReviewSerializer):
    """The review of an order, as its parties and the moderators read it."""

    order_id = serializers.IntegerField(read_only=True)
    buyer_id = serializers.IntegerField(read_only=True)
    buyer_name = serializers.CharField(source="buyer.legal_name", read_only=True)


class SellerRatingSerializer(serializers.Serializer):
    review_count = serializers.IntegerField(read_only=True)
    average = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True,
                                       help_text="Mean of the three dimensions over the visible reviews; null "
                                                 "while there is none.")
    product = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)
    communication = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)
    shipping = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)


class SellerReviewPageSerializer(serializers.Serializer):
    """One page of a seller's visible reviews, with the seller's average and count."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    rating = SellerRatingSerializer()
    results = ReviewSerializer(many=True)


class ReviewReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    review_id = serializers.IntegerField(read_only=True)
    reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision = serializers.CharField(read_only=True)


class ReviewModerationReportSerializer(ReviewReportSerializer):
    """An open report as the moderators read it: the review and who reported it."""

    reporter_id = serializers.IntegerField(read_only=True)
    company_id = serializers.IntegerField(read_only=True)
    company_name = serializers.CharField(source="company.legal_name", read_only=True)
    review = OrderReviewSerializer(read_only=True)


class ReviewReportsDismissedSerializer(serializers.Serializer):
    dismissed = serializers.IntegerField(read_only=True, help_text="How many open reports were dismissed.")
