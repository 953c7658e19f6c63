"""Input shapes (unknown keys refused, lengths bounded; the services check the values) and output shapes."""
from __future__ import annotations

from rest_framework import serializers

from core.serializers import ErrorSerializer  # noqa: F401 - the error body these views document

from core.api import StrictInputMixin
from payments.models import BankAccount


class BankAccountUpdateSerializer(StrictInputMixin, serializers.Serializer):
    label = serializers.CharField(max_length=100, help_text="A name for you, e.g. “EUR main account”.")
    account_holder = serializers.CharField(max_length=140, help_text="The name the bank holds the account in.")
    iban = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                 help_text="Required where the bank's country uses IBANs; spaces and lower case "
                                           "are accepted.")
    account_number = serializers.CharField(max_length=64, required=False, allow_blank=True,
                                           help_text="1 to 34 letters or digits; only where the bank's country "
                                                     "has no IBAN (e.g. CN, US).")
    bic = serializers.CharField(max_length=32, help_text="SWIFT/BIC of the bank, 8 or 11 characters.")
    bank_name = serializers.CharField(max_length=140)
    bank_country = serializers.CharField(max_length=64, help_text="ISO 3166 alpha-2 code of the bank's country.")
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code of the account's currency.")
    is_default = serializers.BooleanField(required=False,
                                          help_text="The account buyers pay into for orders in its currency.")


class BankAccountCreateSerializer(BankAccountUpdateSerializer):
    pass


class BankAccountSerializer(serializers.ModelSerializer):
    bank_country = serializers.CharField(source="bank_country.code", read_only=True)
    iban_display = serializers.CharField(read_only=True, help_text="The IBAN in groups of four.")
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code of the account's currency.")

    class Meta:
        model = BankAccount
        fields = ["id", "company", "label", "account_holder", "iban", "iban_display", "account_number", "bic",
                  "bank_name", "bank_country", "currency", "is_default", "archived_at", "created_at", "updated_at"]
        read_only_fields = fields


