"""Is the site ready to serve, and are its workers and beat alive?

/readyz runs the probes named in settings.HEALTH_PROBES. A probe is a function that answers one or
more named checks (`@probe("database", "workers", "beat")`); each probe runs in a thread of its own
and all of them share one deadline (HEALTH_CHECK_TIMEOUT_MS), so a frozen database, cache or broker
makes its checks fail on time instead of making readyz hang. A probe still stuck from an earlier
call is not started again: its checks fail at once, so a frozen dependency never piles up threads.

Heartbeats: beat queues `core.heartbeat` to every queue of config/queues.py every
HEALTH_HEARTBEAT_INTERVAL_SECONDS and records when it sent it; the worker that runs it records when it
ran, and through which queue. "workers" is failing when some queue's heartbeat was not run within
HEALTH_WORKER_MAX_AGE_SECONDS (that queue has no worker consuming it), "beat" when beat sent none
within HEALTH_BEAT_MAX_AGE_SECONDS.
The bodies hold check names, statuses, ages and counts only."""
from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils import timezone
from django.utils.module_loading import import_string

from config import queues as task_queues

from .models import Heartbeat

logger = logging.getLogger(__name__)

WORKER = "worker"
BEAT = "beat"
# Per-node heartbeat rows of workers not seen for this long are removed.
NODE_RECORD_KEEP = timedelta(days=1)


def worker_key(node: str) -> str:
    return f"{WORKER}:{node}"


def queue_key(queue: str) -> str:
    return f"queue:{queue}"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "failing", **self.details}


Probe = Callable[[], Iterable[CheckResult]]


def probe(*names: str) -> Callable[[Probe], Probe]:
    """Marks a function as a probe answering the checks `names` (in that order)."""

    def mark(func: Probe) -> Probe:
        func.checks = names
        return func

    return mark


# ---------------------------------------------------------------------------------------------
# Heartbeats


def heartbeat_record(*keys: str, at: datetime | None = None) -> None:
    """Sets the time of each heartbeat in `keys` (one upsert; safe when several workers write)."""
    at = at or timezone.now()
    Heartbeat.objects.bulk_create([Heartbeat(key=key, at=at) for key in keys], update_conflicts=True,
                                  unique_fields=["key"], update_fields=["at"])


def heartbeat_prune(*, now: datetime | None = None) -> int:
    """Forgets the per-node rows of workers gone for a day (nodes come and go with containers)."""
    now = now or timezone.now()
    deleted, _ = Heartbeat.objects.filter(key__startswith=f"{WORKER}:", at__lt=now - NODE_RECORD_KEEP).delete()
    return deleted


def heartbeat_ages(*keys: str, now: datetime | None = None) -> dict[str, float | None]:
    """Seconds since each heartbeat in `keys` (None: never recorded), read in one query."""
    now = now or timezone.now()
    found = dict(Heartbeat.objects.filter(key__in=keys).values_list("key", "at"))
    return {key: (max(0.0, (now - found[key]).total_seconds()) if key in found else None) for key in keys}


def shown_age(age: float | None) -> float | None:
    """An age as a check reports it: rounded up to a tenth of a second, so that a check failing for
    an age over its limit never shows an age equal to the limit (5.04 s is shown as 5.1, not 5.0)."""
    return None if age is None else math.ceil(round(age * 10, 6)) / 10


def _age_check(name: str, age: float | None, max_age: int) -> CheckResult:
    ok = age is not None and age <= max_age
    return CheckResult(name, ok, {"age_seconds": shown_age(age)})


# ---------------------------------------------------------------------------------------------
# Probes


