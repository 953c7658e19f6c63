"""The one retry policy of the apps' Celery tasks: transient errors are retried with exponential
backoff and jitter, a bounded number of times. Spread into `@shared_task(**RETRY)`.
And the heartbeat task that shows a worker consumes (core/health.py)."""
from __future__ import annotations

from typing import Any

from celery import shared_task
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


@shared_task(bind=True, name="core.heartbeat", ignore_result=True, acks_late=False, soft_time_limit=10,
             time_limit=20)
def heartbeat(self, *, source: str = "probe", queue: str | None = None) -> None:
    """Records that a worker consumes tasks: beat queues it every HEALTH_HEARTBEAT_INTERVAL_SECONDS
    to every queue of config/queues.py (source="beat", queue=<its name>; beat records that it sent
    it), `manage.py worker_alive` sends it to its own worker. Not retried: the next one follows."""
    from .health import WORKER, heartbeat_prune, heartbeat_record, queue_key, worker_key

    keys = [WORKER]
    if self.request.hostname:
        keys.append(worker_key(self.request.hostname))
    if queue:
        keys.append(queue_key(queue))
    heartbeat_record(*keys)
    heartbeat_prune()


@shared_task(name="core.unsent_tasks_resend", ignore_result=True, soft_time_limit=60, time_limit=90)
def unsent_tasks_resend() -> int:
    """Publishes again what requests could not queue while the broker was away (core/queue.py)."""
    from .queue import unsent_tasks_resend as resend

    return resend()
