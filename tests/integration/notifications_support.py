"""What the notifications integration tests share: a worker and beat started with short outbox
timings, a Redis server of their own that a test may stop and start, and ways to read what was sent.

The broker is a Redis database of its own (INTEGRATION_NOTIFY_BROKER_DB, default 14), or a private
redis-server on a free port for the tests that stop the broker, so no other test on the machine is
disturbed."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from tests.integration.conftest import (
    CeleryWorker,
    _redis_url,
    _with_db,
    publishing_to,
    read_mail,
    spawn_celery,
    start_worker,
    wait_until,
    worker_env,
)

RELAY_DONE = re.compile(r"Task notifications\.tasks\.deliveries_relay\[[0-9a-f-]+\] succeeded")
BROKER_DB = int(os.environ.get("INTEGRATION_NOTIFY_BROKER_DB", "14"))

# Short timings so that lost messages, dead workers and failing receivers are dealt with in seconds.
OUTBOX_ENV = {
    "NOTIFICATIONS_RELAY_INTERVAL_SECONDS": "1",
    "NOTIFICATIONS_REQUEUE_AFTER_SECONDS": "30",
    "NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS": "8",
    "NOTIFICATIONS_CLAIM_STALE_SECONDS": "10",
    "WEBHOOK_MAX_ATTEMPTS": "6",
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
    "WEBHOOK_RETRY_MAX_SECONDS": "2",
    "WEBHOOK_TIMEOUT_SECONDS": "3",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RedisServer:
    """A redis-server process without persistence: stopping it loses every queued message."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        try:
            wait_until(answers, timeout=20, message=f"redis-server on port {self.port} did not start")
        finally:
            client.close()

    def freeze(self) -> None:
        """SIGSTOP: connections are still accepted by the kernel, and nothing answers them."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.thaw()  # a frozen server would not act on SIGTERM
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@dataclass
class OutboxStack:
    """A Celery worker and Celery beat on one broker, both reading the test database."""

    broker_url: str
    tmp_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    worker: CeleryWorker | None = None
    beat: subprocess.Popen | None = None
    kills: int = 0

    @property
    def mail_dir(self) -> Path:
        return self.tmp_path / "mail"

    @property
    def var_dir(self) -> Path:
        return self.tmp_path / "var"

    @property
    def worker_log(self) -> Path:
        return self.tmp_path / "worker.log"

    @property
    def beat_log(self) -> Path:
        return self.tmp_path / "beat.log"

    def start_worker(self) -> CeleryWorker:
        self.worker = start_worker(broker_url=self.broker_url, mail_dir=self.mail_dir, var_dir=self.var_dir,
                                   log_path=self.worker_log, extra_env={**OUTBOX_ENV, **self.extra_env})
        return self.worker

    def kill_worker(self) -> None:
        """SIGKILL to the worker and its pool processes: no shutdown, no acknowledgement."""
        try:
            os.killpg(self.worker.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.worker.process.wait(timeout=20)
        self.kills += 1

    def start_beat(self) -> None:
        env = worker_env(broker_url=self.broker_url, mail_dir=self.mail_dir, var_dir=self.var_dir,
                         extra_env={**OUTBOX_ENV, **self.extra_env})
        self.beat = spawn_celery(["beat", "-l", "info", "-s", str(self.var_dir / "celerybeat-schedule"),
                                  "--max-interval", "1"], env=env, log_path=self.beat_log)

    def relay_runs(self) -> int:
        log = self.worker_log.read_text(encoding="utf-8", errors="replace")
        return len(RELAY_DONE.findall(log))

    def wait_for_relay_runs(self, count: int, *, timeout: float = 30) -> None:
        """Waits until the worker has run the relay `count` more times: beat keeps it going."""
        target = self.relay_runs() + count
        wait_until(lambda: self.relay_runs() >= target, timeout=timeout,
                   message=f"the relay did not run {count} more time(s) within {timeout}s")

    def stop(self) -> None:
        if self.beat is not None and self.beat.poll() is None:
            try:
                os.killpg(self.beat.pid, signal.SIGTERM)
                self.beat.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.beat.pid, signal.SIGKILL)
                self.beat.wait(timeout=10)
        if self.worker is not None:
            self.worker.stop()

    def report_sections(self) -> list[tuple[str, str]]:
        sections = []
        for title, path in (("celery worker log", self.worker_log), ("celery beat log", self.beat_log)):
            if path.exists():
                sections.append((title, path.read_text(encoding="utf-8", errors="replace")[-60_000:]))
        return sections

    def message_ids(self) -> Counter:
        """How many e-mails were written per Message-ID."""
        return Counter(message["Message-ID"] for _path, messages in read_mail(self.mail_dir) for message in messages)


def outbox_stack(broker_url: str, tmp_path: Path, monkeypatch, *, beat: bool = True,
                 extra_env: dict[str, str] | None = None) -> Iterator[OutboxStack]:
    stack = OutboxStack(broker_url=broker_url, tmp_path=tmp_path, extra_env=extra_env or {})
    stack.mail_dir.mkdir()
    stack.var_dir.mkdir()
    try:
        stack.start_worker()
        if beat:
            stack.start_beat()
        with publishing_to(broker_url, monkeypatch):
            yield stack
    finally:
        stack.stop()
        shutil.rmtree(stack.var_dir, ignore_errors=True)


@pytest.fixture
def shared_broker_stack(integration_services, transactional_db, tmp_path, monkeypatch) -> Iterator[OutboxStack]:
    """Worker and beat on a database of the shared Redis that only these tests use."""
    broker_url = _with_db(_redis_url(), BROKER_DB)
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    try:
        yield from outbox_stack(broker_url, tmp_path, monkeypatch)
    finally:
        broker.flushdb()
        broker.close()


@pytest.fixture
def private_redis(integration_services, tmp_path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is needed to stop and start a broker of the tests' own", pytrace=False)
        pytest.skip("redis-server is not installed")
    server = RedisServer(port=free_port(), log_path=tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_broker_stack(private_redis, transactional_db, tmp_path, monkeypatch) -> Iterator[OutboxStack]:
    """Worker and beat on the tests' own redis-server, which the test may stop and start."""
    yield from outbox_stack(private_redis.url(0), tmp_path, monkeypatch)


def sleep_until(deadline: float) -> None:
    """Lets the scenario's clock run (a broker outage of a given length); asserts nothing."""
    remaining = deadline - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)
