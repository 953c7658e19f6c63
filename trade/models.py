"""Shipping zones and rates of sellers; import duty, import VAT and restricted destinations kept by admins."""
from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.models import TimeStampedModel
from core.validators import validate_plain_text

HS_CHAPTER_VALIDATOR = RegexValidator(r"^\d{2}$", _("An HS chapter is exactly 2 digits."), code="invalid_hs_chapter")
HS_PREFIX_VALIDATOR = RegexValidator(r"^\d{2,6}$", _("An HS prefix has 2 to 6 digits."), code="invalid_hs_prefix")


class ShippingZone(TimeStampedModel):
    """A set of destination countries a seller ships to at the same rates."""

    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="shipping_zones")
    name = models.CharField(_("name"), max_length=100, validators=[validate_plain_text])

    class Meta:
        verbose_name = _("shipping zone")
        verbose_name_plural = _("shipping zones")
        ordering = ["seller_id", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["seller", "name"], name="trade_zone_seller_name_unique")]

    def __str__(self) -> str:
        return self.name


class ShippingZoneCountry(models.Model):
    """A country of a zone. The seller is repeated here so that a country belongs to at most one
    zone of a seller, which the database enforces."""

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="countries")
    seller = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    country = CountryField(_("country"))

    class Meta:
        verbose_name = _("zone country")
        verbose_name_plural = _("zone countries")
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "country"], name="trade_zone_country_one_zone_per_seller"),
        ]

    def __str__(self) -> str:
        return str(self.country)


class ShippingRate(models.Model):
    """Price of shipping a consignment of up to `max_weight_kg`, in the seller's default currency."""

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="rates")
    max_weight_kg = models.DecimalField(_("up to weight (kg)"), max_digits=10, decimal_places=3,
                                        validators=[MinValueValidator(Decimal("0.001"))])
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("shipping rate")
        verbose_name_plural = _("shipping rates")
        ordering = ["max_weight_kg"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "max_weight_kg"], name="trade_rate_zone_weight_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="trade_rate_price_not_negative"),
            models.CheckConstraint(condition=Q(max_weight_kg__gt=0), name="trade_rate_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"≤ {self.max_weight_kg} kg: {self.price}"


class DutyRate(models.Model):
    """Estimated import duty into a country for an HS chapter; a blank chapter is the country's default."""

    destination_country = CountryField(_("destination country"))
    hs_chapter = models.CharField(_("HS chapter"), max_length=2, blank=True, validators=[HS_CHAPTER_VALIDATOR],
                                  help_text=_("Two digits, e.g. 61. Leave blank for the country's default rate."))
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3,
                                       validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("import duty rate")
        verbose_name_plural = _("import duty rates")
        ordering = ["destination_country", "hs_chapter"]
        constraints = [
            models.UniqueConstraint(fields=["destination_country", "hs_chapter"], name="trade_duty_country_chapter"),
            models.CheckConstraint(condition=Q(rate_percent__gte=0), name="trade_duty_rate_not_negative"),
            models.CheckConstraint(condition=Q(hs_chapter="") | Q(hs_chapter__regex=r"^[0-9]{2}$"),
                                   name="trade_duty_chapter_two_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.destination_country} {self.hs_chapter or '*'}: {self.rate_percent}%"


class VatRate(models.Model):
    """Estimated import VAT (or its local equivalent) of a country."""

    country = CountryField(_("country"), unique=True)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=3,
                                       validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("import VAT rate")
        verbose_name_plural = _("import VAT rates")
        ordering = ["country"]
        constraints = [models.CheckConstraint(condition=Q(rate_percent__gte=0), name="trade_vat_rate_not_negative")]

    def __str__(self) -> str:
        return f"{self.country}: {self.rate_percent}%"


class RestrictedDestination(models.Model):
    """A country that cannot be shipped to at all (blank prefix), or only not for the HS codes
    that start with `hs_prefix`."""

    country = CountryField(_("country"))
    hs_prefix = models.CharField(_("HS prefix"), max_length=6, blank=True, validators=[HS_PREFIX_VALIDATOR],
                                 help_text=_("2 to 6 digits. Leave blank to restrict the whole country."))
    reason = models.CharField(_("reason"), max_length=300, validators=[validate_plain_text])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("restricted destination")
        verbose_name_plural = _("restricted destinations")
        ordering = ["country", "hs_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["country", "hs_prefix"], name="trade_restricted_country_prefix"),
            models.CheckConstraint(condition=Q(hs_prefix="") | Q(hs_prefix__regex=r"^[0-9]{2,6}$"),
                                   name="trade_restricted_prefix_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.hs_prefix or '*'}"
