"""/readyz and `manage.py worker_alive` on PostgreSQL, Redis and a real worker: ready while the worker
consumes the heartbeat, reported not ready soon after the worker stops consuming (SIGSTOP, as a
worker wedged on a frozen broker connection looks from outside); a frozen Redis of the test's own
makes the cache and broker checks fail within the bound instead of making readyz hang."""
from __future__ import annotations

import os
import re
import signal
import time

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from config import celery_app
from config import queues as task_queues
from core.health import worker_key
from core.models import Heartbeat
from core.tasks import heartbeat
from tests.integration.conftest import wait_until
from tests.integration.notifications_support import private_redis  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)

MAX_AGE = 5  # seconds without a heartbeat run before the worker counts as not consuming


def _send_as_beat() -> None:
    """What beat sends every interval: the heartbeat through each queue."""
    for entry in task_queues.heartbeat_schedule(MAX_AGE).values():
        heartbeat.apply_async(kwargs=entry["kwargs"], queue=entry["options"]["queue"], expires=MAX_AGE)


def _readyz(client: Client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def _worker_alive(node: str) -> int:
    try:
        call_command("worker_alive", "--node", node, "--max-age", str(MAX_AGE))
    except SystemExit as exit_info:
        return exit_info.code
    return 0


@override_settings(HEALTH_WORKER_MAX_AGE_SECONDS=MAX_AGE, HEALTH_BEAT_MAX_AGE_SECONDS=MAX_AGE,
                   HEALTH_HEARTBEAT_INTERVAL_SECONDS=1)
def test_a_worker_that_stops_consuming_is_reported_not_ready(celery_worker_process):
    worker = celery_worker_process
    node = re.search(r"(\S+@\S+) ready\.", worker.log_text())[1]
    client = Client()

    # worker_alive: never seen yet, so 1; it sends the heartbeat to that worker's own queue.
    assert _worker_alive(node) == 1
    wait_until(lambda: Heartbeat.objects.filter(key=worker_key(node)).exists(), timeout=15,
               message=f"{node} did not run the heartbeat sent to its own queue")
    assert _worker_alive(node) == 0

    _send_as_beat()
    status, body = wait_until(lambda: (lambda answer: answer if answer[0] == 200 else None)(_readyz(client)),
                              timeout=15, message="readyz did not become ready with a consuming worker")
    assert set(body["checks"]) == {"database", "workers", "beat", "cache", "broker", "outbox", "unsent_tasks"}
    assert all(check["status"] == "ok" for check in body["checks"].values())

    os.killpg(worker.process.pid, signal.SIGSTOP)
    try:
        stopped = time.monotonic()
        answer = None
        while time.monotonic() - stopped < MAX_AGE + 5:
            _send_as_beat()  # beat keeps ticking; nobody consumes
            answer = _readyz(client)
            if answer[0] == 503:
                break
            time.sleep(0.5)
        waited = time.monotonic() - stopped
        status, body = answer
        assert status == 503, body
        assert waited <= MAX_AGE + 3
        assert body["status"] == "failing"
        assert body["checks"]["workers"]["status"] == "failing"
        assert body["checks"]["workers"]["age_seconds"] > MAX_AGE
        # Only the workers: the database, cache, broker, beat and outbox are fine.
        assert {name for name, check in body["checks"].items() if check["status"] != "ok"} == {"workers"}
        assert _worker_alive(node) == 1
    finally:
        os.killpg(worker.process.pid, signal.SIGCONT)

    # Consuming again: ready again.
    wait_until(lambda: _readyz(client)[0] == 200 or _send_as_beat(), timeout=20, interval=0.5,
               message="readyz did not become ready again after the worker went on")


def test_a_frozen_redis_makes_readyz_fail_on_time_not_hang(private_redis, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", private_redis.url(0))
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": private_redis.url(1)}}
    client = Client()
    with override_settings(CACHES=caches, HEALTH_CHECK_TIMEOUT_MS=500):
        status, body = _readyz(client)
        assert (body["checks"]["cache"], body["checks"]["broker"]) == ({"status": "ok"}, {"status": "ok"})

        private_redis.freeze()
        try:
            for _ in range(3):  # and again while the first probes may still wait on the frozen server
                started = time.monotonic()
                status, body = _readyz(client)
                assert time.monotonic() - started < 1.5
                assert status == 503
                assert body["checks"]["database"] == {"status": "ok"}
                for name in ("cache", "broker"):
                    assert body["checks"][name]["status"] == "failing"
                    assert body["checks"][name]["error"] in ("timeout", "unavailable")
        finally:
            private_redis.thaw()

        def dependencies_ok():
            checks = _readyz(client)[1]["checks"]
            return checks["cache"]["status"] == checks["broker"]["status"] == "ok"

        wait_until(dependencies_ok, timeout=20, interval=0.5,
                   message="readyz did not report the cache and broker again after the thaw")
