"""Queueing of Celery tasks from the web tier: after the surrounding transaction commits, and never
waiting on the broker for longer than QUEUE_PUBLISH_TIMEOUT_SECONDS.

A broker that is down refuses the connection at once, but one that hangs (a frozen Redis, a full
disk, a long fork, a network partition) accepts it and then answers nothing. The worker's and
beat's connections use the broker settings as they are; a request publishes on connections of its
own whose every socket operation (connect, the channel's PING, the publish itself) gives up after a
quarter of the bound, without retries, so a publish ends within the bound whatever the broker does.

After a publish failed, publishing from this process pauses for QUEUE_PUBLISH_PAUSE_SECONDS: many
requests at once must not each wait the full bound on a broker known to be away. What is not
published is not lost: a task queued after a commit is kept as an UnsentTask row that beat publishes
again (`core.unsent_tasks_resend`), and notification deliveries are rows of the outbox that beat's
relay publishes again (notifications/relay.py); README.md, "Faults and recovery", says how late."""
from __future__ import annotations

import logging
import os
import threading
import time
from functools import partial

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_paused_until = 0.0
# One pool of short-timeout connections per process and broker address.
_pools: dict[tuple[int, str], object] = {}


def publish_timeout() -> float:
    return float(settings.QUEUE_PUBLISH_TIMEOUT_SECONDS)


def publishing_paused() -> bool:
    """True for a while after a publish failed: callers skip the broker and rely on the outbox."""
    return time.monotonic() < _paused_until


def _pause() -> None:
    global _paused_until
    _paused_until = time.monotonic() + float(settings.QUEUE_PUBLISH_PAUSE_SECONDS)


def resume_publishing() -> None:
    """Ends a pause at once (the broker is known to be back, or a test starts afresh)."""
    global _paused_until
    _paused_until = 0.0


def _pool(app):
    """A pool of broker connections whose every socket operation gives up within a quarter of the bound."""
    broker_url = app.conf.broker_write_url or app.conf.broker_url
    key = (os.getpid(), broker_url)
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            step = publish_timeout() / 4
            connection = app.connection_for_write(
                connect_timeout=step,
                transport_options={"socket_timeout": step, "socket_connect_timeout": step,
                                   "retry_on_timeout": False, "max_retries": 0},
            )
            pool = connection.Pool(limit=settings.QUEUE_PUBLISH_POOL_LIMIT)
            _pools[key] = pool
        return pool


def reset_publisher() -> None:
    """Closes the pooled connections (for a new broker address, or in a test)."""
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        try:
            pool.force_close_all()
        except Exception:  # a pool of a broker that is gone: nothing to close cleanly
            logger.debug("Closing a publisher pool failed", exc_info=True)


def publish(task, *args, **kwargs) -> bool:
    """Queues `task` now, waiting on the broker for at most QUEUE_PUBLISH_TIMEOUT_SECONDS; returns
    whether it was queued. Never raises: a broker that is away is logged and publishing pauses."""
    if task.app.conf.task_always_eager:  # no broker: the task runs here and now
        try:
            task.delay(*args, **kwargs)
        except Exception:
            logger.exception("Running %s in-process failed", task.name)
            return False
        return True
    if publishing_paused():
        logger.warning("Not queueing %s: the broker failed a moment ago; what it carries waits for its retry",
                       task.name)
        return False
    started = time.monotonic()
    try:
        # Waiting for a free pooled connection is one of the four steps of the bound too.
        with _pool(task.app).acquire(block=True, timeout=publish_timeout() / 4) as connection:
            try:
                task.apply_async(args, kwargs, connection=connection, retry=False)
            except Exception:
                # The connection may be half-used: close it so the pool opens a fresh one next time.
                connection.collect()
                raise
    except Exception as exc:
        _pause()
        logger.warning("Could not queue %s within %.1fs (%s: %s); publishing pauses for %ss",
                       task.name, time.monotonic() - started, type(exc).__name__, exc,
                       settings.QUEUE_PUBLISH_PAUSE_SECONDS)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queues `task` once the current transaction commits; nothing is queued if it rolls back.

    A broker that is down or hangs is logged and does not turn an already committed change into
    an error for the caller, nor hold the request for longer than the publish bound. What could not
    be published is kept as an UnsentTask row, which beat publishes again when the broker is back."""
    transaction.on_commit(partial(_publish_or_keep, task, *args, **kwargs), robust=True)


def _publish_or_keep(task, *args, **kwargs) -> None:
    if publish(task, *args, **kwargs) or task.app.conf.task_always_eager:
        return
    from .models import UnsentTask

    UnsentTask.objects.create(task=task.name, args=list(args), kwargs=kwargs)


def unsent_tasks_resend(*, limit: int = 500) -> int:
    """Publishes the kept tasks again, oldest first, and deletes each one that is queued; stops at the
    first that fails (the broker is still away). Rows are claimed with SKIP LOCKED, so two runs at
    once never send one twice. Returns how many were queued."""
    from celery import current_app

    from .models import UnsentTask

    sent = 0
    with transaction.atomic():
        rows = list(UnsentTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        for row in rows:
            task = current_app.tasks.get(row.task)
            if task is None:  # a task that no longer exists: nothing can run it
                logger.error("Dropping unsent task %s: no such task", row.task)
                row.delete()
                continue
            if not publish(task, *row.args, **row.kwargs):
                UnsentTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                break
            row.delete()
            sent += 1
    return sent


def unsent_backlog() -> tuple[int, float]:
    """How many tasks are kept for sending again, and how many seconds the oldest has waited."""
    from django.db.models import Count, Min
    from django.utils import timezone

    from .models import UnsentTask

    row = UnsentTask.objects.aggregate(count=Count("pk"), oldest=Min("created_at"))
    oldest = max(0.0, (timezone.now() - row["oldest"]).total_seconds()) if row["oldest"] else 0.0
    return row["count"], oldest
