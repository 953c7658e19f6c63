"""How fresh the rates are (fx_freshness), the one rate date of a page's conversions (fx_quotes_as_of),
the FX_STALE_AFTER_DAYS setting, the fx_fetch command and the freshness in the API answers.

The boundary: a rate exactly FX_STALE_AFTER_DAYS days old is still fresh; one day more is stale."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from drf_spectacular.generators import SchemaGenerator

from fx import selectors
from fx.models import FxRate, FxSource
from fx.selectors import PAR, FxFreshness, FxQuote, fx_freshness, fx_quotes_as_of
from fx.shipped import FIXTURES_DIR
from tests.fx.helpers import rate_rows

pytestmark = pytest.mark.django_db

FRESHNESS = "/api/v1/fx-rates/freshness/"
NEWEST = date(2025, 4, 24)  # the newest shipped rate


def quote(as_of: date, source: str = FxSource.ECB) -> FxQuote:
    return FxQuote(base="TRY", quote="EUR", rate=Decimal("0.025"), as_of=as_of, source=str(source))


# --- fx_freshness ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("today", "age", "stale"), [
    (date(2025, 4, 24), 0, False),
    (date(2025, 4, 27), 3, False),
    (date(2025, 4, 28), 4, False),  # exactly FX_STALE_AFTER_DAYS old: still fresh
    (date(2025, 4, 29), 5, True),   # one day more: stale
    (date(2026, 12, 6), 591, True),
])
def test_the_rates_are_stale_when_older_than_the_setting(today, age, stale, django_assert_num_queries):
    with django_assert_num_queries(1):
        freshness = fx_freshness(today=today)

    assert freshness == FxFreshness(as_of=NEWEST, age_days=age, stale=stale, stale_after_days=4)


@pytest.mark.parametrize(("today", "stale"), [(date(2025, 5, 1), False), (date(2025, 5, 2), True)])
def test_the_limit_comes_from_the_setting(settings, today, stale):
    settings.FX_STALE_AFTER_DAYS = 7

    assert fx_freshness(today=today).stale is stale
    assert fx_freshness(today=today).stale_after_days == 7


def test_the_default_limit_is_four_days(settings):
    assert settings.FX_STALE_AFTER_DAYS == 4


def test_today_is_the_local_date_by_default():
    with time_machine.travel("2025-04-28 23:59:59Z", tick=False):
        fresh = fx_freshness()
    with time_machine.travel("2025-04-29 00:00:00Z", tick=False):
        stale = fx_freshness()

    assert (fresh.age_days, fresh.stale, stale.age_days, stale.stale) == (4, False, 5, True)


def test_the_newest_rate_of_any_currency_and_source_counts():
    FxRate.objects.create(date=date(2025, 5, 6), currency="KES", rate=Decimal("147"), source=FxSource.MANUAL)

    assert fx_freshness(today=date(2025, 5, 8)) == FxFreshness(as_of=date(2025, 5, 6), age_days=2, stale=False,
                                                                stale_after_days=4)


def test_a_rate_dated_after_today_is_zero_days_old():
    assert fx_freshness(today=date(2025, 4, 20)) == FxFreshness(as_of=NEWEST, age_days=0, stale=False,
                                                                 stale_after_days=4)


def test_no_rates_at_all_are_stale(empty_rates):
    assert fx_freshness(today=date(2025, 4, 24)) == FxFreshness(as_of=None, age_days=None, stale=True,
                                                                 stale_after_days=4)


# --- fx_quotes_as_of: one rate date per page --------------------------------------------------------

def test_the_date_of_a_pages_conversions_is_the_oldest_rate_used():
    quotes = [quote(date(2025, 4, 24)), quote(date(2025, 4, 22), FxSource.MANUAL), quote(date(2025, 4, 23))]

    assert fx_quotes_as_of(quotes) == date(2025, 4, 22)


def test_a_currency_shown_in_itself_and_a_missing_rate_give_no_date():
    same = selectors.fx_quote(base="TRY", quote="TRY")  # dated today, but no rate is used

    assert same.source == PAR
    assert fx_quotes_as_of([same, None, quote(date(2025, 4, 17))]) == date(2025, 4, 17)
    assert fx_quotes_as_of([same, None]) is None
    assert fx_quotes_as_of([]) is None


# --- the setting ---------------------------------------------------------------------------------

def _settings_value(value: str | None) -> subprocess.CompletedProcess:
    env = {key: val for key, val in os.environ.items() if key != "FX_STALE_AFTER_DAYS"}
    if value is not None:
        env["FX_STALE_AFTER_DAYS"] = value
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    code = "from django.conf import settings; print(settings.FX_STALE_AFTER_DAYS)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          cwd=str(FIXTURES_DIR.parent.parent))


@pytest.mark.parametrize(("value", "expected"), [(None, "4"), ("", "4"), ("1", "1"), ("10", "10")])
def test_the_setting_is_read_from_the_environment(value, expected):
    result = _settings_value(value)

    assert (result.returncode, result.stdout.strip()) == (0, expected)


@pytest.mark.parametrize(("value", "message"), [
    ("0", "FX_STALE_AFTER_DAYS must be a positive integer, got 0"),
    ("-3", "FX_STALE_AFTER_DAYS must be a positive integer, got -3"),
    ("four", "FX_STALE_AFTER_DAYS must be an integer, got 'four'"),
])
def test_a_setting_that_is_not_a_positive_integer_stops_the_process(value, message):
    result = _settings_value(value)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


# --- manage.py fx_fetch --------------------------------------------------------------------------

def test_the_command_fetches_with_the_service_of_the_beat_task(empty_rates, capsys):
    url = (FIXTURES_DIR / "eurofxref-daily-sample.xml").as_uri()

    with time_machine.travel("2025-04-25 08:00Z", tick=False):
        call_command("fx_fetch", url=url)

    assert capsys.readouterr().out == (
        "Stored the ECB exchange rates of 2025-04-24. The newest stored rate is of 2025-04-24, 1 day(s) old: "
        "fresh (stale after 4 days).\n")
    assert FxRate.objects.filter(date=NEWEST, source=FxSource.ECB).count() == 30
    assert FxRate.objects.count() == 30


def test_the_command_reads_the_configured_feed_by_default(empty_rates, settings, monkeypatch):
    settings.FX_ECB_URL = (FIXTURES_DIR / "eurofxref-daily-sample.xml").as_uri()
    calls = []
    real = urllib.request.urlopen
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: calls.append(url) or real(url))

    call_command("fx_fetch")

    assert calls == [settings.FX_ECB_URL]
    assert FxRate.objects.count() == 30


def test_a_failed_fetch_is_an_error_and_keeps_the_stored_rates(capsys):
    before = rate_rows()
    missing = (FIXTURES_DIR / "no-such-feed.xml").as_uri()

    with time_machine.travel("2025-04-30 08:00Z", tick=False), pytest.raises(CommandError) as excinfo:
        call_command("fx_fetch", url=missing)

    assert str(excinfo.value) == (
        "The ECB exchange rates could not be fetched (see the warning above); the stored rates stay in use. "
        "The newest stored rate is of 2025-04-24, 6 day(s) old: stale (stale after 4 days).")
    assert rate_rows() == before


def test_the_command_refuses_when_fetching_is_switched_off(settings, monkeypatch):
    settings.FX_FETCH_ENABLED = False
    before = rate_rows()
    monkeypatch.setattr(urllib.request, "urlopen", lambda *args, **kwargs: pytest.fail("fetched"))

    with pytest.raises(CommandError) as excinfo:
        call_command("fx_fetch")

    assert str(excinfo.value) == ("Fetching exchange rates is switched off (FX_FETCH_ENABLED=false); the stored "
                                  "rates stay in use.")
    assert rate_rows() == before


# --- the API -------------------------------------------------------------------------------------

@time_machine.travel("2025-04-29 10:00Z", tick=False)
def test_the_freshness_endpoint_is_public(api_client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get(FRESHNESS)

    assert response.status_code == 200
    assert response.json() == {"rates_as_of": "2025-04-24", "rates_age_days": 5, "rates_stale": True,
                               "rates_stale_after_days": 4}


@time_machine.travel("2025-04-28 10:00Z", tick=False)
def test_the_freshness_endpoint_on_the_last_fresh_day(api_client):
    assert api_client.get(FRESHNESS).json() == {"rates_as_of": "2025-04-24", "rates_age_days": 4,
                                                "rates_stale": False, "rates_stale_after_days": 4}


def test_the_freshness_endpoint_without_rates(api_client, empty_rates):
    assert api_client.get(FRESHNESS).json() == {"rates_as_of": None, "rates_age_days": None, "rates_stale": True,
                                                "rates_stale_after_days": 4}


def test_the_schema_documents_the_freshness_fields():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    freshness = schema["paths"]["/api/v1/fx-rates/freshness/"]["get"]["responses"]["200"]
    assert freshness["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FxFreshness"}
    fields = {"rates_as_of", "rates_age_days", "rates_stale", "rates_stale_after_days"}
    for name in ("FxFreshness", "ConvertResult", "Cart", "CheckoutPreview"):
        assert fields <= set(components[name]["properties"]), name
        assert fields <= set(components[name]["required"]), name
    assert components["FxFreshness"]["properties"]["rates_as_of"] == {
        "type": "string", "format": "date", "nullable": True,
        "description": "The date of the newest stored exchange rate; null when none is stored."}
    assert components["CheckoutPreview"]["properties"]["fx_as_of"]["nullable"] is True
    convert = schema["paths"]["/api/v1/fx-rates/convert/"]["get"]["responses"]
    assert {"200", "400"} <= set(convert)
    assert {"200", "400", "404"} <= set(schema["paths"]["/api/v1/fx-rates/"]["get"]["responses"])


def _checkout_preview_world():
    from orders import services as orders_services
    from tests.orders.helpers import build_world

    world = build_world()
    orders_services.cart_line_add(actor=world.buyer_owner, buyer=world.buyer, listing_id=world.towel.pk,
                                  quantity=20, incoterm=None)
    return world


def test_the_checkout_preview_answer_says_how_fresh_the_rates_are(as_user):
    with time_machine.travel("2026-01-10 12:00Z", tick=False):  # the world's rates are of 2026-01-05
        world = _checkout_preview_world()
        response = as_user(world.buyer_owner).post("/api/v1/checkout/preview/", {}, format="json")

    body = response.json()
    assert response.status_code == 200
    assert (body["buyer_currency"], body["fx_as_of"], body["orders"][0]["fx"], body["rates_as_of"],
            body["rates_age_days"], body["rates_stale"], body["rates_stale_after_days"]) == (
        "EUR", "2026-01-05", {"rate": "0.02500000", "as_of": "2026-01-05", "source": "ecb"}, "2026-01-05", 5, True, 4)


def test_a_checkout_preview_in_the_sellers_currency_has_no_conversion_date(as_user):
    with time_machine.travel("2026-01-09 12:00Z", tick=False):
        world = _checkout_preview_world()
        response = as_user(world.buyer_owner).post("/api/v1/checkout/preview/", {"currency": "TRY"}, format="json")

    body = response.json()
    assert response.status_code == 200
    # the order's own quote is "par" and dated today; the page's conversion date leaves it out
    assert (body["buyer_currency"], body["fx_as_of"], body["orders"][0]["fx"], body["rates_as_of"],
            body["rates_age_days"], body["rates_stale"]) == (
        "TRY", None, {"rate": "1.00000000", "as_of": "2026-01-09", "source": "par"}, "2026-01-05", 4, False)
