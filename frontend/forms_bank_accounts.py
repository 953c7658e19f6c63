"""The bank account form of the seller pages. It only coerces and shapes input; the payments
services decide what an account must hold (an IBAN or an account number, a SWIFT/BIC of the bank's
country) and say what is wrong in words."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import CURRENCY_CHOICES
from payments.models import BankAccount

from .forms import ServiceErrorsMixin, country_choices

FIELDS = ("label", "account_holder", "bank_name", "bank_country", "iban", "account_number", "bic", "currency",
          "is_default")


def _currency_choices():
    return [("", _("Choose a currency")), *CURRENCY_CHOICES]


class BankAccountForm(ServiceErrorsMixin, forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100,
                            help_text=_("A name for you, e.g. “EUR main account”."))
    account_holder = forms.CharField(label=_("Account holder"), max_length=140,
                                     help_text=_("The name the bank holds the account in."))
    bank_name = forms.CharField(label=_("Bank name"), max_length=140)
    bank_country = forms.ChoiceField(label=_("Bank country"), choices=country_choices(_("Choose a country")))
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=64,
                           help_text=_("Where banks use IBANs, e.g. in Europe, Turkey and the Gulf. Spaces are "
                                       "fine."))
    account_number = forms.CharField(label=_("Account number"), required=False, max_length=64,
                                     help_text=_("Only where banks have no IBAN, e.g. in China or the United "
                                                 "States."))
    bic = forms.CharField(label=_("SWIFT/BIC"), max_length=32,
                          help_text=_("8 or 11 characters, e.g. COBADEFFXXX. Buyers abroad need it to pay you."))
    currency = forms.ChoiceField(label=_("Currency of the account"), choices=_currency_choices)
    is_default = forms.BooleanField(label=_("Buyers pay into this account for orders in its currency"),
                                    required=False)

    @classmethod
    def for_account(cls, account: BankAccount, *args, **kwargs) -> BankAccountForm:
        initial = {field: getattr(account, field) for field in FIELDS}
        initial["bank_country"] = str(account.bank_country)
        return cls(*args, initial=initial, **kwargs)

    def account_data(self) -> dict[str, Any]:
        """Input for bank_account_create and bank_account_update."""
        return {field: self.cleaned_data[field] for field in FIELDS}
