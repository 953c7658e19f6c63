"""The trust app's listeners of order events and quotes (registered in orders/hooks.py from
TrustConfig.ready()): each queues the seller's performance update once the move commits."""
from __future__ import annotations

from core.queue import enqueue_on_commit


def on_order_event(*, order_id: int, seller_id: int, event_id: int) -> None:
    from .tasks import seller_performance_update

    enqueue_on_commit(seller_performance_update, order_id=order_id)


def on_quote(*, rfq_id: int, seller_id: int, quote_id: int) -> None:
    from .tasks import seller_performance_update

    enqueue_on_commit(seller_performance_update, seller_id=seller_id)
