"""Thin tasks of the trust app: they take ids or nothing, are safe to run twice and have time limits."""
from __future__ import annotations

from celery import shared_task

from core.tasks import RETRY


@shared_task(**RETRY, soft_time_limit=60, time_limit=90)
def seller_performance_update(order_id: int | None = None, seller_id: int | None = None) -> None:
    """After an order event (order_id) or a quote (seller_id): folds the new events and recomputes
    the seller's figures."""
    from .services import seller_performance_update as update

    update(order_id=order_id, seller_id=seller_id)


@shared_task(**RETRY, soft_time_limit=50 * 60, time_limit=55 * 60)
def seller_performance_recompute_all() -> dict[str, int]:
    """Nightly: every record rebuilt from the event log and every seller's figures recomputed."""
    from .services import seller_performance_recompute_all as recompute

    return recompute()
