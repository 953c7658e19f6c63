"""A fresh database has rates before any fetch: the data migration loads the shipped ones."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Count

from fx.models import FxRate

pytestmark = pytest.mark.django_db


def test_a_fresh_database_has_the_shipped_rates():
    assert FxRate.objects.count() == 190
    assert dict(FxRate.objects.values_list("source").annotate(n=Count("pk"))) == {"ecb": 180, "manual": 10}
    assert FxRate.objects.filter(date=date(2025, 4, 24)).count() == 30
    assert FxRate.objects.get(date=date(2025, 4, 24), currency="USD").rate == Decimal("1.13760000")
    assert FxRate.objects.get(date=date(2025, 4, 22), currency="VND").rate == Decimal("29386.00000000")
