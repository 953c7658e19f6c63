"""Input shapes (strict: unknown keys are a 400 naming them) and output shapes of the cart,
the checkout and the orders."""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictInputMixin
from fx.api.serializers import RatesFreshnessFieldsMixin
from marketplace.models import Incoterm
from core.inputs import MAX_LINE_QUANTITY
from core.serializers import DeprecatedAmountField, MoneyField
from orders.documents import KINDS, document_title, documents_issued
from orders.models import (
    Instalment,
    Order,
    OrderEvent,
    OrderLine,
    OrderRole,
    OrderStatus,
    Payment,
    PaymentMethod,
    PurchaseGroup,
)
from orders.selectors import convert, order_next_step
from orders.services.payments import instalment_is_overdue
from trade.api.serializers import DeprecatedPaysMixin
from trade.incoterms import paid_to

MONEY = {"max_digits": 14, "decimal_places": 2}
# The cart shows what its lines come to before a checkout checks that an order can hold it (a
# seller may have raised a price since a line was added), so its amounts are not bounded to the
# digits of the money columns.
CART_AMOUNT = {"max_digits": None, "decimal_places": 2}


# --- input ---------------------------------------------------------------------------------------------

class CartLineAddSerializer(StrictInputMixin, serializers.Serializer):
    listing_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    incoterm = serializers.ChoiceField(choices=Incoterm.choices, required=False, allow_blank=True, default="")


class CartLineUpdateSerializer(StrictInputMixin, serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, required=False)
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
    payment_terms = serializers.DictField(
        child=serializers.CharField(max_length=30), required=False,
        help_text="Payment terms per seller company id, by code: advance, deposit_<percent>, letter_of_credit, "
                  "net_<days> (among the terms the seller offers you; see the checkout preview). Default: the "
                  "seller's first offered terms.")


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
    amount = MoneyField(required=False, allow_null=True, default=None,
                        help_text="Required: the amount received, in the order currency; at most what is still owed. "
                                  "The order moves to paid once everything due before shipment is paid.")
    instalment = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                          help_text="The instalment paid; default: the open ones, oldest first.")
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
    refund_amount = MoneyField(required=False, allow_null=True, default=None)


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
    line_total = serializers.DecimalField(**CART_AMOUNT, allow_null=True)
    line_total_display = serializers.DecimalField(**CART_AMOUNT, allow_null=True)
    problems = serializers.ListField(child=serializers.CharField())


class CartGroupSerializer(serializers.Serializer):
    seller_id = serializers.IntegerField()
    seller_name = serializers.CharField()
    seller_country = serializers.CharField()
    currency = serializers.CharField()
    fx_rate = serializers.DecimalField(max_digits=18, decimal_places=8, allow_null=True)
    fx_as_of = serializers.DateField(allow_null=True)
    fx_source = serializers.CharField()
    subtotal = serializers.DecimalField(**CART_AMOUNT)
    subtotal_display = serializers.DecimalField(**CART_AMOUNT, allow_null=True)
    lines = CartLineSerializer(many=True)


class CartSerializer(RatesFreshnessFieldsMixin, serializers.Serializer):
    buyer_id = serializers.IntegerField()
    display_currency = serializers.CharField()
    fx_as_of = serializers.DateField(allow_null=True)
    line_count = serializers.IntegerField()
    total_display = serializers.DecimalField(**CART_AMOUNT, allow_null=True)
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
    recorded_by_email = serializers.EmailField(source="recorded_by.email", read_only=True, allow_null=True,
                                               help_text="Null when a bank statement was matched.")
    currency = _code()
    method = _code()
    source = _code()

    class Meta:
        model = Payment
        fields = ["id", "instalment", "reference", "amount", "currency", "method", "source", "note",
                  "recorded_by_email", "created_at"]
        read_only_fields = fields


