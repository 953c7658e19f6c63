"""Forms of the seller's money pages: payment terms and trusted buyers, bank accounts, bank
statements. They only coerce and shape input; the services decide what is allowed (what an account
must hold, which file, order and reason a statement review takes) and say what is wrong in words."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import PaymentTermKind
from orders.payment_terms import DEPOSIT_PERCENT_RANGE, NET_DAYS_RANGE
from payments.models import BankAccount
from statements.models import EntryOutcome
from statements.selectors import REVIEW

from ..common import ServiceErrorsMixin, country_choices, currency_choices


# --- payment terms and trusted buyers ------------------------------------------------------------

class PaymentTermForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"code": "kind"}

    kind = forms.ChoiceField(label=_("Terms"), choices=PaymentTermKind.choices)
    deposit_percent = forms.IntegerField(label=_("Deposit (%)"), required=False, min_value=DEPOSIT_PERCENT_RANGE[0],
                                         max_value=DEPOSIT_PERCENT_RANGE[1],
                                         help_text=_("For a deposit: the share paid when you accept the order."))
    net_days = forms.IntegerField(label=_("Days after delivery"), required=False, min_value=NET_DAYS_RANGE[0],
                                  max_value=NET_DAYS_RANGE[1],
                                  help_text=_("For net terms: offered only to buyers you trust."))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == PaymentTermKind.DEPOSIT and not data.get("deposit_percent") and "deposit_percent" not in self.errors:
            self.add_error("deposit_percent", _("Give the deposit as a percentage from 1 to 99."))
        if kind == PaymentTermKind.NET and not data.get("net_days") and "net_days" not in self.errors:
            self.add_error("net_days", _("Give the number of days after delivery, from 1 to 180."))
        return data

    def code(self) -> str:
        data = self.cleaned_data
        if data["kind"] == PaymentTermKind.DEPOSIT:
            return f"deposit_{data['deposit_percent']}"
        if data["kind"] == PaymentTermKind.NET:
            return f"net_{data['net_days']}"
        return data["kind"]


class TrustedBuyerForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"buyer_id": "buyer"}

    buyer = forms.TypedChoiceField(label=_("Buyer"), coerce=int)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["buyer"].choices = [("", _("Choose a buyer that has ordered from you")),
                                        *[(company.pk, company.legal_name) for company in candidates]]


# --- bank accounts ----------------------------------------------------------------------------------

BANK_ACCOUNT_FIELDS = ("label", "account_holder", "bank_name", "bank_country", "iban", "account_number", "bic",
                       "currency", "is_default")


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
    currency = forms.ChoiceField(label=_("Currency of the account"), choices=currency_choices(_("Choose a currency")))
    is_default = forms.BooleanField(label=_("Buyers pay into this account for orders in its currency"),
                                    required=False)

    @classmethod
    def for_account(cls, account: BankAccount, *args, **kwargs) -> BankAccountForm:
        initial = {field: getattr(account, field) for field in BANK_ACCOUNT_FIELDS}
        initial["bank_country"] = str(account.bank_country)
        return cls(*args, initial=initial, **kwargs)

    def account_data(self) -> dict[str, Any]:
        """Input for bank_account_create and bank_account_update."""
        return {field: self.cleaned_data[field] for field in BANK_ACCOUNT_FIELDS}


# --- bank statements --------------------------------------------------------------------------------

class StatementUploadForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(label=_("Bank statement"), max_length=255,
                           help_text=_("An ISO 20022 camt.053 file (XML) or a SWIFT MT940 file, as your bank "
                                       "exports it; at most 20 MB and 20,000 entries."),
                           error_messages={"required": _("Choose the statement file."),
                                           "empty": _("The file is empty.")},
                           widget=forms.FileInput(attrs={"accept": ".xml,.sta,.mt940,.940,.txt,text/xml"}))


class EntryFilterForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Show"), required=False,
                                choices=[("", _("All entries")), (REVIEW, _("To review")), *EntryOutcome.choices])

    def outcome_value(self) -> str | None:
        return (self.cleaned_data.get("outcome") or None) if self.is_valid() else None


class EntryAssignForm(ServiceErrorsMixin, forms.Form):
    order_id = forms.TypedChoiceField(label=_("Order"), coerce=int, choices=(),
                                      error_messages={"required": _("Choose one of your orders."),
                                                      "invalid_choice": _("Choose one of your orders.")})

    def __init__(self, *args, orders: list[dict] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order_id"].choices = [
            (row["pk"], _("%(reference)s – %(buyer)s – %(owed)s %(currency)s owed")
             % {"reference": row["payment_reference"] or row["pk"], "buyer": row["buyer__legal_name"],
                "owed": row["owed"], "currency": row["currency"]}) for row in orders]


class EntryDismissForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300,
                             error_messages={"required": _("Say why you dismiss this entry.")},
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. excess refunded to the buyer")}))
