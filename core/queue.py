"""Queueing of Celery tasks after the surrounding transaction commits."""
from __future__ import annotations

from functools import partial

from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queues `task` once the current transaction commits; nothing is queued if it rolls back.

    The hook is robust: a broker that is down is logged and does not turn an already committed
    change into an error for the caller."""
    transaction.on_commit(partial(task.delay, *args, **kwargs), robust=True)
