"""Storing rates, loading the shipped rates and fetching the ECB feed (never over the network)."""
from __future__ import annotations

import io
import logging
import socket
import urllib.error
import urllib.request
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count

from core.exceptions import ApplicationError
from fx import services
from fx.models import FxRate, FxSource
from fx.shipped import FIXTURES_DIR
from tests.fx.helpers import rate_rows

pytestmark = pytest.mark.django_db

DAILY = (FIXTURES_DIR / "eurofxref-daily-sample.xml").read_bytes()
HISTORY = (FIXTURES_DIR / "eurofxref-hist-90d-sample.xml").read_bytes()
D = date(2025, 5, 2)


def rates_on(day: date) -> dict[str, tuple[Decimal, str]]:
    return {row.currency: (row.rate, row.source) for row in FxRate.objects.filter(date=day)}


class FakeUrlopen:
    """Stands in for urllib.request.urlopen: records the calls and answers with `body` or raises `error`."""

    def __init__(self, body: bytes = b"", error: BaseException | None = None):
        self.body, self.error, self.calls = body, error, []

    def __call__(self, url, timeout=None):
        self.calls.append((url, timeout))
        if self.error is not None:
            raise self.error
        return io.BytesIO(self.body)


# Storing


def test_store_writes_one_row_per_currency(empty_rates):
    count = services.fx_rates_store(day=D, rates={"USD": Decimal("1.1290"), "TRY": Decimal("43.9")},
                                    source=FxSource.ECB)

    assert count == 2
    assert rates_on(D) == {"USD": (Decimal("1.12900000"), "ecb"), "TRY": (Decimal("43.90000000"), "ecb")}


def test_storing_the_same_rates_twice_gives_the_same_rows(empty_rates):
    rates = {"USD": Decimal("1.1290"), "TRY": Decimal("43.9"), "JPY": Decimal("161.5")}
    services.fx_rates_store(day=D, rates=rates, source=FxSource.ECB)
    first = [row[:6] for row in rate_rows()]

    services.fx_rates_store(day=D, rates=rates, source=FxSource.ECB)

    assert [row[:6] for row in rate_rows()] == first
    assert FxRate.objects.count() == 3


def test_a_new_ecb_rate_of_the_same_day_replaces_the_old_one(empty_rates):
    services.fx_rates_store(day=D, rates={"USD": Decimal("1.1290")}, source=FxSource.ECB)
    pk = FxRate.objects.get().pk

    services.fx_rates_store(day=D, rates={"USD": Decimal("1.1301")}, source=FxSource.ECB)

    assert list(FxRate.objects.values_list("pk", "rate", "source")) == [(pk, Decimal("1.13010000"), "ecb")]


def test_an_ecb_rate_replaces_a_manual_rate_of_the_same_day(empty_rates):
    services.fx_rates_store(day=D, rates={"USD": Decimal("1.12")}, source=FxSource.MANUAL)

    services.fx_rates_store(day=D, rates={"USD": Decimal("1.1290")}, source=FxSource.ECB)

    assert rates_on(D) == {"USD": (Decimal("1.12900000"), "ecb")}


def test_a_manual_rate_never_replaces_an_ecb_rate(empty_rates):
    services.fx_rates_store(day=D, rates={"USD": Decimal("1.1290")}, source=FxSource.ECB)
    before = rate_rows()

    count = services.fx_rates_store(day=D, rates={"USD": Decimal("1.50"), "KES": Decimal("146.2")},
                                    source=FxSource.MANUAL)

    assert count == 2
    assert rate_rows()[0] == before[0]
    assert rates_on(D) == {"USD": (Decimal("1.12900000"), "ecb"), "KES": (Decimal("146.20000000"), "manual")}


@pytest.mark.parametrize("currency", ["EUR", "BGN", "ABC"])
def test_a_manual_rate_must_be_for_a_current_iso_currency_other_than_eur(currency):
    before = rate_rows()

    with pytest.raises(ApplicationError) as excinfo:
        services.fx_rates_store(day=D, rates={"KES": Decimal("146.2"), currency: Decimal("2")},
                                source=FxSource.MANUAL)

    assert excinfo.value.code == "validation_error"
    assert excinfo.value.fields == {"currency": [f"{currency} cannot have a rate against EUR."]}
    assert rate_rows() == before


def test_a_manual_rate_replaces_a_manual_rate(empty_rates):
    services.fx_rates_store(day=D, rates={"KES": Decimal("146.2"), "NGN": Decimal("1810")}, source=FxSource.MANUAL)
    pks = dict(FxRate.objects.values_list("currency", "pk"))

    services.fx_rates_store(day=D, rates={"KES": Decimal("147.05")}, source=FxSource.MANUAL)

    assert rates_on(D) == {"KES": (Decimal("147.05000000"), "manual"), "NGN": (Decimal("1810.00000000"), "manual")}
    assert dict(FxRate.objects.values_list("currency", "pk")) == pks


RATE_MESSAGE = "The rate of USD must be a positive number with at most 8 decimals."


