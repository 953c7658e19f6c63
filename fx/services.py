"""Writes of exchange rates: storing a day of rates, loading the shipped rates, fetching the ECB feed."""
from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from decimal import Decimal, InvalidOperation
from http.client import HTTPException

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DecimalField, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.inputs import field_error
from core.validators import CURRENCY_CODES

from . import hooks
from .ecb import CURRENCY_RE, parse_ecb_xml
from .models import EUR, FxRate, FxSource
from .shipped import load_shipped_rates

logger = logging.getLogger(__name__)

MAX_FEED_BYTES = 2 * 1024 * 1024
FETCH_SCHEMES = ("https", "http", "file")


def _checked_rates(rates: dict[str, Decimal], source: FxSource) -> dict[str, Decimal]:
    """ECB codes are taken as published (the feed also carries currencies since withdrawn from
    ISO 4217, such as BGN); a manual rate must be for a current ISO 4217 currency."""
    checked: dict[str, Decimal] = {}
    for currency, rate in rates.items():
        known = CURRENCY_RE.match(currency) if source == FxSource.ECB else currency in CURRENCY_CODES
        if currency == EUR or not known:
            message = _("%(currency)s cannot have a rate against EUR.") % {"currency": currency}
            raise field_error("currency", message)
        try:
            rate = Decimal(rate)
            valid = rate.is_finite() and 0 < rate < Decimal("1e10") and rate == rate.quantize(Decimal("1e-8"))
        except (TypeError, ValueError, InvalidOperation):
            valid = False
        if not valid:
            message = _("The rate of %(currency)s must be a positive number with at most 8 decimals.") % {
                "currency": currency}
            raise field_error("rate", message)
        checked[currency] = rate
    return checked


@transaction.atomic
def fx_rates_store(*, day: date, rates: dict[str, Decimal], source: str) -> int:
    """Stores one day of rates (units per 1 EUR) and returns how many currencies were given.

    Idempotent: storing the same rates again leaves the same rows. An ECB rate replaces any rate of
    that day and currency; a manual rate only replaces a manual one and never an ECB rate."""
    source = FxSource(source)
    rates = _checked_rates(rates, source)
    if not rates:
        return 0
    rows = [FxRate(date=day, currency=currency, rate=rate, source=source) for currency, rate in sorted(rates.items())]
    if source == FxSource.ECB:
        FxRate.objects.bulk_create(rows, update_conflicts=True, unique_fields=["currency", "date"],
                                   update_fields=["rate", "source", "updated_at"])
        return len(rows)
    # Manual: insert what is missing, then update only the manual rows, so the condition that an
    # ECB rate is never replaced is part of the UPDATE itself.
    FxRate.objects.bulk_create(rows, ignore_conflicts=True)
    FxRate.objects.filter(date=day, currency__in=list(rates), source=FxSource.MANUAL).update(
        rate=Case(*[When(currency=currency, then=Value(rate)) for currency, rate in rates.items()],
                  default=F("rate"), output_field=DecimalField(max_digits=18, decimal_places=8)),
        updated_at=timezone.now(),
    )
    return len(rows)


def fx_rates_load_fixture() -> int:
    """Loads the shipped ECB samples and manual rates when there are no rates at all; returns the
    number of rows written (0 when rates were already there)."""
    with transaction.atomic():
        return load_shipped_rates(FxRate)


def _download(url: str, *, timeout: float) -> bytes:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in FETCH_SCHEMES:
        raise ValueError(f"Refusing to fetch rates over {scheme or 'no scheme'!r}.")
    with urllib.request.urlopen(url, timeout=timeout) as response:
        data = response.read(MAX_FEED_BYTES + 1)
    if len(data) > MAX_FEED_BYTES:
        raise ValueError(f"The feed is larger than {MAX_FEED_BYTES} bytes.")
    return data


def fx_rates_fetch(*, url: str | None = None, timeout: float = 10) -> date | None:
    """Downloads the ECB feed, stores every day it holds and returns the newest day stored.

    On any network or parse error it logs a warning and returns None; the stored rates are left
    as they were, so conversions keep using the last rates (their date is reported with them).
    Returns None without fetching when settings.FX_FETCH_ENABLED is off."""
    if not settings.FX_FETCH_ENABLED:
        logger.info("Fetching exchange rates is switched off (FX_FETCH_ENABLED).")
        return None
    url = url or settings.FX_ECB_URL
    try:
        days = parse_ecb_xml(_download(url, timeout=timeout))
    except (urllib.error.URLError, HTTPException, TimeoutError, OSError, ValueError) as exc:
        logger.warning("Could not fetch the ECB exchange rates from %s: %s", url, exc)
        return None
    with transaction.atomic():
        for day, rates in days:
            fx_rates_store(day=day, rates=rates, source=FxSource.ECB)
        hooks.rates_stored()  # e.g. the catalogue's listing prices in EUR follow the rates
    newest = days[-1][0]
    logger.info("Stored ECB exchange rates for %d day(s), newest %s.", len(days), newest.isoformat())
    return newest
