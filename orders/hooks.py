"""What the orders app tells apps above it, without importing them.

An app above orders (trust: seller performance) registers, from its AppConfig.ready(), a listener of
order events and one of quotes. The order services call `order_event_recorded` right after writing
an event and `quote_submitted` after writing a quote, inside their transaction; a listener that
queues work does so after the commit (core.queue.enqueue_on_commit), so a move that rolls back
queues nothing."""
from __future__ import annotations

from collections.abc import Callable

OrderEventListener = Callable[..., None]
QuoteListener = Callable[..., None]

_order_event_listeners: dict[str, OrderEventListener] = {}
_quote_listeners: dict[str, QuoteListener] = {}


def listen_order_events(name: str, listener: OrderEventListener) -> OrderEventListener:
    """Registers `listener(order_id=..., seller_id=..., event_id=...)` under `name`; registering the
    same name again replaces it."""
    _order_event_listeners[name] = listener
    return listener


def listen_quotes(name: str, listener: QuoteListener) -> QuoteListener:
    """Registers `listener(rfq_id=..., seller_id=..., quote_id=...)` under `name`."""
    _quote_listeners[name] = listener
    return listener


def order_event_recorded(*, order_id: int, seller_id: int, event_id: int) -> None:
    for listener in list(_order_event_listeners.values()):
        listener(order_id=order_id, seller_id=seller_id, event_id=event_id)


def quote_submitted(*, rfq_id: int, seller_id: int, quote_id: int) -> None:
    for listener in list(_quote_listeners.values()):
        listener(rfq_id=rfq_id, seller_id=seller_id, quote_id=quote_id)
