"""Reference exchange rates against the euro, one row per day and currency."""
from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.validators import CURRENCY_CHOICES, validate_currency_code

EUR = "EUR"


class FxSource(models.TextChoices):
    ECB = "ecb", _("European Central Bank")
    MANUAL = "manual", _("Entered by an administrator")


class FxRate(TimeStampedModel):
    """`rate` units of `currency` buy 1 EUR on `date`.

    One row per (currency, date): the ECB reference rate when the ECB publishes one (storing it
    replaces a manual rate of that day), otherwise a rate an administrator entered for a currency
    the ECB does not publish."""

    date = models.DateField(_("date"), db_index=True)
    currency = models.CharField(_("currency"), max_length=3, choices=[c for c in CURRENCY_CHOICES if c[0] != EUR],
                                validators=[validate_currency_code])
    rate = models.DecimalField(_("units per 1 EUR"), max_digits=18, decimal_places=8,
                               validators=[MinValueValidator(Decimal("0.00000001"),
                                                           message=_("A rate must be greater than zero."))])
    source = models.CharField(_("source"), max_length=10, choices=FxSource.choices, default=FxSource.MANUAL)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-date", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="fx_rate_currency_date_unique",
                                    violation_error_message=_("This currency already has a rate for that date.")),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive",
                                   violation_error_message=_("A rate must be greater than zero.")),
            models.CheckConstraint(condition=~Q(currency=EUR), name="fx_rate_not_eur",
                                   violation_error_message=_("EUR is the base currency; its rate is always 1.")),
            models.CheckConstraint(condition=Q(source__in=FxSource.values), name="fx_rate_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.currency} {self.rate}"
