"""Input shapes (unknown keys refused, types coerced; the services check the values) and output shapes."""
from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StrictInputMixin
from core.inputs import MAX_LINE_QUANTITY
from core.serializers import DeprecatedAmountField, MoneyField
from trade.incoterms import paid_to
from trade.models import ShippingRate, ShippingZone


class RateInputSerializer(StrictInputMixin, serializers.Serializer):
    max_weight_kg = serializers.DecimalField(max_digits=10, decimal_places=3)
    price = MoneyField()


class ShippingZoneUpdateSerializer(StrictInputMixin, serializers.Serializer):
    name = serializers.CharField(max_length=100)
    countries = serializers.ListField(child=serializers.CharField(max_length=64), allow_empty=True,
                                      help_text="ISO 3166 alpha-2 codes; a country is in at most one of your zones.")
    rates = RateInputSerializer(many=True, help_text="Weight bands; prices in the company's default currency.")


class ShippingZoneCreateSerializer(ShippingZoneUpdateSerializer):
    seller = serializers.IntegerField(required=False, help_text="Your selling company; default: your first company.")


class RateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShippingRate
        fields = ["max_weight_kg", "price"]
        read_only_fields = fields


class ShippingZoneSerializer(serializers.ModelSerializer):
    countries = serializers.SerializerMethodField()
    rates = RateSerializer(many=True, read_only=True)
    currency = serializers.CharField(source="seller.default_currency", read_only=True)

    class Meta:
        model = ShippingZone
        fields = ["id", "seller", "name", "countries", "rates", "currency", "created_at", "updated_at"]
        read_only_fields = fields

    def get_countries(self, zone: ShippingZone) -> list[str]:
        return [str(row.country) for row in zone.countries.all()]


class LandedCostInputSerializer(StrictInputMixin, serializers.Serializer):
    listing_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    destination_country = serializers.CharField(max_length=64, help_text="ISO 3166 alpha-2 code.")
    incoterm = serializers.CharField(max_length=16, help_text="An Incoterms 2020 rule the listing offers.")


class DutyLineSerializer(serializers.Serializer):
    hs_code = serializers.CharField()
    hs_chapter = serializers.CharField()
    goods_value = serializers.DecimalField(max_digits=20, decimal_places=2)
    customs_value = serializers.DecimalField(max_digits=20, decimal_places=2)
    rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    rate_basis = serializers.ChoiceField(choices=["chapter", "country_default", "none"])
    duty = serializers.DecimalField(max_digits=20, decimal_places=2)


class MoneySplitParts(NamedTuple):
    goods: Decimal
    invoice_total: Decimal
    buyer_other_costs: Decimal


class DeprecatedPaysMixin(serializers.Serializer):
    """buyer_pays and seller_pays as they were before an estimate or an order told the seller's invoice
    from the buyer's costs paid to others. Kept with their old meaning, marked deprecated. Subclasses
    say where the parts are (`deprecated_amount_source`)."""

    buyer_pays = DeprecatedAmountField(
        lambda parts: parts.goods + parts.buyer_other_costs,
        help_text="Deprecated: the goods plus the buyer's costs paid to others, mixing money paid to the seller with "
                  "money paid to carriers and customs. Use invoice_total (payable to the seller) and "
                  "buyer_other_costs (paid to others).")
    seller_pays = DeprecatedAmountField(
        lambda parts: parts.invoice_total - parts.goods,
        help_text="Deprecated: the costs the seller arranges; they are on the seller's invoice. Use invoice_total.")

    def deprecated_amount_source(self, instance) -> MoneySplitParts:
        return MoneySplitParts(instance.goods, instance.invoice_total, instance.buyer_other_costs)


class LandedCostSerializer(DeprecatedPaysMixin, serializers.Serializer):
    currency = serializers.CharField()
    destination_country = serializers.CharField()
    incoterm = serializers.CharField()
    weight_kg = serializers.DecimalField(max_digits=20, decimal_places=3)
    goods = serializers.DecimalField(max_digits=20, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=20, decimal_places=2)
    insurance = serializers.DecimalField(max_digits=20, decimal_places=2)
    duty = serializers.DecimalField(max_digits=20, decimal_places=2)
    vat = serializers.DecimalField(max_digits=20, decimal_places=2)
    total = serializers.DecimalField(max_digits=20, decimal_places=2,
                                     help_text="Landed cost: invoice_total plus buyer_other_costs.")
    invoice_total = serializers.DecimalField(
        max_digits=20, decimal_places=2,
        help_text="Invoice total, payable by the buyer to the seller: the goods plus what the seller arranges and "
                  "charges under the Incoterm (carriage, insurance; duty and VAT under DDP).")
    buyer_other_costs = serializers.DecimalField(
        max_digits=20, decimal_places=2,
        help_text="Estimated costs the buyer pays to others under the Incoterm: the carrier, the insurer, customs "
                  "(import duty and VAT). Not paid to the seller.")
    payer = serializers.DictField(child=serializers.ChoiceField(choices=["buyer", "seller"]),
                                  help_text="Who pays each component: goods, shipping, insurance, duty, vat.")
    paid_to = serializers.SerializerMethodField(
        help_text="Who receives each component's money: seller, carrier, insurer or customs.")
    vat_rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    insurance_rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    duty_lines = DutyLineSerializer(many=True)

    @extend_schema_field(serializers.DictField(child=serializers.ChoiceField(
        choices=["seller", "carrier", "insurer", "customs"])))
    def get_paid_to(self, estimate) -> dict[str, str]:
        return paid_to(estimate.payer)


class ListingLandedCostSerializer(LandedCostSerializer):
    """The estimate for a quantity of one listing, with the unit price and unit weight it used."""

    listing_id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    unit_weight_kg = serializers.DecimalField(max_digits=10, decimal_places=3)

    def to_representation(self, instance):
        head = {"listing_id": instance.listing_id, "quantity": instance.quantity,
                "unit_price": self.fields["unit_price"].to_representation(instance.unit_price),
                "unit_weight_kg": self.fields["unit_weight_kg"].to_representation(instance.unit_weight_kg)}
        return {**head, **LandedCostSerializer(instance.estimate).data}