class InstalmentSerializer(serializers.ModelSerializer):
    currency = _code()
    due = _code()
    status = _code()
    outstanding = serializers.DecimalField(**MONEY, read_only=True,
                                           help_text="Still owed to the seller, in currency.")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Instalment
        fields = ["id", "sequence", "due", "due_date", "amount", "paid_amount", "outstanding", "currency", "status",
                  "overdue"]
        read_only_fields = fields

    def get_overdue(self, instalment) -> bool:
        return instalment_is_overdue(instalment)


class PayToSerializer(serializers.Serializer):
    account_holder = serializers.CharField()
    iban = serializers.CharField(allow_blank=True)
    account_number = serializers.CharField(allow_blank=True)
    bic = serializers.CharField()
    bank_name = serializers.CharField()
    bank_country = serializers.CharField()
    currency = serializers.CharField()


def _split_help(name: str) -> str:
    return {
        "invoice_total": "Invoice total, payable by the buyer to the seller, in currency: the goods plus what the seller "
                         "arranges and charges under the Incoterm.",
        "buyer_other_costs": "Estimated costs the buyer pays to others (carrier, insurer, customs) under the Incoterm, "
                             "in currency. Not paid to the seller.",
    }[name]


PLACEMENT_FIELDS = [
    "id", "buyer", "seller", "purchase_group", "currency", "buyer_currency", "fx_rate", "fx_rate_date", "fx_source",
    "incoterm", "destination_country", "destination_address", "goods_total", "shipping", "insurance", "duty", "vat",
    "total", "invoice_total", "buyer_other_costs", "invoice_total_in_buyer_currency",
    "buyer_other_costs_in_buyer_currency", "buyer_pays", "seller_pays", "buyer_pays_in_buyer_currency", "payer",
    "paid_to", "payment_terms", "deposit_percent", "net_days", "payment_reference", "pay_to", "total_weight_kg",
    "placed_at",
]


class OrderParts(NamedTuple):
    goods: Decimal
    invoice_total: Decimal
    buyer_other_costs: Decimal
    fx_rate: Decimal


class MoneySplitFieldsMixin(DeprecatedPaysMixin, serializers.Serializer):
    """The two sums of an order (invoice total to the seller, other costs to carriers and customs) and
    the deprecated buyer_pays figures that mixed them."""

    invoice_total = serializers.DecimalField(**MONEY, read_only=True, help_text=_split_help("invoice_total"))
    buyer_other_costs = serializers.DecimalField(**MONEY, read_only=True, help_text=_split_help("buyer_other_costs"))
    buyer_pays_in_buyer_currency = DeprecatedAmountField(
        lambda parts: convert(parts.goods + parts.buyer_other_costs, parts.fx_rate),
        help_text="Deprecated: buyer_pays in buyer_currency. Use invoice_total_in_buyer_currency and "
                  "buyer_other_costs_in_buyer_currency.")
    paid_to = serializers.SerializerMethodField(
        help_text="Who receives each component's money: seller, carrier, insurer or customs.")
    pay_to = serializers.SerializerMethodField(help_text="The seller's account to pay the invoice into; null when "
                                                         "the seller has not given one yet.")
    payment_terms = _code()

    def deprecated_amount_source(self, order) -> OrderParts:
        return OrderParts(order.goods_total, order.invoice_total, order.buyer_other_costs, order.fx_rate)

    @extend_schema_field(serializers.DictField(child=serializers.ChoiceField(
        choices=["seller", "carrier", "insurer", "customs"])))
    def get_paid_to(self, order) -> dict[str, str]:
        return paid_to(order.payer or {})

    @extend_schema_field(PayToSerializer(allow_null=True))
    def get_pay_to(self, order):
        return PayToSerializer(order.pay_to).data if order.pay_to else None


