"""Serializer pieces shared by the apps' APIs."""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.inputs import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class MoneyField(serializers.DecimalField):
    """An amount as the money columns store it (core.inputs.MONEY_MAX_DIGITS, MONEY_DECIMAL_PLACES): an
    input larger than any column holds is a 400 on the field, never a database error."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d{0,12}(?:\.\d{0,2})?$",
                      "deprecated": True})
class DeprecatedAmountField(serializers.Field):
    """A read-only amount kept for existing integrations and marked deprecated in the schema. `value`
    computes it from what the parent serializer's `deprecated_amount_source(instance)` returns (the
    instance itself when the parent has no such method). The help text names the fields that replace it."""

    def __init__(self, value: Callable[[object], Decimal], **kwargs) -> None:
        self._value = value
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, instance) -> str:
        source = getattr(self.parent, "deprecated_amount_source", None)
        return f"{self._value(source(instance) if source else instance):.2f}"


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="Messages by input field.")


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (core.exceptions' handler writes it)."""

    error = ErrorDetailSerializer()