@pytest.mark.parametrize(("rates", "fields"), [
    ({"EUR": Decimal("1")}, {"currency": ["EUR cannot have a rate against EUR."]}),
    ({"usd": Decimal("1.2")}, {"currency": ["usd cannot have a rate against EUR."]}),
    ({"US": Decimal("1.2")}, {"currency": ["US cannot have a rate against EUR."]}),
    ({"USD": Decimal("0")}, {"rate": [RATE_MESSAGE]}),
    ({"USD": Decimal("-1.1")}, {"rate": [RATE_MESSAGE]}),
    ({"USD": Decimal("1.123456789")}, {"rate": [RATE_MESSAGE]}),
    ({"USD": Decimal("NaN")}, {"rate": [RATE_MESSAGE]}),
    ({"USD": "abc"}, {"rate": [RATE_MESSAGE]}),
    ({"USD": None}, {"rate": [RATE_MESSAGE]}),
    ({"USD": Decimal("1e10")}, {"rate": [RATE_MESSAGE]}),
])
def test_store_refuses_bad_rates_and_changes_nothing(rates, fields):
    before = rate_rows()

    with pytest.raises(ApplicationError) as excinfo:
        services.fx_rates_store(day=D, rates={"TRY": Decimal("43.9"), **rates}, source=FxSource.ECB)

    assert excinfo.value.code == "validation_error"
    assert excinfo.value.fields == fields
    assert rate_rows() == before


@pytest.mark.parametrize("currency", ["EUR", "BGN", "ABC"])
def test_a_manual_rate_must_be_for_a_current_iso_currency_other_than_eur(currency):
    before = rate_rows()

    with pytest.raises(ApplicationError) as excinfo:
        services.fx_rates_store(day=D, rates={"KES": Decimal("146.2"), currency: Decimal("2")},
                                source=FxSource.MANUAL)

    assert excinfo.value.code == "validation_error"
    assert excinfo.value.fields == {"currency": [f"{currency} cannot have a rate against EUR."]}
    assert rate_rows() == before


def test_a_manual_rate_replaces_a_manual_rate(empty_rates):
    services.fx_rates_store(day=D, rates={"KES": Decimal("146.2"), "NGN": Decimal("1810")}, source=FxSource.MANUAL)
    pks = dict(FxRate.objects.values_list("currency", "pk"))

    services.fx_rates_store(day=D, rates={"KES": Decimal("147.05")}, source=FxSource.MANUAL)

    assert rates_on(D) == {"KES": (Decimal("147.05000000"), "manual"), "NGN": (Decimal("1810.00000000"), "manual")}
    assert dict(FxRate.objects.values_list("currency", "pk")) == pks


@pytest.mark.parametrize(("rates", "field"), [
    ({"EUR": Decimal("1")}, "currency"),
    ({"usd": Decimal("1.2")}, "currency"),
    ({"US": Decimal("1.2")}, "currency"),
    ({"USD": Decimal("0")}, "rate"),
    ({"USD": Decimal("-1.1")}, "rate"),
    ({"USD": Decimal("1.123456789")}, "rate"),
    ({"USD": Decimal("NaN")}, "rate"),
    ({"USD": "abc"}, "rate"),
    ({"USD": None}, "rate"),
    ({"USD": Decimal("1e10")}, "rate"),
])
def test_store_refuses_bad_rates_and_changes_nothing(rates, field):
    before = rate_rows()

    with pytest.raises(ApplicationError) as excinfo:
        services.fx_rates_store(day=D, rates={"TRY": Decimal("43.9"), **rates}, source=FxSource.ECB)

    assert excinfo.value.code == "validation_error"
    assert list(excinfo.value.fields) == [field]
    assert rate_rows() == before


# Shipped rates


def test_load_fixture_fills_an_empty_table(empty_rates):
    assert services.fx_rates_load_fixture() == 190

    assert FxRate.objects.count() == 190
    per_source = dict(FxRate.objects.values_list("source").annotate(n=Count("pk")))
    assert per_source == {"ecb": 180, "manual": 10}
    assert rates_on(date(2025, 4, 24))["USD"] == (Decimal("1.13760000"), "ecb")
    assert rates_on(date(2025, 4, 22))["KES"] == (Decimal("146.51000000"), "manual")
    assert sorted(FxRate.objects.filter(source="manual").values_list("currency", flat=True)) == [
        "AED", "BDT", "EGP", "KES", "KZT", "NGN", "PKR", "SAR", "UAH", "VND"]


def test_load_fixture_leaves_existing_rates_alone(empty_rates):
    services.fx_rates_store(day=D, rates={"USD": Decimal("1.1290")}, source=FxSource.ECB)
    before = rate_rows()

    assert services.fx_rates_load_fixture() == 0

    assert rate_rows() == before


# Fetching


