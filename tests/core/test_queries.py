"""core.queries.CompiledRead: the SQL is compiled once, the rows are read on every call."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.queries import CompiledRead
from fx import selectors
from fx.models import FxRate, FxSource

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_shipped_rates():
    FxRate.objects.all().delete()


def _rates():
    return FxRate.objects.order_by("currency", "date").values_list("currency", "rate", "date", "source")


def test_rows_are_those_of_the_queryset_with_the_orm_types(django_assert_num_queries):
    FxRate.objects.create(currency="USD", date=date(2026, 1, 2), rate=Decimal("1.08000000"), source=FxSource.ECB)
    read = CompiledRead(_rates)
    with django_assert_num_queries(1):
        rows = read.rows()
    assert rows == list(_rates())
    assert rows[0] == ("USD", Decimal("1.08000000"), date(2026, 1, 2), "ecb")
    assert type(rows[0][1]) is Decimal and type(rows[0][2]) is date


def test_every_call_reads_the_rows_again(django_assert_num_queries):
    read = CompiledRead(_rates)
    assert read.rows() == []
    FxRate.objects.create(currency="TRY", date=date(2026, 1, 2), rate=Decimal("36.50000000"), source=FxSource.MANUAL)
    with django_assert_num_queries(1):
        assert read.rows() == [("TRY", Decimal("36.50000000"), date(2026, 1, 2), "manual")]


def test_a_new_rate_is_in_the_next_rate_list_and_changes_the_quotes():
    FxRate.objects.create(currency="USD", date=date(2026, 1, 2), rate=Decimal("1.08000000"), source=FxSource.ECB)
    assert [(q.quote, q.rate) for q in selectors.fx_rate_list()] == [("USD", Decimal("1.08000000"))]
    FxRate.objects.create(currency="USD", date=date(2026, 1, 3), rate=Decimal("1.10000000"), source=FxSource.ECB)
    assert [(q.quote, q.rate, q.as_of) for q in selectors.fx_rate_list()] == [
        ("USD", Decimal("1.10000000"), date(2026, 1, 3))]
    assert [(q.quote, q.rate) for q in selectors.fx_rate_list(base="USD")] == [
        ("EUR", (Decimal(1) / Decimal("1.1")).quantize(Decimal("0.00000001")))]
