"""The daily fetch task, called as a function (no eager Celery), and its beat entry."""
from __future__ import annotations

import io
import urllib.error
import urllib.request

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import OperationalError

from fx.models import FxRate
from fx.shipped import FIXTURES_DIR
from fx.tasks import FxFetchFailed, fx_rates_fetch
from tests.fx.helpers import rate_rows

pytestmark = pytest.mark.django_db


def test_the_task_stores_the_feed_and_returns_its_date(empty_rates, monkeypatch):
    body = (FIXTURES_DIR / "eurofxref-daily-sample.xml").read_bytes()
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(body))

    assert fx_rates_fetch() == "2025-04-24"
    assert fx_rates_fetch() == "2025-04-24"

    assert FxRate.objects.count() == 30


def test_a_failed_fetch_raises_so_the_task_retries_and_keeps_the_rates(monkeypatch):
    def offline(url, timeout=None):
        raise urllib.error.URLError("Network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    before = rate_rows()

    with pytest.raises(FxFetchFailed):
        fx_rates_fetch()

    assert rate_rows() == before


def test_the_task_does_nothing_when_fetching_is_switched_off(monkeypatch, settings):
    settings.FX_FETCH_ENABLED = False
    calls = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda *args, **kwargs: calls.append(args))
    before = rate_rows()

    assert fx_rates_fetch() is None

    assert calls == []
    assert rate_rows() == before


def test_the_task_retries_with_backoff_and_has_time_limits():
    assert fx_rates_fetch.name == "fx.tasks.fx_rates_fetch"
    assert fx_rates_fetch.autoretry_for == (FxFetchFailed, OperationalError)
    assert (fx_rates_fetch.retry_backoff, fx_rates_fetch.retry_backoff_max, fx_rates_fetch.max_retries) == (60, 600, 5)
    assert (fx_rates_fetch.soft_time_limit, fx_rates_fetch.time_limit) == (60, 90)


def test_beat_runs_the_fetch_daily_after_the_ecb_publishes():
    assert settings.CELERY_BEAT_SCHEDULE["fx-rates-fetch"] == {"task": "fx.tasks.fx_rates_fetch",
                                                              "schedule": crontab(hour=15, minute=30)}
