"""Browse in a display currency: the EUR price column, its refresh after new rates, its fill by the
migration, price bounds that match the converted price as shown, price sorts across currencies, and
the API's `currency` parameter."""
from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import VerificationStatus
from fx.models import FxRate, FxSource
from marketplace import prices, selectors, services, tasks
from marketplace.models import Listing
from marketplace.selectors import SearchParams, listing_search
from tests.core.helpers import assert_error
from tests.factories.accounts import CompanyFactory
from tests.factories.marketplace import PublishedListingFactory
from tests.marketplace.conftest import LISTINGS, assert_unchanged

pytestmark = pytest.mark.django_db


def set_rates(**rates: str) -> None:
    """Today's rates (units per EUR), newer than the shipped ones."""
    for currency, rate in rates.items():
        FxRate.objects.update_or_create(date=timezone.localdate(), currency=currency,
                                        defaults={"rate": Decimal(rate), "source": FxSource.MANUAL})


def seller(currency: str):
    return CompanyFactory(default_currency=currency, verification_status=VerificationStatus.VERIFIED)


def price_eur(listing: Listing) -> Decimal | None:
    return Listing.objects.values_list("price_eur", flat=True).get(pk=listing.pk)


def found(**params) -> list[int]:
    return [listing.pk for listing in listing_search(params=SearchParams(**params))]


@pytest.fixture
def three_currencies():
    """A euro, a lira and a yuan listing at 40 TRY and 8 CNY per EUR."""
    set_rates(TRY="40", CNY="8")
    return {
        "eur": PublishedListingFactory(seller=seller("EUR"), title="Euro towel", unit_price="1.90"),
        "try": PublishedListingFactory(seller=seller("TRY"), title="Lira towel", unit_price="90.00"),
        "cny": PublishedListingFactory(seller=seller("CNY"), title="Yuan towel", unit_price="15.60"),
    }


# --- the column -----------------------------------------------------------------------------------

def test_conversions_round_half_up():
    assert prices.to_eur(Decimal("4.20"), Decimal("43.6932")) == Decimal("0.09612480")  # 0.096124797...
    assert prices.to_eur(Decimal("1"), Decimal("8")) == Decimal("0.12500000")
    assert prices.from_eur(Decimal("0.105"), Decimal("1")) == Decimal("0.11")
    assert prices.from_eur(Decimal("0.09612480"), Decimal("43.6932")) == Decimal("4.20")


def test_saving_prices_sets_the_eur_price_at_the_latest_rate(three_currencies):
    assert [price_eur(three_currencies[key]) for key in ("eur", "try", "cny")] == [
        Decimal("1.90"), Decimal("2.25"), Decimal("1.95")]


def test_a_currency_without_a_rate_has_no_eur_price(db):
    FxRate.objects.filter(currency="JPY").delete()
    listing = PublishedListingFactory(seller=seller("JPY"), unit_price="500.00")
    assert (listing.price_from, price_eur(listing)) == (Decimal("500.00"), None)


def test_editing_the_tiers_converts_again(three_currencies):
    listing = three_currencies["try"]
    set_rates(TRY="50")
    owner = listing.seller.memberships.get().user
    Listing.objects.filter(pk=listing.pk).update(status="draft")
    services.listing_update(listing=listing, actor=owner, data={"price_tiers": [
        {"min_quantity": listing.moq, "unit_price": "100.00"}]})
    assert price_eur(listing) == Decimal("2.00")


def test_the_refresh_task_follows_new_rates_and_is_safe_to_run_twice(three_currencies):
    set_rates(TRY="45", CNY="7.8")

    assert tasks.listing_price_eur_refresh() == 2  # the lira and the yuan listing; the euro one is unchanged
    assert [price_eur(three_currencies[key]) for key in ("eur", "try", "cny")] == [
        Decimal("1.90"), Decimal("2.00"), Decimal("2.00")]
    assert tasks.listing_price_eur_refresh() == 0


