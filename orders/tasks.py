"""Thin tasks of the orders app: each takes ids or nothing, is safe to run twice and has time limits.

The parties of an order are told of its moves through the notifications outbox (orders/events.py)."""
from __future__ import annotations

from celery import shared_task

LIMITS = {"soft_time_limit": 60, "time_limit": 90}


@shared_task(**LIMITS)
def order_timed_moves_run() -> dict[str, int]:
    from .services import order_timed_moves_run as run

    return run()


@shared_task(**LIMITS)
def rfq_close_expired() -> int:
    """Closes the open requests for quotation whose deadline has passed (safe to run twice)."""
    from .services.rfq import rfq_close_expired as close

    return close()


@shared_task(**LIMITS)
def instalments_remind_overdue() -> int:
    """Reminds both parties, once, of each instalment past its due date (safe to run twice)."""
    from .services.payments import instalments_remind_overdue as remind

    return remind()
