"""The shipping zone form of the seller pages. It only coerces and shapes input; the trade services
decide what a zone may hold (countries in one zone only, weight bands that make sense)."""
from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from trade.models import ShippingZone

from ..common import ServiceErrorsMixin

RATE_ROWS = 8
# The largest values the database columns hold (10 digits with 3 decimals; 14 with 2).
MAX_WEIGHT_DIGITS, WEIGHT_DECIMALS = 10, 3
MAX_PRICE_DIGITS, PRICE_DECIMALS = 14, 2


class ShippingZoneForm(ServiceErrorsMixin, forms.Form):
    """A zone's name, its countries (chosen in the list, typed as codes, or both) and its weight
    bands as rows; blank rows are ignored."""

    name = forms.CharField(label=_("Zone name"), max_length=100,
                           help_text=_("For example “Europe” or “Gulf countries”."))
    countries = forms.MultipleChoiceField(
        label=_("Countries"), required=False, choices=countries, widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Hold Ctrl or Cmd to choose several. A country can be in only one of your zones."))
    country_codes = forms.CharField(
        label=_("Or type country codes"), required=False, max_length=1000,
        help_text=_("ISO 3166 two-letter codes separated by commas, e.g. DE, FR, NL."))
    # Not rendered as an input: it carries the errors of the weight band rows.
    rates = forms.Field(label=_("Weight bands"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rate_rows: int = RATE_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        self.rate_rows = rate_rows
        for index in range(rate_rows):
            self.fields[f"rate_{index}_max_weight_kg"] = forms.DecimalField(
                label=_("Up to (kg)"), required=False, max_digits=MAX_WEIGHT_DIGITS,
                decimal_places=WEIGHT_DECIMALS)
            self.fields[f"rate_{index}_price"] = forms.DecimalField(
                label=_("Price"), required=False, max_digits=MAX_PRICE_DIGITS, decimal_places=PRICE_DECIMALS)

    @classmethod
    def for_zone(cls, zone: ShippingZone, *args, **kwargs) -> ShippingZoneForm:
        """The editor of a zone, filled with its name, countries and bands, with room for two more bands."""
        rates = list(zone.rates.all())
        initial: dict[str, Any] = {"name": zone.name,
                                   "countries": [str(row.country) for row in zone.countries.all()]}
        for index, rate in enumerate(rates):
            initial[f"rate_{index}_max_weight_kg"] = rate.max_weight_kg
            initial[f"rate_{index}_price"] = rate.price
        return cls(*args, initial=initial, rate_rows=max(RATE_ROWS, len(rates) + 2), **kwargs)

    def rate_row_fields(self):
        return [(self[f"rate_{i}_max_weight_kg"], self[f"rate_{i}_price"]) for i in range(self.rate_rows)]

    def clean_country_codes(self) -> list[str]:
        codes = [code.upper() for code in re.split(r"[\s,;]+", self.cleaned_data.get("country_codes") or "") if code]
        unknown = [code for code in dict.fromkeys(codes) if code not in countries.countries]
        if unknown:
            raise forms.ValidationError(_("Not ISO 3166 country codes: %(codes)s."),
                                        code="invalid_country", params={"codes": ", ".join(unknown)})
        return codes

    def clean(self):
        cleaned = super().clean()
        cleaned["countries"] = sorted({*(cleaned.get("countries") or []), *(cleaned.get("country_codes") or [])})
        rates, errors = [], []
        for index in range(self.rate_rows):
            weight = cleaned.get(f"rate_{index}_max_weight_kg")
            price = cleaned.get(f"rate_{index}_price")
            if self.has_error(f"rate_{index}_max_weight_kg") or self.has_error(f"rate_{index}_price"):
                errors.append(_("Correct the weight band rows marked below."))
            elif (weight is None) != (price is None):
                errors.append(_("Give both the weight and the price of each weight band."))
            elif weight is not None:
                rates.append({"max_weight_kg": weight, "price": price})
        for message in dict.fromkeys(errors):
            self.add_error("rates", message)
        cleaned["rates"] = rates
        return cleaned

    def zone_data(self) -> dict[str, Any]:
        """Input for shipping_zone_create and shipping_zone_update."""
        return {"name": self.cleaned_data["name"], "countries": self.cleaned_data["countries"],
                "rates": self.cleaned_data["rates"]}
