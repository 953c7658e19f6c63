"""Forms of the cart, checkout and order pages. They only coerce and shape input; the orders services
decide what may be ordered and which move an order may take."""
from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from marketplace.models import Incoterm
from orders.models import OrderStatus, PaymentMethod

from ..common import ServiceErrorsMixin, country_choices

MAX_QUANTITY = 2_000_000_000
INCOTERM_LABELS = dict(Incoterm.choices)
INCOTERM_FIELD = re.compile(r"^incoterm_(\d{1,12})$")
TERMS_FIELD = re.compile(r"^terms_(\d{1,12})$")


def _incoterm_choices(offered: list[str], empty_label) -> list[tuple[str, Any]]:
    return [("", empty_label), *((term, INCOTERM_LABELS.get(term, term)) for term in offered)]


class QuantityInput(forms.NumberInput):
    def __init__(self, attrs=None):
        super().__init__({"min": 1, "inputmode": "numeric", **(attrs or {})})


# --- the cart -----------------------------------------------------------------------------------------

class AddToCartForm(ServiceErrorsMixin, forms.Form):
    """A listing and a quantity; the Incoterm may be left for the checkout."""

    listing_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, widget=QuantityInput)
    incoterm = forms.ChoiceField(label=_("Incoterm"), required=False,
                                 choices=_incoterm_choices(Incoterm.values, _("Choose at checkout")))

    def set_offered(self, offered: list[str]) -> None:
        """Shows only the Incoterms the listing offers; validation accepts any rule, the service checks."""
        self.fields["incoterm"].choices = _incoterm_choices(offered, _("Choose at checkout"))

    def add_service_error(self, exc: ApplicationError) -> None:
        for key, messages in (exc.fields or {None: [exc.message]}).items():
            self.add_error(key if key in ("quantity", "incoterm") else None, list(messages))


