"""Typed shapes of the seller performance the API answers with."""
from __future__ import annotations

from rest_framework import serializers

SHARE = {"allow_null": True, "min_value": 0, "max_value": 100}


class PerformancePeriodSerializer(serializers.Serializer):
    """One period's figures. Each share (%) or median is null while it rests on fewer than 5 orders
    (or requests for quotation); the counts say what it rests on."""

    orders = serializers.IntegerField(min_value=0, help_text="Orders placed in the period.")
    answered = serializers.IntegerField(min_value=0, help_text="Orders the seller accepted, refused or let time "
                                                               "out (the base of the acceptance share).")
    accepted = serializers.IntegerField(min_value=0)
    refused = serializers.IntegerField(min_value=0, help_text="Refused by the seller.")
    timed_out = serializers.IntegerField(min_value=0, help_text="Refused by the system: no answer in time.")
    withdrawn = serializers.IntegerField(min_value=0, help_text="Cancelled by the buyer before an answer.")
    accepted_pct = serializers.FloatField(**SHARE)
    median_hours_to_accept = serializers.FloatField(allow_null=True, min_value=0,
                                                    help_text="From placing to acceptance, over accepted orders.")
    cancelled_by_seller = serializers.IntegerField(min_value=0, help_text="Cancelled by the seller after accepting.")
    cancelled_by_buyer = serializers.IntegerField(min_value=0, help_text="Cancelled by the buyer after acceptance.")
    cancelled_by_system = serializers.IntegerField(min_value=0, help_text="Cancelled as not paid in time.")
    shipping_judged = serializers.IntegerField(min_value=0, help_text="Orders shipped, plus orders whose ship-by "
                                                                      "date passed unshipped (late).")
    shipped_on_time = serializers.IntegerField(min_value=0)
    on_time_pct = serializers.FloatField(**SHARE)
    delivered = serializers.IntegerField(min_value=0)
    delivered_without_dispute = serializers.IntegerField(min_value=0)
    dispute_free_pct = serializers.FloatField(**SHARE)
    disputes = serializers.IntegerField(min_value=0)
    disputes_refunded = serializers.IntegerField(min_value=0, help_text="Disputes resolved with a refund above zero.")
    refunded_pct = serializers.FloatField(**SHARE)
    rfqs_invited = serializers.IntegerField(min_value=0, help_text="Requests that invited the seller whose deadline "
                                                                   "passed or which it quoted.")
    rfqs_answered = serializers.IntegerField(min_value=0, help_text="Of those, quoted by the deadline.")
    rfq_response_pct = serializers.FloatField(**SHARE)
    rfqs_quoted = serializers.IntegerField(min_value=0)
    median_hours_to_quote = serializers.FloatField(allow_null=True, min_value=0,
                                                   help_text="From a request's creation to the seller's first quote.")


class SellerPerformanceSerializer(serializers.Serializer):
    seller = serializers.IntegerField(help_text="The seller company's id.")
    last_90_days = PerformancePeriodSerializer(help_text="Orders placed and requests created in the last 90 days.")
    all_time = PerformancePeriodSerializer()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="When the figures were computed; null when "
                                                                       "nothing was measured yet.")