def test_the_refresh_clears_the_price_of_a_currency_that_lost_its_rate(three_currencies):
    FxRate.objects.filter(currency="CNY").delete()

    assert services.listing_price_eur_refresh() == 1
    assert price_eur(three_currencies["cny"]) is None
    assert price_eur(three_currencies["try"]) == Decimal("2.25")


def test_storing_fetched_rates_queues_the_refresh_once_after_commit(monkeypatch, settings, db,
                                                                    django_capture_on_commit_callbacks):
    from fx import services as fx_services
    from fx.shipped import FIXTURES_DIR

    settings.FX_FETCH_ENABLED = True
    queued = []
    monkeypatch.setattr(tasks.listing_price_eur_refresh, "delay", lambda *a, **k: queued.append(a))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fx_services.fx_rates_fetch(url=(FIXTURES_DIR / "eurofxref-hist-90d-sample.xml").as_uri())
        assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert queued == [()]  # one refresh for every day of the feed


def test_the_migration_fills_existing_listings_at_each_currencys_latest_rate(three_currencies):
    Listing.objects.update(price_eur=None)
    migration = importlib.import_module("marketplace.migrations.0006_listing_price_eur")

    migration.fill_existing_listings(apps, None)

    assert [price_eur(three_currencies[key]) for key in ("eur", "try", "cny")] == [
        Decimal("1.90"), Decimal("2.25"), Decimal("1.95")]


# --- bounds and sorting ---------------------------------------------------------------------------

def test_eur_bounds_are_inclusive_on_the_shown_price(three_currencies):
    lira = three_currencies["try"].pk  # 90.00 TRY at 40 TRY per EUR: 2.25 EUR
    assert found(price_min=Decimal("2.25"), price_max=Decimal("2.25")) == [lira]
    assert found(price_min=Decimal("2.26")) == []
    assert lira not in found(price_max=Decimal("2.24"))


def test_bounds_in_another_currency_match_the_rounded_converted_price(db):
    set_rates(TRY="40", CNY="8")
    # 0.99 TRY is 0.02475 EUR, 0.198 CNY: shown as 0.20 CNY (half up).
    listing = PublishedListingFactory(seller=seller("TRY"), unit_price="0.99")
    yuan = selectors.display_currency_get("CNY")
    assert selectors.listing_price_in(Listing.objects.get(pk=listing.pk), yuan) == Decimal("0.20")
    assert found(price_min=Decimal("0.20"), price_max=Decimal("0.20"), display=yuan) == [listing.pk]
    assert found(price_min=Decimal("0.21"), display=yuan) == []
    assert found(price_max=Decimal("0.19"), display=yuan) == []


def test_a_listing_in_the_display_currency_keeps_its_exact_price_at_any_bound(db):
    listing = PublishedListingFactory(seller=seller("TRY"), unit_price="4.20")  # shipped rate 43.6932
    lira = selectors.display_currency_get("TRY")
    assert selectors.listing_price_in(Listing.objects.get(pk=listing.pk), lira) == Decimal("4.20")
    assert found(price_min=Decimal("4.20"), price_max=Decimal("4.20"), display=lira) == [listing.pk]
    assert found(price_min=Decimal("4.21"), display=lira) == []
    assert found(price_max=Decimal("4.19"), display=lira) == []


def test_price_sort_across_eur_try_and_cny(three_currencies):
    # In EUR: euro 1.90, yuan 1.95, lira 2.25; the raw numbers (1.90, 90.00, 15.60) would sort otherwise.
    expected = [three_currencies[key].pk for key in ("eur", "cny", "try")]
    assert found(sort="price_asc") == expected
    assert found(sort="price_desc") == expected[::-1]
    assert found(sort="price_asc", display=selectors.display_currency_get("CNY")) == expected