class OrderRowSerializer(MoneySplitFieldsMixin, serializers.ModelSerializer):
    buyer = OrderCompanySerializer(read_only=True)
    seller = OrderCompanySerializer(read_only=True)
    status = _code()
    currency = _code()
    buyer_currency = _code()
    incoterm = _code()
    destination_country = _code()

    class Meta:
        model = Order
        fields = ["id", "status", "buyer", "seller", "purchase_group", "currency", "invoice_total", "buyer_other_costs",
                  "amount_paid", "buyer_pays", "buyer_currency", "invoice_total_in_buyer_currency",
                  "buyer_pays_in_buyer_currency", "payment_terms", "payment_reference", "incoterm",
                  "destination_country", "placed_at", "updated_at"]
        read_only_fields = fields


class OrderPlacementSerializer(MoneySplitFieldsMixin, serializers.ModelSerializer):
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


class OrderDocumentLinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    title = serializers.CharField()
    html = serializers.CharField(help_text="Path of the document as a web page.")
    pdf = serializers.CharField(help_text="Path of the document as a PDF file.")


class OrderNextStepSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, help_text="The state the order moves to next.")
    actor = serializers.ChoiceField(choices=OrderRole.choices,
                                    help_text="Who must act; system when the order moves on by itself.")
    action = serializers.CharField(help_text="accept, pay, ship, confirm_delivery, complete, resolve or close.")
    deadline = serializers.DateTimeField(allow_null=True,
                                         help_text="When the system moves the order if nobody acts; null if never.")
    on_timeout = serializers.CharField(allow_blank=True, help_text="The state the system moves the order to then.")


class OrderDetailSerializer(MoneySplitFieldsMixin, serializers.ModelSerializer):
    buyer = OrderCompanySerializer(read_only=True)
    seller = OrderCompanySerializer(read_only=True)
    status = _code()
    currency = _code()
    buyer_currency = _code()
    incoterm = _code()
    destination_country = _code()
    lines = OrderLineSerializer(many=True, read_only=True)
    events = OrderEventSerializer(many=True, read_only=True)
    payment = serializers.SerializerMethodField(help_text="Deprecated: the first payment only. Use payments.")
    payments = PaymentSerializer(many=True, read_only=True)
    instalments = InstalmentSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [*PLACEMENT_FIELDS, "status", "carrier", "tracking_number", "shipping_documents", "refund_amount",
                  "accepted_at", "refused_at", "cancelled_at", "paid_at", "shipped_at", "delivered_at", "disputed_at",
                  "resolved_at", "completed_at", "updated_at", "due_before_shipment", "amount_paid", "lines",
                  "instalments", "payments", "payment", "events", "actions", "documents", "next_step"]
        read_only_fields = fields

    @extend_schema_field(OrderDocumentLinkSerializer(many=True))
    def get_documents(self, order):
        """The documents the order has by now, each as a page and as a PDF."""
        links = []
        for kind in documents_issued(order):
            path = reverse("api:order-document", kwargs={"pk": order.pk, "kind": kind})
            links.append({"kind": kind, "title": document_title(kind), "html": path, "pdf": f"{path}?format=pdf"})
        return OrderDocumentLinkSerializer(links, many=True).data

    @extend_schema_field(OrderNextStepSerializer(allow_null=True))
    def get_next_step(self, order):
        """Who must act next and by when; null once the order is completed, refused or cancelled."""
        step = order_next_step(order)
        if step is None:
            return None
        return OrderNextStepSerializer({"status": step.status, "actor": step.actor, "action": step.action,
                                        "deadline": step.deadline, "on_timeout": step.on_timeout}).data

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, order):
        payments = list(order.payments.all())
        return PaymentSerializer(payments[0]).data if payments else None

    def get_actions(self, order) -> list[str]:
        """The action endpoints the requesting user may call now."""
        return self.context.get("actions", [])


class CheckoutReceiptSerializer(serializers.ModelSerializer):
    orders = OrderPlacementSerializer(many=True, read_only=True)

    class Meta:
        model = PurchaseGroup
        fields = ["id", "buyer_id", "idempotency_key", "created_at", "orders"]
        read_only_fields = fields