class CartLineForm(ServiceErrorsMixin, forms.Form):
    """A new quantity and Incoterm for one line of the cart."""

    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, widget=QuantityInput)
    incoterm = forms.ChoiceField(label=_("Incoterm"), required=False,
                                 choices=_incoterm_choices(Incoterm.values, _("Choose at checkout")))

    def set_offered(self, offered: list[str], *, current: str = "") -> None:
        """Shows only the Incoterms the listing offers (and the line's own, even when no longer offered).
        Validation accepts any rule: the cart service checks the offer."""
        terms = [*offered, *([current] if current and current not in offered else [])]
        self.fields["incoterm"].choices = _incoterm_choices(terms, _("Choose at checkout"))


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=_("Show amounts in"), required=False)

    def __init__(self, *args, currencies: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", _("My company's currency")), *((c, c) for c in currencies)]

    def currency_value(self) -> str | None:
        return (self.cleaned_data.get("currency") or None) if self.is_valid() else None


# --- the checkout -------------------------------------------------------------------------------------

class CheckoutForm(forms.Form):
    """Destination, display currency and one Incoterm per seller of the cart. Each rendering carries a
    fresh idempotency key, so submitting the same page twice places the cart once."""

    country = forms.ChoiceField(label=_("Destination country"), choices=country_choices(_("Choose a country")))
    address = forms.CharField(label=_("Delivery address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    currency = forms.ChoiceField(label=_("Your currency"))
    idempotency_key = forms.CharField(max_length=255, widget=forms.HiddenInput)

    def __init__(self, *args, sellers=(), currencies: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in currencies]
        self.seller_fields: list[tuple[Any, str]] = []
        self.terms_seller_fields: list[tuple[Any, str]] = []
        for option in sellers:
            name = f"incoterm_{option.seller_id}"
            self.fields[name] = forms.ChoiceField(
                label=_("Incoterm for %(seller)s") % {"seller": option.seller_name},
                required=bool(option.offered_incoterms),
                choices=_incoterm_choices(option.offered_incoterms, _("Choose an Incoterm")))
            self.seller_fields.append((option, name))
            terms_name = f"terms_{option.seller_id}"
            offered = list(getattr(option, "offered_payment_terms", []) or [])
            if offered:
                self.fields[terms_name] = forms.ChoiceField(
                    label=_("Payment terms with %(seller)s") % {"seller": option.seller_name}, required=False,
                    choices=[(terms.code, terms.label) for terms in offered])
                self.terms_seller_fields.append((option, terms_name))
        # A form sent again after its cart was placed still names its sellers: keep their choices, so
        # the repeated request is recognised as the same checkout.
        known = {name for _option, name in self.seller_fields}
        for key in (self.data or {}):
            if INCOTERM_FIELD.match(key) and key not in known:
                self.fields[key] = forms.ChoiceField(required=False, widget=forms.HiddenInput,
                                                     choices=[("", ""), *Incoterm.choices])
            if TERMS_FIELD.match(key) and key not in self.fields:
                self.fields[key] = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)

    @staticmethod
    def new_key() -> str:
        return str(uuid.uuid4())

    def incoterm_fields(self):
        return [(option, self[name]) for option, name in self.seller_fields]

    def terms_fields(self):
        return [(option, self[name]) for option, name in self.terms_seller_fields]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        incoterms = {}
        for name, value in data.items():
            match = INCOTERM_FIELD.match(name)
            if match and value:
                incoterms[match.group(1)] = value
        payment_terms = {name.removeprefix("terms_"): value for name, value in data.items()
                         if name.startswith("terms_") and value}
        kwargs = {"destination": {"country": data["country"], "address": data["address"]},
                  "incoterms": incoterms, "currency": data["currency"]}
        if payment_terms:
            kwargs["payment_terms"] = payment_terms
        return kwargs

    def add_service_error(self, exc: ApplicationError) -> None:
        if not exc.fields:
            self.add_error(None, exc.message)
            return
        for key, messages in exc.fields.items():
            name = {"destination.country": "country", "destination.address": "address",
                    "currency": "currency"}.get(key)
            if key.startswith("incoterms."):
                name = f"incoterm_{key.removeprefix('incoterms.')}"
            if key.startswith("payment_terms."):
                name = f"terms_{key.removeprefix('payment_terms.')}"
            self.add_error(name if name in self.fields else None, list(messages))


# --- order lists ----------------------------------------------------------------------------------------

class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=lambda: [("", _("All statuses")), *OrderStatus.choices])

    def status_value(self) -> str | None:
        return (self.cleaned_data.get("status") or None) if self.is_valid() else None


# --- order moves ----------------------------------------------------------------------------------------
# Whether a field is needed for a move is the service's call: it first checks that the user may take
# the move at all, then its details, so these forms leave every field optional.

class OrderActionForm(ServiceErrorsMixin, forms.Form):
    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReasonActionForm(OrderActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(OrderActionForm):
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100,
                                help_text=_("The reference on the transfer, usually the order's RF reference."))
    amount = forms.DecimalField(label=_("Amount received from the buyer, in the order currency"), required=False,
                                max_digits=14, decimal_places=2, min_value=0)
    method = forms.ChoiceField(label=_("Method"), required=False,
                               choices=lambda: [("", _("Choose a method")), *PaymentMethod.choices])


class ShipForm(OrderActionForm):
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=100)
    tracking_number = forms.CharField(label=_("Tracking number"), required=False, max_length=100)
    documents = forms.CharField(label=_("Shipping documents"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("One document name per line, e.g. the bill of lading number."))

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["documents"] = [name.strip() for name in data.get("documents", "").splitlines() if name.strip()]
        return data


class ResolveForm(OrderActionForm):
    reason = forms.CharField(label=_("Decision"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    refund_amount = forms.DecimalField(label=_("Refund to the buyer"), required=False, max_digits=14,
                                       decimal_places=2, min_value=0,
                                       help_text=_("Leave empty for no refund."))
