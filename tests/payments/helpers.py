"""Helpers shared by the payments tests."""
from __future__ import annotations

from payments.models import BankAccount

GERMAN_IBAN = "DE89370400440532013000"
GERMAN_BIC = "COBADEFFXXX"
TURKISH_IBAN = "TR330006100519786457841326"
TURKISH_BIC = "TCZBTR2AXXX"


def account_data(**overrides) -> dict:
    """Input of a valid Turkish account in TRY."""
    data = {"label": "TRY main", "account_holder": "Alpha Textiles A.S.", "bank_name": "Ziraat Bankasi",
            "bank_country": "TR", "currency": "TRY", "bic": TURKISH_BIC, "iban": TURKISH_IBAN,
            "account_number": "", "is_default": False}
    data.update(overrides)
    return data


def make_account(company, **overrides) -> BankAccount:
    """A row written directly, for tests of reads."""
    data = account_data(**overrides)
    return BankAccount.objects.create(company=company, **data)


def snapshot() -> list[tuple]:
    return list(BankAccount.objects.order_by("pk").values_list(
        "pk", "company_id", "label", "iban", "account_number", "bic", "bank_country", "currency", "is_default",
        "archived_at", "updated_at"))
