"""Admin for the tables admins keep (duty, VAT, restricted destinations) and for sellers' zones."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from .models import DutyRate, RestrictedDestination, ShippingRate, ShippingZone, ShippingZoneCountry, VatRate


@admin.register(DutyRate)
class DutyRateAdmin(admin.ModelAdmin):
    list_display = ["destination_country", "hs_chapter", "rate_percent", "note"]
    list_filter = ["destination_country"]
    search_fields = ["destination_country", "hs_chapter", "note"]
    ordering = ["destination_country", "hs_chapter"]


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["country", "rate_percent", "note"]
    search_fields = ["country", "note"]
    ordering = ["country"]


@admin.register(RestrictedDestination)
class RestrictedDestinationAdmin(admin.ModelAdmin):
    list_display = ["country", "hs_prefix", "reason", "created_at"]
    list_filter = ["country"]
    search_fields = ["country", "hs_prefix", "reason"]
    ordering = ["country", "hs_prefix"]


class ZoneCountryForm(forms.ModelForm):
    """The seller is copied from the zone; a country already in another zone of the seller is refused
    here instead of by the database."""

    class Meta:
        model = ShippingZoneCountry
        fields = ["country"]

    def clean(self):
        cleaned = super().clean()
        zone = cleaned.get("zone") or self.instance.zone
        country = cleaned.get("country")
        self.instance.seller_id = zone.seller_id
        if country and zone.seller_id:
            taken = ShippingZoneCountry.objects.filter(seller_id=zone.seller_id, country=country)
            if zone.pk:
                taken = taken.exclude(zone_id=zone.pk)
            other = taken.select_related("zone").first()
            if other is not None:
                self.add_error("country", _("This country is already in the seller's zone “%(zone)s”.")
                               % {"zone": other.zone.name})
        return cleaned


class ZoneCountryFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            country = form.cleaned_data.get("country")
            if country in seen:
                raise ValidationError(_("A country is listed twice."))
            if country:
                seen.add(country)


class ZoneCountryInline(admin.TabularInline):
    model = ShippingZoneCountry
    form = ZoneCountryForm
    formset = ZoneCountryFormSet
    extra = 0


class ShippingRateInline(admin.TabularInline):
    model = ShippingRate
    extra = 0


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "seller", "created_at"]
    search_fields = ["name", "seller__legal_name"]
    list_select_related = ["seller"]
    autocomplete_fields = ["seller"]
    inlines = [ZoneCountryInline, ShippingRateInline]

    def get_readonly_fields(self, request, obj=None):
        # Moving a zone to another company would leave its countries pointing at the old one.
        return ["seller"] if obj is not None else []
