"""A worker keeps its database connection from one task to the next, as a web process does between
requests (CONN_MAX_AGE): Celery's Django fixup would otherwise close it after every task, and each
e-mail would start a new PostgreSQL server process (settings CELERY_DB_REUSE_MAX,
core/celery_signals.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import redis
from django.db import connection

from tests.integration.broker_tasks import database_backend_record
from tests.integration.conftest import BROKER_DB, _redis_url, _with_db, publishing_to, start_worker, wait_until

pytestmark = pytest.mark.integration

TASKS = 5


@pytest.fixture
def one_process_worker(integration_services, transactional_db, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the server process id is PostgreSQL's")
    broker_url = _with_db(_redis_url(), BROKER_DB)
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    (tmp_path / "mail").mkdir()
    (tmp_path / "var").mkdir()
    worker = start_worker(broker_url=broker_url, mail_dir=tmp_path / "mail", var_dir=tmp_path / "var",
                          log_path=tmp_path / "worker.log", concurrency=1,
                          extra_args=["--include", "tests.integration.broker_tasks"])
    try:
        with publishing_to(broker_url, monkeypatch):
            yield worker
    finally:
        worker.stop()
        broker.flushdb()
        broker.close()
        shutil.rmtree(tmp_path / "var", ignore_errors=True)


def test_a_worker_process_runs_its_tasks_on_one_database_connection(one_process_worker, tmp_path):
    record = tmp_path / "backends.txt"
    for _ in range(TASKS):
        database_backend_record.delay(str(record))

    def lines() -> list[str]:
        return record.read_text().split() if record.exists() else []

    wait_until(lambda: len(lines()) == TASKS, timeout=30,
               message=f"the worker did not run the {TASKS} tasks:\n{one_process_worker.log_text()}")
    assert len(set(lines())) == 1, f"one server process per task: {lines()}"