@probe("database", "workers", "beat")
def database_probe() -> list[CheckResult]:
    """The database answers a query within the bound; the heartbeats it holds are fresh."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The connection is this probe's own and is closed afterwards (see _run).
            cursor.execute(f"SET statement_timeout = {int(settings.HEALTH_CHECK_TIMEOUT_MS)}")
        cursor.execute("SELECT 1")
        cursor.fetchone()
    ages = heartbeat_ages(BEAT, *(queue_key(queue) for queue in task_queues.QUEUES))
    return [CheckResult("database", True), _workers_check(ages),
            _age_check("beat", ages[BEAT], settings.HEALTH_BEAT_MAX_AGE_SECONDS)]


def _workers_check(ages: dict[str, float | None]) -> CheckResult:
    """Every queue had its heartbeat run lately; `age_seconds` is the oldest queue's (None: some
    queue's never ran) and `queues` names each queue's age."""
    per_queue = {queue: ages[queue_key(queue)] for queue in task_queues.QUEUES}
    limit = settings.HEALTH_WORKER_MAX_AGE_SECONDS
    ok = all(age is not None and age <= limit for age in per_queue.values())
    oldest = None if None in per_queue.values() else max(per_queue.values())
    return CheckResult("workers", ok, {"age_seconds": shown_age(oldest),
                                       "queues": {queue: shown_age(age) for queue, age in per_queue.items()}})


@probe("cache")
def cache_probe() -> list[CheckResult]:
    """The cache stores and returns a value."""
    value = uuid.uuid4().hex
    cache.set("health:probe", value, 30)
    return [CheckResult("cache", cache.get("health:probe") == value)]


@probe("broker")
def broker_probe() -> list[CheckResult]:
    """The Celery broker accepts a connection (Redis: answers PING) within the bound."""
    from celery import current_app

    url = current_app.conf.broker_url or ""
    timeout = settings.HEALTH_CHECK_TIMEOUT_MS / 1000
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            return [CheckResult("broker", bool(client.ping()))]
        finally:
            client.close()
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
    return [CheckResult("broker", True)]


# ---------------------------------------------------------------------------------------------
# Running the probes

_running: dict[str, threading.Thread] = {}
_running_lock = threading.Lock()


def _probe_key(func: Probe) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _run(func: Probe, box: dict) -> None:
    try:
        box["results"] = list(func())
    except Exception as exc:  # a dependency that is away: the probe's checks fail
        logger.warning("health probe %s failed: %s", _probe_key(func), type(exc).__name__)
    finally:
        connections.close_all()  # this thread's own connections only


def run_probes(probes: Iterable[Probe], *, timeout: float) -> list[CheckResult]:
    """Runs each probe in its own thread; a probe not done within `timeout` seconds (in all) fails
    its checks with "timeout", one that raised with "unavailable"."""
    deadline = time.monotonic() + timeout
    probes = list(probes)
    started: list[tuple[Probe, threading.Thread, dict]] = []
    failed: dict[str, str] = {}
    for func in probes:
        key = _probe_key(func)
        with _running_lock:
            previous = _running.get(key)
            if previous is not None and previous.is_alive():
                failed[key] = "timeout"
                continue
            box: dict = {}
            thread = threading.Thread(target=_run, args=(func, box), name=f"health {key}", daemon=True)
            _running[key] = thread
            thread.start()
        started.append((func, thread, box))
    answers: dict[str, list[CheckResult]] = {}
    for func, thread, box in started:
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            failed[_probe_key(func)] = "timeout"
        elif "results" not in box:
            failed[_probe_key(func)] = "unavailable"
        else:
            answers[_probe_key(func)] = box["results"]
    results: list[CheckResult] = []
    for func in probes:
        key = _probe_key(func)
        if key in answers:
            results.extend(answers[key])
        else:
            results.extend(CheckResult(name, False, {"error": failed[key]}) for name in func.checks)
    return results


def unsent_tasks_probe() -> list[CheckResult]:
    """Failing when a task kept while the broker was away (core/queue.py) has waited more than
    HEALTH_UNSENT_MAX_AGE_SECONDS: beat or the broker is not taking them."""
    from .queue import unsent_backlog

    count, oldest = unsent_backlog()
    return [CheckResult("unsent_tasks", oldest <= settings.HEALTH_UNSENT_MAX_AGE_SECONDS,
                        {"kept": count, "oldest_age_seconds": shown_age(oldest)})]


def configured_probes() -> list[Probe]:
    return [import_string(path) for path in settings.HEALTH_PROBES]


def readiness() -> tuple[bool, dict]:
    """(ready, body) for /readyz: every configured check with its status."""
    results = run_probes(configured_probes(), timeout=settings.HEALTH_CHECK_TIMEOUT_MS / 1000)
    ready = all(result.ok for result in results)
    return ready, {"status": "ok" if ready else "failing",
                   "checks": {result.name: result.as_dict() for result in results}}
