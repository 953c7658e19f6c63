"""The checkout preview: what placing the cart with this input would store, before it is placed.
Same input as the checkout (without the Idempotency-Key); nothing is written."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from fx.api.serializers import RatesFreshnessFieldsMixin
from orders.selectors import checkout as selectors_checkout
from orders.models import InstalmentDue, PaymentTermKind
from trade.api.serializers import DeprecatedPaysMixin

from . import serializers as s
from .views import COMPANY, _buyer

MONEY = {"max_digits": 14, "decimal_places": 2}


class PreviewLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField()
    listing_id = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(**MONEY)
    line_total = serializers.DecimalField(**MONEY)
    weight_kg = serializers.DecimalField(max_digits=12, decimal_places=3)


class PreviewComponentSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.DecimalField(**MONEY)
    amount_in_buyer_currency = serializers.DecimalField(**MONEY)
    payer = serializers.ChoiceField(choices=["buyer", "seller"], help_text="Who pays this part under the Incoterm.")
    paid_to = serializers.ChoiceField(choices=["seller", "carrier", "insurer", "customs"],
                                      help_text="Who receives the money: the seller (on its invoice) or others.")


class TermsSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Send it back as payment_terms[<seller id>] to choose these terms.")
    kind = serializers.ChoiceField(choices=PaymentTermKind.choices)
    deposit_percent = serializers.IntegerField()
    net_days = serializers.IntegerField()
    label = serializers.CharField()


class PlannedInstalmentSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    due = serializers.ChoiceField(choices=InstalmentDue.choices)
    amount = serializers.DecimalField(**MONEY, help_text="Owed to the seller, in the order currency.")


class PreviewFxSerializer(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=18, decimal_places=8)
    as_of = serializers.DateField()
    source = serializers.CharField()


class PreviewOrderSerializer(DeprecatedPaysMixin, serializers.Serializer):
    seller_id = serializers.IntegerField()
    seller_name = serializers.CharField()
    seller_country = serializers.CharField()
    currency = serializers.CharField()
    incoterm = serializers.CharField()
    offered_incoterms = serializers.ListField(child=serializers.CharField())
    lines = PreviewLineSerializer(many=True)
    fx = PreviewFxSerializer()
    components = PreviewComponentSerializer(many=True)
    weight_kg = serializers.DecimalField(source="estimate.weight_kg", max_digits=12, decimal_places=3)
    total = serializers.DecimalField(source="estimate.total", **MONEY,
                                     help_text="Landed cost: invoice_total plus buyer_other_costs.")
    invoice_total = serializers.DecimalField(source="estimate.invoice_total", **MONEY,
                                             help_text="Invoice total, payable to the seller, in currency.")
    buyer_other_costs = serializers.DecimalField(
        source="estimate.buyer_other_costs", **MONEY,
        help_text="Estimated costs you pay to others (carrier, insurer, customs), in currency; not paid to the seller.")
    total_in_buyer_currency = serializers.DecimalField(**MONEY)
    invoice_total_in_buyer_currency = serializers.DecimalField(**MONEY)
    buyer_other_costs_in_buyer_currency = serializers.DecimalField(**MONEY)
    payment_terms = TermsSerializer()
    offered_payment_terms = TermsSerializer(many=True)
    schedule = PlannedInstalmentSerializer(many=True)

    def deprecated_amount_source(self, order):
        return super().deprecated_amount_source(order.estimate)


class CheckoutPreviewSerializer(RatesFreshnessFieldsMixin, serializers.Serializer):
    """rates_*: how old the rates behind the amounts in buyer_currency are; placing stays possible when
    rates_stale is true, and each order locks the newest stored rate when it is placed."""

    buyer_id = serializers.IntegerField()
    destination_country = serializers.CharField()
    destination_address = serializers.CharField()
    buyer_currency = serializers.CharField()
    can_place = serializers.BooleanField(help_text="False while the buying company is not verified.")
    fx_as_of = serializers.DateField(allow_null=True, help_text="The oldest rate date used to convert; null when "
                                     "every seller prices in buyer_currency.")
    invoice_total_in_buyer_currency = serializers.DecimalField(
        **MONEY, help_text="What you pay the sellers, all orders together, in buyer_currency.")
    buyer_other_costs_in_buyer_currency = serializers.DecimalField(
        **MONEY, help_text="Estimated costs you pay to carriers, insurers and customs, in buyer_currency.")
    orders = PreviewOrderSerializer(many=True)


class CheckoutPreviewView(APIView):
    """The orders, landed costs and amounts in your currency that placing your cart would store now."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(parameters=[COMPANY], request=s.CheckoutSerializer, responses={200: CheckoutPreviewSerializer})
    def post(self, request):
        data = validated(s.CheckoutSerializer, request.data)
        preview = selectors_checkout.checkout_preview(actor=request.user, buyer=_buyer(request), **data)
        return Response(CheckoutPreviewSerializer(preview).data)
