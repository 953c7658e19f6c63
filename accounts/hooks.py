"""What other apps want to hear about a company, without accounts importing them.

An app that keeps something derived from a company (the catalogue's search documents hold its
legal name) registers a callback from its AppConfig.ready(). The account services call the
callbacks inside the transaction that made the change, so a callback that queues work must queue
it after commit (core.queue.enqueue_on_commit) and nothing is queued if the change rolls back."""
from __future__ import annotations

from collections.abc import Callable

CompanyCallback = Callable[[int], None]

_company_renamed: list[CompanyCallback] = []


def on_company_renamed(callback: CompanyCallback) -> CompanyCallback:
    """Registers `callback(company_id)`, called when a company's legal name changes. Registering
    the same callback twice keeps one."""
    if callback not in _company_renamed:
        _company_renamed.append(callback)
    return callback


def company_renamed(company_id: int) -> None:
    for callback in list(_company_renamed):
        callback(company_id)
