"""Reads of exchange rates: quotes between two currencies, conversion of amounts, the rate table.

Every rate is stored against EUR. A quote between two other currencies goes through EUR:
amount_in_quote = amount_in_base * (quote per EUR) / (base per EUR)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.queries import CompiledRead

from .models import EUR, FxRate, FxSource

RATE_PLACES = Decimal("0.00000001")
AMOUNT_PLACES = Decimal("0.01")
PAR = "par"  # the source of a quote between a currency and itself


@dataclass(frozen=True)
class FxQuote:
    """amount_in_quote = amount_in_base * rate, using the rates of `as_of`.

    `as_of` is the date of the older of the two rates used; `source` is "manual" when any rate used
    was entered by an administrator, "ecb" otherwise, and "par" when base and quote are the same."""

    base: str
    quote: str
    rate: Decimal
    as_of: date
    source: str


_RATE_COLUMNS = ("currency", "rate", "date", "source")


def _latest_rate_rows(currencies: set[str] | None, on: date | None):
    latest = FxRate.objects.filter(currency=OuterRef("currency"))
    if on is not None:
        latest = latest.filter(date__lte=on)
    latest_date = Subquery(latest.order_by("-date").values("date")[:1])
    rows = FxRate.objects.filter(date=latest_date)
    if currencies is not None:
        rows = rows.filter(currency__in=sorted(currencies))
    return rows.order_by().values_list(*_RATE_COLUMNS)


# Every currency's latest rate: the same SQL on every catalogue page (the display currencies), so
# compiled once per process; the rows are read on every call.
_all_latest_rates = CompiledRead(lambda: _latest_rate_rows(None, None))


def _latest_rates(currencies: set[str] | None, on: date | None) -> dict[str, dict]:
    """Each currency's latest row dated on or before `on` (any date when None), in one query."""
    if currencies is None and on is None:
        rows = _all_latest_rates.rows()
    else:
        rows = _latest_rate_rows(currencies, on)
    return _by_currency(rows)


def _by_currency(rows) -> dict[str, dict]:
    """Rate rows (values_list of _RATE_COLUMNS) as {currency: {column: value}}."""
    return {row[0]: dict(zip(_RATE_COLUMNS, row, strict=True)) for row in rows}


def _unavailable(missing: list[str], on: date | None) -> ApplicationError:
    if on is None:
        messages = [_("No exchange rate is available for %(currency)s.") % {"currency": c} for c in missing]
    else:
        messages = [_("No exchange rate is available for %(currency)s on or before %(date)s.")
                    % {"currency": c, "date": on.isoformat()} for c in missing]
    return ApplicationError(messages[0], code="fx_unavailable", fields={"currency": messages})


def _cross(base_row: dict | None, quote_row: dict | None) -> tuple[Decimal, list[dict]]:
    base_rate = base_row["rate"] if base_row else Decimal(1)
    quote_rate = quote_row["rate"] if quote_row else Decimal(1)
    used = [row for row in (base_row, quote_row) if row]
    return (quote_rate / base_rate).quantize(RATE_PLACES, rounding=ROUND_HALF_UP), used


def _quote_from_rows(base: str, quote: str, base_row: dict | None, quote_row: dict | None) -> FxQuote:
    rate, used = _cross(base_row, quote_row)
    source = FxSource.MANUAL if any(row["source"] == FxSource.MANUAL for row in used) else FxSource.ECB
    return FxQuote(base=base, quote=quote, rate=rate, as_of=min(row["date"] for row in used),
                   source=str(source))


def fx_quote(*, base: str, quote: str, on: date | None = None) -> FxQuote:
    """The rate that turns an amount in `base` into `quote`, from each currency's latest rate dated on or
    before `on` (the latest stored rate when None). EUR is 1 by definition; the same currency gives
    rate 1. The rate is rounded half up to 8 decimals. One query.

    Raises ApplicationError(code="fx_unavailable", fields={"currency": [...]}) when a currency has no
    rate on or before that day."""
    if base == quote:
        return FxQuote(base=base, quote=quote, rate=Decimal(1), as_of=on or timezone.localdate(), source=PAR)
    wanted = {c for c in (base, quote) if c != EUR}
    rows = _latest_rates(wanted, on)
    missing = [c for c in (base, quote) if c != EUR and c not in rows]
    if missing:
        raise _unavailable(missing, on)
    return _quote_from_rows(base, quote, rows.get(base), rows.get(quote))


