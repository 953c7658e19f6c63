"""Quotes, conversions and the rate table, computed from the shipped rates (ECB sample of 2025-04-15 to
2025-04-24 with no rates over Easter, manual rates of 2025-04-22)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.exceptions import ApplicationError
from fx import selectors, services
from fx.models import FxRate, FxSource
from fx.selectors import FxQuote

pytestmark = pytest.mark.django_db

LATEST = date(2025, 4, 24)


def test_cross_rate_between_two_ecb_currencies_goes_through_eur(django_assert_num_queries):
    with django_assert_num_queries(1):
        quote = selectors.fx_quote(base="TRY", quote="CNY")

    # 8.2927 CNY per EUR / 43.6932 TRY per EUR = 0.189793835... CNY per TRY
    assert quote == FxQuote(base="TRY", quote="CNY", rate=Decimal("0.18979384"), as_of=LATEST, source="ecb")


def test_the_inverse_cross_rate():
    # 43.6932 / 8.2927 = 5.268875034...
    assert selectors.fx_quote(base="CNY", quote="TRY").rate == Decimal("5.26887503")


def test_eur_is_one_by_definition(django_assert_num_queries):
    with django_assert_num_queries(1):
        to_usd = selectors.fx_quote(base="EUR", quote="USD")
    from_usd = selectors.fx_quote(base="USD", quote="EUR")

    assert to_usd == FxQuote(base="EUR", quote="USD", rate=Decimal("1.13760000"), as_of=LATEST, source="ecb")
    # 1 / 1.1376 = 0.879043600...
    assert from_usd == FxQuote(base="USD", quote="EUR", rate=Decimal("0.87904360"), as_of=LATEST, source="ecb")


@pytest.mark.parametrize("currency", ["EUR", "TRY", "XAF"])
def test_the_same_currency_has_rate_one_without_a_query(currency, django_assert_num_queries):
    with django_assert_num_queries(0):
        quote = selectors.fx_quote(base=currency, quote=currency, on=date(2025, 4, 20))

    assert quote == FxQuote(base=currency, quote=currency, rate=Decimal(1), as_of=date(2025, 4, 20), source="par")


def test_a_day_without_rates_uses_the_latest_earlier_day_and_says_so():
    # Good Friday 2025-04-18 and Easter Monday 2025-04-21 have no ECB rates.
    for day in (date(2025, 4, 18), date(2025, 4, 20), date(2025, 4, 21)):
        assert selectors.fx_quote(base="EUR", quote="USD", on=day) == FxQuote(
            base="EUR", quote="USD", rate=Decimal("1.13360000"), as_of=date(2025, 4, 17), source="ecb")


def test_a_day_with_rates_uses_that_day():
    quote = selectors.fx_quote(base="TRY", quote="CNY", on=date(2025, 4, 15))

    # 8.4012 / 43.2791 = 0.194116790...
    assert quote == FxQuote(base="TRY", quote="CNY", rate=Decimal("0.19411679"), as_of=date(2025, 4, 15),
                            source="ecb")


def test_a_later_day_uses_the_latest_rates():
    assert selectors.fx_quote(base="EUR", quote="USD", on=date(2026, 1, 5)).as_of == LATEST


def test_a_manual_rate_fills_a_currency_the_ecb_does_not_publish():
    quote = selectors.fx_quote(base="TRY", quote="KES")

    # 146.51 KES per EUR / 43.6932 TRY per EUR = 3.353153351...; the KES rate is the older one.
    assert quote == FxQuote(base="TRY", quote="KES", rate=Decimal("3.35315335"), as_of=date(2025, 4, 22),
                            source="manual")


def test_an_ecb_rate_wins_over_a_manual_rate_of_the_same_day():
    services.fx_rates_store(day=LATEST, rates={"USD": Decimal("1.20"), "KES": Decimal("147.10")},
                            source=FxSource.MANUAL)

    assert selectors.fx_quote(base="EUR", quote="USD").rate == Decimal("1.13760000")
    assert selectors.fx_quote(base="EUR", quote="KES") == FxQuote(
        base="EUR", quote="KES", rate=Decimal("147.10000000"), as_of=LATEST, source="manual")


def test_no_rate_on_or_before_the_day_is_fx_unavailable():
    with pytest.raises(ApplicationError) as excinfo:
        selectors.fx_quote(base="TRY", quote="KES", on=date(2025, 4, 21))

    error = excinfo.value
    assert error.code == "fx_unavailable"
    assert error.status_code == 400
    assert error.message == "No exchange rate is available for KES on or before 2025-04-21."
    assert error.fields == {"currency": ["No exchange rate is available for KES on or before 2025-04-21."]}


def test_a_currency_without_any_rate_is_fx_unavailable():
    with pytest.raises(ApplicationError) as excinfo:
        selectors.fx_quote(base="XAF", quote="XOF")

    assert excinfo.value.code == "fx_unavailable"
    assert excinfo.value.fields == {"currency": ["No exchange rate is available for XAF.",
                                                 "No exchange rate is available for XOF."]}


def test_before_the_first_rate_everything_is_fx_unavailable():
    with pytest.raises(ApplicationError) as excinfo:
        selectors.fx_quote(base="EUR", quote="USD", on=date(2025, 4, 14))

    assert excinfo.value.fields == {"currency": ["No exchange rate is available for USD on or before 2025-04-14."]}


def test_convert_rounds_the_amount_half_up_to_cents():
    amount, quote = selectors.fx_convert(amount=Decimal("100"), base="TRY", quote="EUR")

    # 1 / 43.6932 = 0.022886856... -> 0.02288686; 100 * 0.02288686 = 2.288686 -> 2.29
    assert amount == Decimal("2.29")
    assert quote == FxQuote(base="TRY", quote="EUR", rate=Decimal("0.02288686"), as_of=LATEST, source="ecb")


def test_convert_rounds_a_half_cent_up():
    services.fx_rates_store(day=date(2025, 4, 25), rates={"USD": Decimal("1.05")}, source=FxSource.ECB)

    amount, quote = selectors.fx_convert(amount=Decimal("1.30"), base="EUR", quote="USD")

    assert quote.rate == Decimal("1.05000000")
    assert amount == Decimal("1.37")  # 1.365 rounded half up (half even would give 1.36)


def test_convert_uses_the_rounded_rate_so_the_stored_rate_reproduces_the_amount():
    amount, quote = selectors.fx_convert(amount=Decimal("250000"), base="KES", quote="CNY")

    # 8.2927 / 146.51 = 0.056601597... -> 0.05660160; 250000 * 0.05660160 = 14150.40
    assert quote.rate == Decimal("0.05660160")
    assert amount == Decimal("14150.40")
    assert quote.as_of == date(2025, 4, 22)
    assert quote.source == "manual"


def test_convert_on_an_earlier_day():
    amount, quote = selectors.fx_convert(amount=Decimal("1000"), base="EUR", quote="TRY", on=date(2025, 4, 20))

    assert (amount, quote.rate, quote.as_of) == (Decimal("43464.40"), Decimal("43.46440000"), date(2025, 4, 17))


def test_convert_between_the_same_currency_keeps_the_amount():
    amount, quote = selectors.fx_convert(amount=Decimal("19.999"), base="TRY", quote="TRY")

    assert amount == Decimal("20.00")
    assert quote.rate == Decimal(1)


def test_latest_date():
    assert selectors.fx_latest_date() == LATEST

    FxRate.objects.all().delete()

    assert selectors.fx_latest_date() is None


def test_currencies_are_eur_and_every_currency_with_a_rate():
    currencies = selectors.fx_currencies()

    assert len(currencies) == 41
    assert currencies[:5] == ["AED", "AUD", "BDT", "BGN", "BRL"]
    assert {"EUR", "KES", "TRY", "VND"} <= set(currencies)


def test_rate_list_against_eur(django_assert_num_queries):
    with django_assert_num_queries(1):
        rates = selectors.fx_rate_list()

    assert len(rates) == 40
    assert [r.quote for r in rates][:4] == ["AED", "AUD", "BDT", "BGN"]
    by_currency = {r.quote: r for r in rates}
    assert "EUR" not in by_currency
    assert by_currency["USD"] == FxQuote(base="EUR", quote="USD", rate=Decimal("1.13760000"), as_of=LATEST,
                                         source="ecb")
    assert by_currency["KES"] == FxQuote(base="EUR", quote="KES", rate=Decimal("146.51000000"),
                                         as_of=date(2025, 4, 22), source="manual")


def test_rate_list_against_another_base(django_assert_num_queries):
    with django_assert_num_queries(1):
        rates = selectors.fx_rate_list(base="TRY")

    by_currency = {r.quote: r for r in rates}
    assert len(rates) == 40
    assert "TRY" not in by_currency
    assert by_currency["EUR"] == FxQuote(base="TRY", quote="EUR", rate=Decimal("0.02288686"), as_of=LATEST,
                                         source="ecb")
    assert by_currency["CNY"].rate == Decimal("0.18979384")
    assert by_currency["KES"].as_of == date(2025, 4, 22)


def test_rate_list_on_an_earlier_day():
    rates = {r.quote: r for r in selectors.fx_rate_list(on=date(2025, 4, 21))}

    assert len(rates) == 30
    assert rates["USD"].rate == Decimal("1.13360000")
    assert rates["USD"].as_of == date(2025, 4, 17)


def test_rate_list_against_a_currency_without_rates_is_fx_unavailable():
    with pytest.raises(ApplicationError) as excinfo:
        selectors.fx_rate_list(base="XAF")

    assert excinfo.value.code == "fx_unavailable"


def test_rate_list_of_an_empty_table_is_empty():
    FxRate.objects.all().delete()

    assert selectors.fx_rate_list() == []


def test_the_cross_rate_is_rounded_half_up_to_8_decimals():
    services.fx_rates_store(day=date(2025, 4, 25), rates={"USD": Decimal("2"), "JPY": Decimal("1.00000001")},
                            source=FxSource.ECB)

    # 1.00000001 / 2 = 0.500000005 exactly
    assert selectors.fx_quote(base="USD", quote="JPY").rate == Decimal("0.50000001")


def test_convert_keeps_every_digit_of_a_large_amount():
    amount, quote = selectors.fx_convert(amount=Decimal("123456789012345678901234.56"), base="EUR", quote="IDR")

    assert quote.rate == Decimal("19145.93000000")
    assert amount == Decimal("2363695040455139504045513799.34")
