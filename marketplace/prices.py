"""Listing prices in EUR and in a buyer's display currency.

Each listing stores `price_eur`: its lowest unit price (`price_from`, in the listing's currency)
divided by the latest rate of that currency against EUR, rounded half up to 8 decimals. Browse
filters and sorts on that one column whatever the listing's currency.

A listing's price in a display currency D is price_eur x (D per 1 EUR), rounded half up to 0.01,
and is an approximation (the listing is sold in its own currency). A price bound in D matches the
listings whose converted price, as shown, is within the bound: a lower bound `low` keeps
price_eur >= (low - 0.005) / rate and an upper bound `high` keeps price_eur < (high + 0.005) / rate,
each bound rounded up to the 8 decimals of the column, so the comparison is exact.

With 8 decimals in EUR, a listing shown in its own currency converts back to exactly its price for
every rate below a million units per EUR."""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Round

EUR = "EUR"
PRICE_EUR_DECIMALS = 8
PRICE_EUR_PLACES = Decimal(1).scaleb(-PRICE_EUR_DECIMALS)
DISPLAY_PLACES = Decimal("0.01")
HALF_CENT = Decimal("0.005")


def to_eur(amount: Decimal, per_eur: Decimal) -> Decimal:
    """`amount` of a currency worth `per_eur` units per EUR, in EUR to 8 decimals (half up)."""
    with localcontext() as context:
        context.prec = 60
        return (Decimal(amount) / Decimal(per_eur)).quantize(PRICE_EUR_PLACES, rounding=ROUND_HALF_UP)


def from_eur(amount_eur: Decimal, per_eur: Decimal) -> Decimal:
    """An amount in EUR in a currency worth `per_eur` units per EUR, to 0.01 (half up)."""
    with localcontext() as context:
        context.prec = 60
        return (Decimal(amount_eur) * Decimal(per_eur)).quantize(DISPLAY_PLACES, rounding=ROUND_HALF_UP)


def _bound_eur(amount: Decimal, per_eur: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 60
        return (Decimal(amount) / Decimal(per_eur)).quantize(PRICE_EUR_PLACES, rounding=ROUND_CEILING)


def price_range_condition(*, low: Decimal | None, high: Decimal | None, per_eur: Decimal) -> Q:
    """The listings whose converted price, rounded to the cent as shown, is within [low, high]
    (either bound may be None) in a currency worth `per_eur` units per EUR."""
    condition = Q()
    if low is not None:
        condition &= Q(price_eur__gte=_bound_eur(low - HALF_CENT, per_eur))
    if high is not None:
        condition &= Q(price_eur__lt=_bound_eur(high + HALF_CENT, per_eur))
    return condition


def fill_price_eur(listings: QuerySet, rates: dict[str, Decimal]) -> int:
    """Sets `price_eur` of the given listings from `rates` (units of each currency per 1 EUR; EUR
    itself need not be given) with one UPDATE per currency, writing only the rows whose value
    changes. Listings in a currency without a rate get NULL. Returns the number of rows written.

    Takes the queryset rather than the model, so the data migration can pass its historical model."""
    rates = {**rates, EUR: Decimal(1)}
    written = 0
    for currency, per_eur in sorted(rates.items()):
        if currency == EUR:
            value = F("price_from")
        else:
            value = Round(F("price_from") / Value(Decimal(per_eur)), PRICE_EUR_DECIMALS)
        rows = listings.filter(currency=currency, price_from__isnull=False).filter(
            Q(price_eur__isnull=True) | Q(price_eur__lt=value) | Q(price_eur__gt=value))
        written += rows.update(price_eur=value)
    written += listings.filter(Q(price_from__isnull=True) | ~Q(currency__in=list(rates))).exclude(
        price_eur__isnull=True).update(price_eur=None)
    return written
