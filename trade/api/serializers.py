"""Input shapes (unknown keys refused, types coerced; the services check the values) and output shapes."""
from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import StrictInputMixin
from trade.models import ShippingRate, ShippingZone


class RateInputSerializer(StrictInputMixin, serializers.Serializer):
    max_weight_kg = serializers.DecimalField(max_digits=10, decimal_places=3)
    price = serializers.DecimalField(max_digits=14, decimal_places=2)


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
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000_000)
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


class LandedCostSerializer(serializers.Serializer):
    currency = serializers.CharField()
    destination_country = serializers.CharField()
    incoterm = serializers.CharField()
    weight_kg = serializers.DecimalField(max_digits=20, decimal_places=3)
    goods = serializers.DecimalField(max_digits=20, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=20, decimal_places=2)
    insurance = serializers.DecimalField(max_digits=20, decimal_places=2)
    duty = serializers.DecimalField(max_digits=20, decimal_places=2)
    vat = serializers.DecimalField(max_digits=20, decimal_places=2)
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    buyer_pays = serializers.DecimalField(max_digits=20, decimal_places=2)
    seller_pays = serializers.DecimalField(max_digits=20, decimal_places=2)
    payer = serializers.DictField(child=serializers.ChoiceField(choices=["buyer", "seller"]))
    vat_rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    insurance_rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3)
    duty_lines = DutyLineSerializer(many=True)


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
