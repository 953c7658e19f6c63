"""Query parameters and answers of the exchange-rate endpoints."""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.api.serializers import StrictInputMixin
from fx.ecb import CURRENCY_RE


class CurrencyField(serializers.CharField):
    """A three-letter code among `currencies` (given in the context by the view), case-insensitive."""

    default_error_messages = {
        "invalid_code": _("Enter a three-letter currency code such as EUR."),
        "unknown": _("{value} is not a currency with exchange rates."),
    }

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip().upper()
        if not CURRENCY_RE.match(value):
            self.fail("invalid_code")
        if value not in self.context.get("currencies", ()):
            self.fail("unknown", value=value)
        return value


class RateListQuerySerializer(serializers.Serializer):
    base = CurrencyField(required=False, default="EUR")


class ConvertQuerySerializer(StrictInputMixin, serializers.Serializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=4, min_value=Decimal(0))
    to = CurrencyField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = CurrencyField()  # "from" is a keyword, so it cannot be a class attribute
        return fields


class FxRateSerializer(serializers.Serializer):
    currency = serializers.CharField(source="quote")
    base = serializers.CharField()
    rate = serializers.DecimalField(max_digits=30, decimal_places=8)
    date = serializers.DateField(source="as_of")
    source = serializers.CharField()


class ConvertResultSerializer(serializers.Serializer):
    """{"amount": converted amount in `to`, "from", "to", "rate", "as_of", "source"}."""

    def get_fields(self):
        return {
            "amount": serializers.DecimalField(max_digits=40, decimal_places=2),
            "from": serializers.CharField(),
            "to": serializers.CharField(),
            "rate": serializers.DecimalField(max_digits=30, decimal_places=8),
            "as_of": serializers.DateField(),
            "source": serializers.CharField(),
        }
