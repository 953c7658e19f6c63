"""Forms of the request-for-quotation pages. They only coerce and shape input; the order services
decide what a request, a quote or a message may hold and who may post it."""
from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplace.models import Incoterm, Unit

from ..common import ServiceErrorsMixin, country_choices, currency_choices
from ..catalogue.forms import CategoryChoiceField

MAX_QUANTITY = 2_000_000_000


def _incoterms(empty_label=None):
    return lambda: ([("", empty_label)] if empty_label else []) + list(Incoterm.choices)


class RfqForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Product"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    category = CategoryChoiceField(label=_("Category"), empty_label=_("Choose a category"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.PIECE)
    target_price = forms.DecimalField(label=_("Target unit price"), required=False, min_value=0, max_digits=14,
                                      decimal_places=2)
    target_currency = forms.ChoiceField(label=_("Currency of the target price"), required=False,
                                        choices=currency_choices(_("No target price")))
    destination_country = forms.ChoiceField(label=_("Destination country"),
                                            choices=country_choices(_("Choose a country")))
    destination_address = forms.CharField(label=_("Destination address"), required=False, max_length=500,
                                          help_text=_("Leave empty to use your company's address."),
                                          widget=forms.Textarea(attrs={"rows": 2}))
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=_incoterms())
    deadline = forms.DateTimeField(label=_("Deadline for quotes"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                              format="%Y-%m-%dT%H:%M"))
    recipients = forms.TypedMultipleChoiceField(
        label=_("Chosen sellers only"), required=False, coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Optional. Leave empty to send the request to the verified sellers of its category."))

    def __init__(self, *args, recipients=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [(company.pk, f"{company.legal_name} ({company.country.code})")
                                             for company in recipients]

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class QuoteForm(ServiceErrorsMixin, forms.Form):
    field_aliases = {"listing_id": "listing"}

    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, max_digits=14, decimal_places=2)
    moq = forms.IntegerField(label=_("Minimum order quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    lead_time_days = forms.IntegerField(label=_("Lead time (days)"), min_value=0, max_value=730)
    incoterm = forms.ChoiceField(label=_("Incoterm"), choices=_incoterms())
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    listing = forms.TypedChoiceField(label=_("One of your listings"), required=False, coerce=int, empty_value=None,
                                     help_text=_("Its HS code, origin and weight describe the goods."))
    hs_code = forms.CharField(label=_("HS code"), required=False, max_length=12,
                              help_text=_("Six digits; not needed when you choose a listing."))
    origin_country = forms.ChoiceField(label=_("Country of origin"), required=False,
                                       choices=country_choices(_("Choose a country")))
    unit_weight_kg = forms.DecimalField(label=_("Weight per unit (kg)"), required=False, min_value=0,
                                        max_digits=10, decimal_places=3)
    note = forms.CharField(label=_("Note to the buyer"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, listings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listing"].choices = [("", _("None: describe the goods below")),
                                          *[(listing.pk, listing.title) for listing in listings]]

    def terms(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["listing_id"] = data.pop("listing")
        return data


class OrderMessageForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(OrderMessageForm):
    """A message on a request: the seller names the thread."""

    seller = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AcceptForm(forms.Form):
    quote = forms.IntegerField(min_value=1)
    payment_terms = forms.CharField(required=False, max_length=30)
