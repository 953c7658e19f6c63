"""What the metrics read about orders: how many are in each state (one grouped query)."""
from __future__ import annotations

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from .models import Order, OrderStatus


def order_counts_by_status() -> dict[str, int]:
    """Every state with its number of orders (0 for a state no order is in)."""
    counts = dict(Order.objects.order_by().values_list("status").annotate(count=Count("pk")))
    return {status: counts.get(status, 0) for status in OrderStatus.values}


def order_metrics() -> list[GaugeMetricFamily]:
    family = GaugeMetricFamily("smemarket_orders", "Orders in each state.", labels=["state"])
    for status, count in order_counts_by_status().items():
        family.add_metric([status], count)
    return [family]
