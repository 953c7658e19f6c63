"""No test of the exchange rates may reach the network: urlopen only serves file:// URLs unless a
test replaces it."""
from __future__ import annotations

import urllib.request

import pytest

from fx.models import FxRate

_real_urlopen = urllib.request.urlopen


def _local_only_urlopen(url, *args, **kwargs):
    target = url.full_url if isinstance(url, urllib.request.Request) else url
    if not str(target).startswith("file://"):
        raise AssertionError(f"A test tried to reach the network: {target}")
    return _real_urlopen(url, *args, **kwargs)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", _local_only_urlopen)


@pytest.fixture
def empty_rates(db):
    FxRate.objects.all().delete()
