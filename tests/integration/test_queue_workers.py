"""Workers per queue, as docker-compose.yml runs them: a task routed to a queue is run by that queue's
worker and no other, and `manage.py worker_alive` tells each worker's health on its own, whatever
queue it consumes (the heartbeat goes to the worker's own "<node>.dq2" queue, consumed besides -Q)."""
from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import redis
from django.core.management import call_command
from django.test import Client, override_settings

from core.health import queue_key, worker_key
from core.models import Heartbeat
from marketplace.tasks import listing_price_eur_refresh
from notifications.tasks import deliveries_relay
from tests.integration.conftest import (
    BROKER_DB, CeleryWorker, _redis_url, _with_db, publishing_to, start_worker, wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MAX_AGE = 30


def _node(worker: CeleryWorker) -> str:
    return re.search(r"(\S+@\S+) ready\.", worker.log_text())[1]


def _worker_alive(node: str) -> int:
    try:
        call_command("worker_alive", "--node", node, "--max-age", str(MAX_AGE))
    except SystemExit as exit_info:
        return exit_info.code
    return 0


@pytest.fixture
def two_queue_workers(integration_services, transactional_db, tmp_path, monkeypatch) -> Iterator[dict]:
    """A worker on the notifications queue and one on the search queue, on a broker of their own."""
    broker_url = _with_db(_redis_url(), BROKER_DB)
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    workers: dict[str, CeleryWorker] = {}
    try:
        for queue in ("notifications", "search"):
            directory = tmp_path / queue
            (directory / "mail").mkdir(parents=True)
            (directory / "var").mkdir()
            workers[queue] = start_worker(broker_url=broker_url, mail_dir=directory / "mail",
                                          var_dir=directory / "var", log_path=directory / "worker.log",
                                          concurrency=1, queues=(queue,))
        with publishing_to(broker_url, monkeypatch):
            yield workers
    finally:
        for worker in workers.values():
            worker.stop()
        broker.flushdb()
        broker.close()
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_each_task_is_run_by_the_worker_of_its_queue_only(two_queue_workers):
    notifications, search = two_queue_workers["notifications"], two_queue_workers["search"]

    relay_id = deliveries_relay.delay().id
    refresh_id = listing_price_eur_refresh.delay().id

    assert notifications.wait_for_task("notifications.tasks.deliveries_relay", relay_id)[0] == "succeeded"
    assert search.wait_for_task("marketplace.tasks.listing_price_eur_refresh", refresh_id)[0] == "succeeded"
    assert notifications.received("marketplace.tasks.listing_price_eur_refresh") == []
    assert search.received("notifications.tasks.deliveries_relay") == []


def test_worker_alive_tells_each_queue_worker_on_its_own(two_queue_workers):
    nodes = {queue: _node(worker) for queue, worker in two_queue_workers.items()}

    # Never seen yet: 1, and each check sends the heartbeat to that very worker's own queue.
    assert [_worker_alive(node) for node in nodes.values()] == [1, 1]
    for queue, node in nodes.items():
        wait_until(lambda node=node: Heartbeat.objects.filter(key=worker_key(node)).exists(), timeout=30,
                   message=f"the {queue} worker ({node}) did not run the heartbeat sent to its own queue")
    assert [_worker_alive(node) for node in nodes.values()] == [0, 0]

    # One worker stops: its check fails once its heartbeat is too old, the other's still passes.
    two_queue_workers["search"].stop()
    Heartbeat.objects.filter(key=worker_key(nodes["search"])).update(at="2000-01-01T00:00:00Z")
    assert _worker_alive(nodes["search"]) == 1
    assert _worker_alive(nodes["notifications"]) == 0


@override_settings(HEALTH_WORKER_MAX_AGE_SECONDS=MAX_AGE)
def test_readyz_names_the_queue_that_no_worker_consumes(two_queue_workers):
    """Beat's heartbeat through each queue is run only where a worker consumes that queue: with the
    notifications and search workers up and none on the others, /readyz fails and says which."""
    from config import queues as task_queues
    from core.tasks import heartbeat

    for entry in task_queues.heartbeat_schedule(MAX_AGE).values():
        heartbeat.apply_async(kwargs=entry["kwargs"], queue=entry["options"]["queue"], expires=MAX_AGE)
    for queue in ("notifications", "search"):
        wait_until(lambda queue=queue: Heartbeat.objects.filter(key=queue_key(queue)).exists(), timeout=30,
                   message=f"the {queue} worker did not run the heartbeat sent through its queue")

    response = Client().get("/readyz")

    assert response.status_code == 503
    workers = response.json()["checks"]["workers"]
    assert workers["status"] == "failing"
    queues = workers["queues"]
    assert queues["notifications"] is not None and queues["search"] is not None
    assert {q for q, age in queues.items() if age is None} == set(task_queues.QUEUES) - {"notifications", "search"}
