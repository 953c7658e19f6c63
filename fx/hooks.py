"""What other apps want to hear about exchange rates, without fx importing them.

An app that keeps something derived from the rates (the catalogue's listing prices in EUR) registers
a callback from its AppConfig.ready(). The fx services call the callbacks inside the transaction
that stored new rates, so a callback that queues work must queue it after commit
(core.queue.enqueue_on_commit) and nothing is queued if the change rolls back."""
from __future__ import annotations

from collections.abc import Callable

RatesCallback = Callable[[], None]

_rates_stored: list[RatesCallback] = []


def on_rates_stored(callback: RatesCallback) -> RatesCallback:
    """Registers `callback()`, called once each time a fetch stores new rates. Registering the same
    callback twice keeps one."""
    if callback not in _rates_stored:
        _rates_stored.append(callback)
    return callback


def rates_stored() -> None:
    for callback in list(_rates_stored):
        callback()