def test_raw_numbers_are_not_compared_across_currencies(three_currencies):
    """The issue's case: a 1-5 range must not match 1.90 EUR and 2.10 CNY alike."""
    cheap_yuan = PublishedListingFactory(seller=seller("CNY"), unit_price="2.10")  # 0.2625 EUR
    in_range = found(price_min=Decimal("1"), price_max=Decimal("5"))
    assert in_range == [three_currencies["cny"].pk, three_currencies["try"].pk, three_currencies["eur"].pk]
    assert cheap_yuan.pk not in in_range


# --- display currencies ---------------------------------------------------------------------------

def test_display_currency_of_eur_needs_no_query(db):
    with CaptureQueriesContext(connection) as captured:
        assert selectors.display_currency_get("eur") == selectors.EUR_DISPLAY
    assert len(captured) == 0


def test_display_currency_with_a_rate(db):
    set_rates(TRY="40")
    assert selectors.display_currency_get("TRY") == selectors.DisplayCurrency(
        code="TRY", per_eur=Decimal("40.00000000"), as_of=timezone.localdate(), source="manual")


@pytest.mark.parametrize(("code", "message"), [
    ("XYZ", "XYZ is not an ISO 4217 currency code."),
    ("JPY", "Prices cannot be shown in JPY: it has no exchange rate."),
])
def test_unknown_display_currency_is_a_field_error(db, code, message):
    FxRate.objects.filter(currency="JPY").delete()
    with pytest.raises(Exception) as caught:
        selectors.display_currency_get(code)
    assert (caught.value.code, caught.value.fields) == ("validation_error", {"currency": [message]})


# --- API ------------------------------------------------------------------------------------------

def test_api_rows_carry_the_price_in_the_display_currency(api_client, three_currencies):
    response = api_client.get(LISTINGS, {"currency": "try", "sort": "price_asc"})

    assert response.status_code == 200
    rows = {row["title"]: (row["price_from"], row["currency"], row["display_price"])
            for row in response.json()["results"]}
    assert rows == {
        "Euro towel": ("1.90", "EUR", {"amount": "76.00", "currency": "TRY", "approximate": True}),
        "Yuan towel": ("15.60", "CNY", {"amount": "78.00", "currency": "TRY", "approximate": True}),
        "Lira towel": ("90.00", "TRY", {"amount": "90.00", "currency": "TRY", "approximate": False}),
    }
    assert [row["title"] for row in response.json()["results"]] == ["Euro towel", "Yuan towel", "Lira towel"]


def test_api_price_bounds_are_in_the_display_currency(api_client, three_currencies):
    response = api_client.get(LISTINGS, {"currency": "CNY", "price_min": "15.60", "price_max": "15.60"})
    assert [row["title"] for row in response.json()["results"]] == ["Yuan towel"]
    # The euro towel is 1.90 EUR = 15.20 CNY, the lira towel 2.25 EUR = 18.00 CNY.
    response = api_client.get(LISTINGS, {"currency": "CNY", "price_min": "15.20", "price_max": "17.99"})
    assert [row["title"] for row in response.json()["results"]] == ["Yuan towel", "Euro towel"]
    response = api_client.get(LISTINGS, {"currency": "CNY", "price_min": "15.21", "price_max": "18.00"})
    assert [row["title"] for row in response.json()["results"]] == ["Yuan towel", "Lira towel"]


@pytest.mark.parametrize(("currency", "message"), [
    ("XYZ", "XYZ is not an ISO 4217 currency code."),
    ("JPY", "Prices cannot be shown in JPY: it has no exchange rate."),
])
def test_api_unknown_currency_is_a_400_naming_the_field(api_client, three_currencies, currency, message):
    FxRate.objects.filter(currency="JPY").delete()
    with assert_unchanged():
        response = api_client.get(LISTINGS, {"currency": currency})
    assert_error(response, 400, "validation_error", fields={"currency": [message]})


def test_api_currency_longer_than_a_code_is_refused(api_client, db):
    response = api_client.get(LISTINGS, {"currency": "EURO"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"currency": ["Ensure this field has no more than 3 characters."]}
