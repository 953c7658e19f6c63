"""Input shapes (strict: an unknown key, such as status, buyer or seller, is a 400 naming it) and
output shapes of requests for quotation, quotes and messages."""
from __future__ import annotations

from rest_framework import serializers

from core.api import StrictInputMixin
from marketplace.models import Incoterm, Unit
from orders.models import Message, Quote, Rfq
from orders.selectors.rfq import quote_is_expired

MONEY = {"max_digits": 14, "decimal_places": 2}
MAX_INT = 2_000_000_000


# --- input ---------------------------------------------------------------------------------------

class RfqCreateSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=500, help_text="The category's path (textiles/home-textiles) or id.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_INT)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, default=Unit.PIECE)
    target_price = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)
    target_currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    destination_country = serializers.CharField(max_length=2)
    destination_address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    deadline = serializers.DateTimeField()
    recipients = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                       max_length=20, help_text="Ids of the selling companies to ask; none: the "
                                                                "sellers of the category.")


class AcceptSerializer(StrictInputMixin, serializers.Serializer):
    quote = serializers.IntegerField(min_value=1)
    currency = serializers.CharField(max_length=3, required=False,
                                     help_text="The buyer's currency of the order (default: the company's).")
    payment_terms = serializers.CharField(max_length=30, required=False,
                                          help_text="advance, deposit_<percent>, letter_of_credit or net_<days>, "
                                                    "among the terms the seller offers you (default: its first).")


class EmptySerializer(StrictInputMixin, serializers.Serializer):
    pass


class QuoteTermsSerializer(StrictInputMixin, serializers.Serializer):
    unit_price = serializers.DecimalField(**MONEY, help_text="Per unit, in your company's default currency.")
    moq = serializers.IntegerField(min_value=1, max_value=MAX_INT, required=False, default=1)
    lead_time_days = serializers.IntegerField(min_value=0, max_value=730)
    incoterm = serializers.ChoiceField(choices=Incoterm.choices, required=False, allow_blank=True, default="",
                                       help_text="Default: the request's.")
    valid_until = serializers.DateField()
    listing_id = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None,
                                          help_text="One of your listings: its HS code, origin and weight are used.")
    hs_code = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    origin_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    unit_weight_kg = serializers.DecimalField(max_digits=10, decimal_places=3, required=False, allow_null=True,
                                              default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class QuoteCreateSerializer(QuoteTermsSerializer):
    rfq = serializers.IntegerField(min_value=1)


class QuoteReviseSerializer(QuoteTermsSerializer):
    """Only the terms sent are replaced."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class MessageInputSerializer(StrictInputMixin, serializers.Serializer):
    body = serializers.CharField(max_length=5000, trim_whitespace=True)
    seller = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None,
                                      help_text="On a request: the selling company of the thread (required "
                                                "for the buyer).")


class OrderMessageInputSerializer(StrictInputMixin, serializers.Serializer):
    body = serializers.CharField(max_length=5000, trim_whitespace=True)


# --- output --------------------------------------------------------------------------------------

class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="legal_name")
    country = serializers.CharField()
    verification_status = serializers.CharField()


class RfqSerializer(serializers.ModelSerializer):
    buyer = CompanyRefSerializer()
    category = serializers.CharField(source="category.path")
    target_currency = serializers.CharField()
    destination_country = serializers.CharField()
    order_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Rfq
        fields = ["id", "buyer", "title", "description", "category", "quantity", "unit", "target_price",
                  "target_currency", "destination_country", "destination_address", "incoterm", "deadline",
                  "audience", "status", "order_id", "created_at", "closed_at", "awarded_at", "cancelled_at"]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    rfq_id = serializers.IntegerField()
    seller = CompanyRefSerializer()
    listing_id = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField()
    origin_country = serializers.CharField()
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = ["id", "rfq_id", "seller", "unit_price", "currency", "moq", "lead_time_days", "incoterm",
                  "valid_until", "expired", "listing_id", "hs_code", "origin_country", "unit_weight_kg", "note",
                  "status", "revision", "created_at", "updated_at"]
        read_only_fields = fields

    def get_expired(self, quote: Quote) -> bool:
        return quote_is_expired(quote, self.context["today"])


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.full_name")
    company = CompanyRefSerializer()
    seller_id = serializers.IntegerField()
    rfq_id = serializers.IntegerField(allow_null=True)
    order_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Message
        fields = ["id", "rfq_id", "order_id", "seller_id", "author", "company", "body", "created_at"]
        read_only_fields = fields


class AcceptedSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    purchase_group = serializers.IntegerField()
    replayed = serializers.BooleanField()
