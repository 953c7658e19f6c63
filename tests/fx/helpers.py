"""Helpers shared by the exchange-rate tests."""
from __future__ import annotations

from fx.models import FxRate


def rate_rows() -> list[tuple]:
    """Every stored row with everything that identifies and describes it."""
    return list(FxRate.objects.order_by("pk").values_list("pk", "date", "currency", "rate", "source", "created_at",
                                                          "updated_at"))
