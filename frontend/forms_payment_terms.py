"""Forms of the seller's payment-terms page."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import PaymentTermKind
from orders.payment_terms import DEPOSIT_PERCENT_RANGE, NET_DAYS_RANGE

from .forms import ServiceErrorsMixin


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