def fx_convert(*, amount: Decimal, base: str, quote: str, on: date | None = None) -> tuple[Decimal, FxQuote]:
    """`amount` in `base` expressed in `quote`: amount * quote.rate, rounded half up to 0.01.

    Returns the converted amount and the quote used, so a caller can store the rate it applied."""
    fx = fx_quote(base=base, quote=quote, on=on)
    with localcontext() as context:
        context.prec = 60
        converted = (Decimal(amount) * fx.rate).quantize(AMOUNT_PLACES, rounding=ROUND_HALF_UP)
    return converted, fx


def fx_latest_date() -> date | None:
    """The newest date of any stored rate, or None when there are none."""
    return FxRate.objects.aggregate(latest=Max("date"))["latest"]


def fx_quotes_as_of(quotes: Iterable[FxQuote | None]) -> date | None:
    """The one rate date a page gives for its conversions: the oldest date among the rates the
    quotes used. A quote between a currency and itself uses no rate and a missing quote (None)
    converted nothing, so both are left out; None when nothing was converted."""
    dates = [quote.as_of for quote in quotes if quote is not None and quote.source != PAR]
    return min(dates) if dates else None


@dataclass(frozen=True)
class FxFreshness:
    """How old the newest stored rate is.

    `as_of` is the newest date of any stored rate (None when there are none) and `age_days` the
    whole days from it to `today` (never below 0). The rates are `stale` when they are more than
    `stale_after_days` old (settings.FX_STALE_AFTER_DAYS): a rate exactly that many days old is
    still fresh, because the ECB publishes no rates on weekends and holidays. No rates at all count
    as stale."""

    as_of: date | None
    age_days: int | None
    stale: bool
    stale_after_days: int


def fx_freshness(*, today: date | None = None) -> FxFreshness:
    """The freshness of the stored rates on `today` (the local date when None). One query, on the
    indexed date column; a page asks once and passes the result to whatever shows it."""
    today = today or timezone.localdate()
    limit = settings.FX_STALE_AFTER_DAYS
    newest = fx_latest_date()
    if newest is None:
        return FxFreshness(as_of=None, age_days=None, stale=True, stale_after_days=limit)
    age = max((today - newest).days, 0)
    return FxFreshness(as_of=newest, age_days=age, stale=age > limit, stale_after_days=limit)


def fx_currencies() -> list[str]:
    """The currencies that can be quoted: EUR and every currency with at least one rate."""
    return sorted({EUR, *FxRate.objects.order_by("currency").values_list("currency", flat=True).distinct()})


def fx_rate_list(*, base: str = EUR, on: date | None = None) -> list[FxQuote]:
    """Every currency's latest rate (on or before `on`) expressed against `base`, ordered by currency.
    With a base other than EUR the list includes EUR. One query.

    Raises ApplicationError(code="fx_unavailable") when `base` has no rate."""
    if on is None:
        # The latest rates are read on every call; the quotes made from them are kept for the same
        # rows (they are the key, so a new rate is a new list).
        return list(_quotes_of_rows(base, tuple(sorted(_all_latest_rates.rows()))))
    return _quotes(base, on, _latest_rates(None, on))


@lru_cache(maxsize=8)
def _quotes_of_rows(base: str, rows: tuple[tuple, ...]) -> tuple[FxQuote, ...]:
    return tuple(_quotes(base, None, _by_currency(rows)))


def _quotes(base: str, on: date | None, rows: dict[str, dict]) -> list[FxQuote]:
    if base != EUR and base not in rows:
        raise _unavailable([base], on)
    base_row = rows.get(base)
    out = []
    for currency in sorted({EUR, *rows} - {base}):
        out.append(_quote_from_rows(base, currency, base_row, rows.get(currency)))
    return out