def test_fetch_stores_the_daily_feed_and_returns_its_date(empty_rates, monkeypatch, settings):
    fake = FakeUrlopen(DAILY)
    monkeypatch.setattr(urllib.request, "urlopen", fake)

    assert services.fx_rates_fetch() == date(2025, 4, 24)

    assert fake.calls == [(settings.FX_ECB_URL, 10)]
    stored = rates_on(date(2025, 4, 24))
    assert len(stored) == 30
    assert stored["USD"] == (Decimal("1.13760000"), "ecb")
    assert stored["TRY"] == (Decimal("43.69320000"), "ecb")
    assert stored["IDR"] == (Decimal("19145.93000000"), "ecb")
    assert FxRate.objects.count() == 30


def test_the_default_url_is_the_ecb_daily_feed(settings):
    assert settings.FX_ECB_URL == "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"


def test_fetch_from_a_file_url_of_the_history_sample(empty_rates):
    url = (FIXTURES_DIR / "eurofxref-hist-90d-sample.xml").as_uri()

    assert services.fx_rates_fetch(url=url, timeout=3) == date(2025, 4, 23)

    assert FxRate.objects.count() == 150
    assert list(FxRate.objects.order_by("date").values_list("date", flat=True).distinct()) == [
        date(2025, 4, 15), date(2025, 4, 16), date(2025, 4, 17), date(2025, 4, 22), date(2025, 4, 23)]
    assert rates_on(date(2025, 4, 15))["TRY"] == (Decimal("43.27910000"), "ecb")


def test_fetching_twice_is_idempotent(monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", FakeUrlopen(DAILY))
    services.fx_rates_fetch()
    first = [row[:6] for row in rate_rows()]

    assert services.fx_rates_fetch() == date(2025, 4, 24)

    assert [row[:6] for row in rate_rows()] == first
    assert FxRate.objects.count() == 190


def test_fetch_replaces_a_manual_rate_of_a_currency_the_ecb_publishes(empty_rates, monkeypatch):
    services.fx_rates_store(day=date(2025, 4, 24), rates={"USD": Decimal("1.10"), "KES": Decimal("147")},
                            source=FxSource.MANUAL)
    monkeypatch.setattr(urllib.request, "urlopen", FakeUrlopen(DAILY))

    services.fx_rates_fetch()

    stored = rates_on(date(2025, 4, 24))
    assert stored["USD"] == (Decimal("1.13760000"), "ecb")
    assert stored["KES"] == (Decimal("147.00000000"), "manual")


def test_fetch_stores_currencies_as_the_ecb_publishes_them(empty_rates, monkeypatch):
    body = DAILY.replace(b"<Cube currency='USD' rate='1.1376'/>",
                         b"<Cube currency='USD' rate='1.1376'/><Cube currency='HRK' rate='7.5345'/>")
    monkeypatch.setattr(urllib.request, "urlopen", FakeUrlopen(body))

    assert services.fx_rates_fetch() == date(2025, 4, 24)

    assert FxRate.objects.count() == 31
    assert rates_on(date(2025, 4, 24))["HRK"] == (Decimal("7.53450000"), "ecb")
    assert rates_on(date(2025, 4, 24))["BGN"] == (Decimal("1.95580000"), "ecb")


@pytest.mark.parametrize("fake", [
    FakeUrlopen(error=urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))),
    FakeUrlopen(error=TimeoutError("timed out")),
    FakeUrlopen(error=socket.timeout("timed out")),
    FakeUrlopen(error=urllib.error.HTTPError("https://www.ecb.europa.eu/", 503, "Service Unavailable", {}, None)),
    FakeUrlopen(error=ConnectionResetError(104, "Connection reset by peer")),
    FakeUrlopen(b"<html><body>Maintenance</body></html>"),
    FakeUrlopen(DAILY[:400]),
    FakeUrlopen(b"<gesmes:Envelope" + b" " * services.MAX_FEED_BYTES + b"/>"),
], ids=["dns", "timeout", "socket-timeout", "http-503", "reset", "html", "truncated", "too-large"])
def test_a_failed_fetch_returns_none_and_keeps_the_stored_rates(fake, monkeypatch, caplog):
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    before = rate_rows()

    with caplog.at_level(logging.WARNING, logger="fx.services"):
        assert services.fx_rates_fetch() is None

    assert rate_rows() == before
    assert len(before) == 190
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert caplog.records[0].getMessage().startswith(
        "Could not fetch the ECB exchange rates from https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml: ")


def test_fetch_refuses_other_url_schemes(monkeypatch, caplog):
    fake = FakeUrlopen(DAILY)
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    before = rate_rows()

    assert services.fx_rates_fetch(url="ftp://example.com/eurofxref-daily.xml") is None

    assert fake.calls == []
    assert rate_rows() == before
    assert "Refusing to fetch rates over 'ftp'." in caplog.text


def test_fetch_does_nothing_when_switched_off(monkeypatch, settings):
    settings.FX_FETCH_ENABLED = False
    fake = FakeUrlopen(DAILY)
    monkeypatch.setattr(urllib.request, "urlopen", fake)
    before = rate_rows()

    assert services.fx_rates_fetch() is None

    assert fake.calls == []
    assert rate_rows() == before
