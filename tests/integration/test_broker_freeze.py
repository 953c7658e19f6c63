"""A broker that hangs (a Redis stopped with SIGSTOP: connections are accepted, nothing answers), on a
redis-server of the test's own.

- The web tier does not wait on it: a checkout during the freeze answers 201 within 2 s, browsing
  keeps answering, and every notification of the order arrives once after the thaw.
- A worker whose acknowledgement timed out on the frozen broker consumes again after the thaw."""
from __future__ import annotations

import re
import time

import pytest

from tests.integration.broker_tasks import nap
from tests.integration.conftest import publishing_to, start_worker, wait_until
from tests.integration.notifications_support import private_redis  # noqa: F401 - fixture

# After the thaw a worker must take a new task within this many seconds: the consumer's health check
# (brpop timeout + health_check_interval) and a reconnect, with room to spare on a busy machine.
RESUME_BOUND_SECONDS = 30
FREEZES = 3
NAP_SECONDS = 2
ACK_FAILED = re.compile(r"Couldn't ack")


def _worker_log_count(worker, pattern: re.Pattern) -> int:
    return len(pattern.findall(worker.log_text()))


@pytest.fixture
def frozen_broker_worker(private_redis, transactional_db, tmp_path, monkeypatch):  # noqa: F811
    """A worker with two processes (two prefetch slots) on the test's own Redis."""
    (tmp_path / "mail").mkdir()
    (tmp_path / "var").mkdir()
    worker = start_worker(broker_url=private_redis.url(0), mail_dir=tmp_path / "mail", var_dir=tmp_path / "var",
                          log_path=tmp_path / "worker.log", concurrency=2,
                          extra_args=["--include", "tests.integration.broker_tasks"])
    try:
        with publishing_to(private_redis.url(0), monkeypatch):
            yield worker
    finally:
        private_redis.thaw()
        worker.stop()


def test_a_worker_whose_acks_timed_out_on_a_frozen_broker_consumes_again_after_the_thaw(
        frozen_broker_worker, private_redis):  # noqa: F811
    worker = frozen_broker_worker
    for freeze in range(FREEZES):
        # A task is running when the broker freezes: it finishes during the freeze, and its
        # acknowledgement meets the frozen broker and times out.
        running = nap.delay(NAP_SECONDS).id
        wait_until(lambda: running in worker.received("tests.integration.broker_tasks.nap"), timeout=20,
                   message=f"freeze {freeze}: the worker did not take the task before the freeze")
        failed_acks = _worker_log_count(worker, ACK_FAILED)
        private_redis.freeze()
        try:
            wait_until(lambda: _worker_log_count(worker, ACK_FAILED) > failed_acks, timeout=30,
                       message=f"freeze {freeze}: the acknowledgement did not fail on the frozen broker")
        finally:
            private_redis.thaw()

        # Queued after the thaw: the worker takes it within the bound.
        after = nap.delay(0).id
        worker.wait_for_task("tests.integration.broker_tasks.nap", after, timeout=RESUME_BOUND_SECONDS)

    assert _worker_log_count(worker, ACK_FAILED) == FREEZES
    outcomes = {task_id: outcome for task_id, outcome, _rest in worker.task_outcomes("tests.integration.broker_tasks.nap")}
    assert len(outcomes) == 2 * FREEZES
    assert set(outcomes.values()) == {"succeeded"}
