"""A task the broker tests queue: it takes a while, so its acknowledgement can meet a frozen broker.
The test worker imports it with --include; the site never does."""
from __future__ import annotations

import time

from celery import shared_task


@shared_task(acks_late=True)
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds
