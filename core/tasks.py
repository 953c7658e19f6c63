"""The one retry policy of the apps' Celery tasks: transient errors are retried with exponential
backoff and jitter, a bounded number of times. Spread into `@shared_task(**RETRY)`."""
from __future__ import annotations

from typing import Any

from django.db import OperationalError

# The network, the mail server or the database being briefly away.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OSError, OperationalError)


def retry_policy(*errors: type[BaseException], backoff: bool | int = True, backoff_max: int = 600,
                 max_retries: int = 8) -> dict[str, Any]:
    """Options for @shared_task that retry `errors` (the transient ones by default) with backoff:
    `backoff` True starts at one second, a number at that many seconds; each wait is at most
    `backoff_max` seconds and the task gives up after `max_retries` retries."""
    return {"autoretry_for": errors or TRANSIENT_ERRORS, "retry_backoff": backoff,
            "retry_backoff_max": backoff_max, "retry_jitter": True, "max_retries": max_retries}


RETRY = retry_policy()
