"""Query parameters and answers of the exchange-rate endpoints."""
from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import StrictInputMixin
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


RATES_AS_OF_HELP = "The date of the newest stored exchange rate; null when none is stored."
RATES_AGE_HELP = "Whole days from rates_as_of to today; null when no rate is stored."
RATES_STALE_HELP = ("True when the newest stored rate is more than rates_stale_after_days days old (or none is "
                    "stored): converted amounts are then estimates at old rates. An order still locks the newest "
                    "stored rate when it is placed.")
RATES_LIMIT_HELP = "How many days old the newest rate may be and still count as fresh (FX_STALE_AFTER_DAYS)."


def freshness_fields(prefix: str = "") -> dict[str, serializers.Field]:
    """The four rates_* fields read from an fx.selectors.FxFreshness at `prefix` ("rates." when it is an
    attribute of the object serialized, "" when it is the object)."""
    return {
        "rates_as_of": serializers.DateField(source=f"{prefix}as_of", allow_null=True, help_text=RATES_AS_OF_HELP),
        "rates_age_days": serializers.IntegerField(source=f"{prefix}age_days", allow_null=True,
                                                   help_text=RATES_AGE_HELP),
        "rates_stale": serializers.BooleanField(source=f"{prefix}stale", help_text=RATES_STALE_HELP),
        "rates_stale_after_days": serializers.IntegerField(source=f"{prefix}stale_after_days",
                                                           help_text=RATES_LIMIT_HELP),
    }


class FxFreshnessSerializer(serializers.Serializer):
    """How old the newest stored exchange rate is."""

    def get_fields(self):
        return freshness_fields()


class RatesFreshnessFieldsMixin(serializers.Serializer):
    """Adds the rates_* fields of the object's `rates` (an FxFreshness) to an answer that converts amounts."""

    def get_fields(self):
        return {**super().get_fields(), **freshness_fields("rates.")}


class ConvertResultSerializer(serializers.Serializer):
    """{"amount": converted amount in `to`, "from", "to", "rate", "as_of", "source", "rates_*"}."""

    def get_fields(self):
        return {
            "amount": serializers.DecimalField(max_digits=40, decimal_places=2),
            "from": serializers.CharField(),
            "to": serializers.CharField(),
            "rate": serializers.DecimalField(max_digits=30, decimal_places=8),
            "as_of": serializers.DateField(),
            "source": serializers.CharField(),
            **freshness_fields("rates."),
        }
