"""Input shapes (strict: unknown keys are a 400 naming them) and output shapes of the cart,
the checkout and the orders."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import StrictInputMixin
from fx.api.serializers import RatesFreshnessFieldsMixin
from marketplace.models import Incoterm
from orders.models import Order, OrderEvent, OrderLine, Payment, PaymentMethod, PurchaseGroup

MONEY = {"max_digits": 14, "decimal_places": 2}


# --- input ---------------------------------------------------------------------------------------------

class CartLineAddSerializer(StrictInputMixin, serializers.Serializer):
    listing_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000)
    incoterm = serializers.ChoiceField(choices=Incoterm.choices, required=False, allow_blank=True, default="")


class CartLineUpdateSerializer(StrictInputMixin, serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=2_000_000_000, required=False)
    incoterm = serializers.ChoiceField(choices=Incoterm.choices, required=False, allow_blank=True)


class DestinationSerializer(StrictInputMixin, serializers.Serializer):
    country = serializers.CharField(max_length=2, required=False)
    address = serializers.CharField(max_length=500, required=False)


class CheckoutSerializer(StrictInputMixin, serializers.Serializer):
    destination = DestinationSerializer(required=False)
    incoterms = serializers.DictField(child=serializers.ChoiceField(choices=Incoterm.choices), required=False,
                                      help_text="Incoterm per seller company id; lines without one take the "
                                                "Incoterm chosen on the cart lines.")
    currency = serializers.CharField(max_length=3, required=False,
                                     help_text="The buyer's currency the amounts are also given in.")


class OrderReasonSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class OrderRequiredReasonSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OrderEmptySerializer(StrictInputMixin, serializers.Serializer):
    pass


# The details of a move are checked by the service after it has checked that the caller may take
# the move, so a caller without the right gets a 403 whatever the body; here only types are coerced.

class PaySerializer(StrictInputMixin, serializers.Serializer):
    reference = serializers.CharField(max_length=100, required=False, default="", help_text="Required.")
    amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None,
                                      help_text="Required: the order's buyer_pays.")
    method = serializers.CharField(max_length=20, required=False, default="",
                                   help_text="Required: " + ", ".join(PaymentMethod.values) + ".")
    currency = serializers.CharField(max_length=3, required=False)


class ShipSerializer(StrictInputMixin, serializers.Serializer):
    carrier = serializers.CharField(max_length=100, required=False, default="", help_text="Required.")
    tracking_number = serializers.CharField(max_length=100, required=False, default="", help_text="Required.")
    documents = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=20,
                                      default=list)


class ResolveSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                   help_text="Required.")
    refund_amount = serializers.DecimalField(**MONEY, required=False, allow_null=True, default=None)


# --- cart ----------------------------------------------------------------------------------------------

class CartLineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    listing_id = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField()
    incoterm = serializers.CharField()
    offered_incoterms = serializers.ListField(child=serializers.CharField())
    moq = serializers.IntegerField()
    order_multiple = serializers.IntegerField()
    stock = serializers.IntegerField()
    currency = serializers.CharField()
    unit_price = serializers.DecimalField(**MONEY, allow_null=True)
    line_total = serializers.DecimalField(**MONEY, allow_null=True)
    line_total_display = serializers.DecimalField(**MONEY, allow_null=True)
    problems = serializers.ListField(child=serializers.CharField())


class CartGroupSerializer(serializers.Serializer):
    seller_id = serializers.IntegerField()
    seller_name = serializers.CharField()
    seller_country = serializers.CharField()
    currency = serializers.CharField()
    fx_rate = serializers.DecimalField(max_digits=18, decimal_places=8, allow_null=True)
    fx_as_of = serializers.DateField(allow_null=True)
    fx_source = serializers.CharField()
    subtotal = serializers.DecimalField(**MONEY)
    subtotal_display = serializers.DecimalField(**MONEY, allow_null=True)
    lines = CartLineSerializer(many=True)


class CartSerializer(RatesFreshnessFieldsMixin, serializers.Serializer):
    buyer_id = serializers.IntegerField()
    display_currency = serializers.CharField()
    fx_as_of = serializers.DateField(allow_null=True)
    line_count = serializers.IntegerField()
    total_display = serializers.DecimalField(**MONEY, allow_null=True)
    groups = CartGroupSerializer(many=True)


class CartLineRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    listing_id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    incoterm = serializers.CharField()


# --- orders --------------------------------------------------------------------------------------------

class OrderCompanySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    legal_name = serializers.CharField()
    country = serializers.CharField()


# Choice columns are given as plain strings: the enums of other apps share these field names.
def _code():
    return serializers.CharField(read_only=True)


class OrderLineSerializer(serializers.ModelSerializer):
    listing_id = serializers.IntegerField(source="listing_ref")
    origin_country = _code()
    unit = _code()

    class Meta:
        model = OrderLine
        fields = ["id", "listing_id", "title", "hs_code", "origin_country", "unit", "quantity", "unit_price",
                  "line_total", "unit_weight_kg", "weight_kg"]
        read_only_fields = fields


class OrderEventSerializer(serializers.ModelSerializer):
    actor_email = serializers.EmailField(source="actor.email", read_only=True, allow_null=True, default=None)
    role = _code()
    from_status = _code()
    to_status = _code()

    class Meta:
        model = OrderEvent
        fields = ["id", "role", "actor_email", "from_status", "to_status", "reason", "payload", "created_at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    recorded_by_email = serializers.EmailField(source="recorded_by.email", read_only=True)
    currency = _code()
    method = _code()

    class Meta:
        model = Payment
        fields = ["reference", "amount", "currency", "method", "recorded_by_email", "created_at"]
        read_only_fields = fields


PLACEMENT_FIELDS = [
    "id", "buyer", "seller", "purchase_group", "currency", "buyer_currency", "fx_rate", "fx_rate_date", "fx_source",
    "incoterm", "destination_country", "destination_address", "goods_total", "shipping", "insurance", "duty", "vat",
    "total", "buyer_pays", "seller_pays", "buyer_pays_in_buyer_currency", "payer", "total_weight_kg", "placed_at",
]


class OrderRowSerializer(serializers.ModelSerializer):
    buyer = OrderCompanySerializer(read_only=True)
    seller = OrderCompanySerializer(read_only=True)
    status = _code()
    currency = _code()
    buyer_currency = _code()
    incoterm = _code()
    destination_country = _code()

    class Meta:
        model = Order
        fields = ["id", "status", "buyer", "seller", "purchase_group", "currency", "buyer_pays", "buyer_currency",
                  "buyer_pays_in_buyer_currency", "incoterm", "destination_country", "placed_at", "updated_at"]
        read_only_fields = fields


class OrderPlacementSerializer(serializers.ModelSerializer):
    """The order as it was placed: only what never changes afterwards, so a replayed checkout
    answers exactly what the first request answered."""

    buyer = OrderCompanySerializer(read_only=True)
    seller = OrderCompanySerializer(read_only=True)
    currency = _code()
    buyer_currency = _code()
    incoterm = _code()
    destination_country = _code()
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [*PLACEMENT_FIELDS, "lines"]
        read_only_fields = fields


class OrderDetailSerializer(serializers.ModelSerializer):
    buyer = OrderCompanySerializer(read_only=True)
    seller = OrderCompanySerializer(read_only=True)
    status = _code()
    currency = _code()
    buyer_currency = _code()
    incoterm = _code()
    destination_country = _code()
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    payment = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [*PLACEMENT_FIELDS, "status", "carrier", "tracking_number", "shipping_documents", "refund_amount",
                  "accepted_at", "refused_at", "cancelled_at", "paid_at", "shipped_at", "delivered_at", "disputed_at",
                  "resolved_at", "completed_at", "updated_at", "lines", "payment", "events", "actions"]
        read_only_fields = fields

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, order):
        try:
            payment = order.payment
        except Payment.DoesNotExist:
            return None
        return PaymentSerializer(payment).data

    def get_actions(self, order) -> list[str]:
        """The action endpoints the requesting user may call now."""
        return self.context.get("actions", [])


class CheckoutReceiptSerializer(serializers.ModelSerializer):
    orders = OrderPlacementSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseGroup
        fields = ["id", "buyer_id", "idempotency_key", "created_at", "orders"]
        read_only_fields = fields
