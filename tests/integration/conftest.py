"""Integration tests: real PostgreSQL, real Redis and a real Celery worker process.

Every test in this directory is marked `integration`. Without PostgreSQL and Redis the tests are
skipped, except under CI (CI=true), where a missing service is a failure.
"""
from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection

from config import celery_app
from config import queues as task_queues
from core import queue

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent
# The Redis database of the worker's broker; a suite running next to another one picks its own.
BROKER_DB = int(os.environ.get("INTEGRATION_BROKER_DB", "15"))
WORKER_START_TIMEOUT = 60
MAIL_SEPARATOR = "-" * 79


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: the marker has to be on the items before `-m` selects them.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    funcargs = getattr(item, "funcargs", None) or {}
    if report.failed:
        for value in funcargs.values():
            if isinstance(value, CeleryWorker):
                report.sections.append(("celery worker log", value.log_text()))
            elif hasattr(value, "report_sections"):
                report.sections.extend(value.report_sections())
    return report


def wait_until(condition: Callable[[], object], *, timeout: float, interval: float = 0.2, message: str) -> object:
    """Polls `condition` until it returns something truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(message)
        time.sleep(interval)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Integration tests need PostgreSQL and Redis under CI: {reason}", pytrace=False)
    pytest.skip(f"integration tests need PostgreSQL and Redis: {reason}")


def _redis_url() -> str | None:
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        value = os.environ.get(name, "")
        if value.startswith(("redis://", "rediss://")):
            return value
    return None


@pytest.fixture(scope="session")
def _services_status() -> str | None:
    """Returns why the services are unusable, or None when PostgreSQL and Redis are both there."""
    if connection.vendor != "postgresql":
        return (f"the database engine is {settings.DATABASES['default']['ENGINE']}, not PostgreSQL "
                "(set DATABASE_URL=postgres://...)")
    url = _redis_url()
    if url is None:
        return "neither REDIS_URL nor CELERY_BROKER_URL is set to a redis:// address"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        return f"Redis at {url} does not answer PING ({exc})"
    return None


@pytest.fixture(autouse=True)
def integration_services(_services_status) -> None:
    """Checks that the database engine is PostgreSQL and that Redis answers PING."""
    if _services_status is not None:
        _unavailable(_services_status)


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def _test_database_url() -> str:
    """DATABASE_URL with the name of the test database pytest-django created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


def read_mail(mail_dir: Path) -> list[tuple[Path, list[email.message.EmailMessage]]]:
    """The files the file-based e-mail backend wrote, each with the messages it holds."""
    result = []
    for path in sorted(mail_dir.glob("*.log")):
        text = path.read_text(encoding="utf-8")
        chunks = [chunk.strip("\n") for chunk in text.split(f"\n{MAIL_SEPARATOR}\n")]
        messages = [email.message_from_string(chunk, policy=email.policy.default) for chunk in chunks if chunk]
        result.append((path, messages))
    return result


@dataclass
class CeleryWorker:
    process: subprocess.Popen
    log_path: Path
    mail_dir: Path
    broker_url: str
    queues: tuple[str, ...] = task_queues.QUEUES
    _redis: redis.Redis | None = field(default=None, repr=False)

    @property
    def redis(self) -> redis.Redis:
        if self._redis is None:
            self._redis = redis.Redis.from_url(self.broker_url)
        return self._redis

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def mail_files(self) -> list[Path]:
        """Complete message files (the backend ends every message with a separator line)."""
        return [path for path in sorted(self.mail_dir.glob("*.log"))
                if path.read_text(encoding="utf-8").endswith(f"{MAIL_SEPARATOR}\n")]

    def wait_for_mail_files(self, count: int, *, timeout: float = 30) -> list[Path]:
        wait_until(lambda: len(self.mail_files()) >= count, timeout=timeout,
                   message=f"expected {count} e-mail file(s) in {self.mail_dir} within {timeout}s, "
                           f"found {len(self.mail_files())}")
        return self.mail_files()

    def task_outcomes(self, task_name: str) -> list[tuple[str, str, str]]:
        """(task id, outcome, rest of the line) for every finished run of `task_name` in the log."""
        pattern = re.compile(rf"Task {re.escape(task_name)}\[([0-9a-f-]+)\] (?!received)(\S+)(.*)$", re.MULTILINE)
        return [match.groups() for match in pattern.finditer(self.log_text())]

    def received(self, task_name: str) -> list[str]:
        pattern = re.compile(rf"Task {re.escape(task_name)}\[([0-9a-f-]+)\] received")
        return pattern.findall(self.log_text())

    def wait_for_task(self, task_name: str, task_id: str, *, timeout: float = 30) -> tuple[str, str]:
        """Waits until the worker has finished the task with `task_id`; returns (outcome, rest of line)."""

        def finished():
            for found_id, outcome, rest in self.task_outcomes(task_name):
                if found_id == task_id:
                    return outcome, rest
            return None

        return wait_until(finished, timeout=timeout,
                          message=f"the worker did not finish {task_name}[{task_id}] within {timeout}s")

    def wait_for_runs(self, task_name: str, count: int, *, timeout: float = 30) -> list[tuple[str, str, str]]:
        wait_until(lambda: len(self.task_outcomes(task_name)) >= count, timeout=timeout,
                   message=f"the worker did not finish {count} run(s) of {task_name} within {timeout}s")
        return self.task_outcomes(task_name)

    def queued(self) -> int:
        """Messages waiting in the queues plus messages delivered but not yet acknowledged."""
        return sum(self.redis.llen(name) for name in self.queues) + self.redis.hlen("unacked")

    def wait_until_drained(self, *, timeout: float = 30) -> None:
        wait_until(lambda: self.queued() == 0, timeout=timeout,
                   message=f"the broker still holds {self.queued()} message(s) after {timeout}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self._redis is not None:
            self._redis.close()
            self._redis = None


def _reset_publisher(app) -> None:
    """Drops the app's cached broker connections so the next publish uses the current broker_url,
    and those of core.queue, whose pause after a failed publish ends too."""
    app._pool = None
    app.amqp._producer_pool = None
    queue.reset_publisher()
    queue.resume_publishing()


def worker_env(*, broker_url: str, mail_dir: Path, var_dir: Path, extra_env: dict[str, str] | None = None) -> dict:
    """The environment of a worker (or beat) process on the test database and the given broker."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "core.emails.FileEmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SME_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }


def spawn_celery(arguments: list[str], *, env: dict, log_path: Path) -> subprocess.Popen:
    """Starts `celery -A config <arguments>` in its own process group, logging to `log_path`."""
    command = [str(Path(sys.executable).parent / "celery"), "-A", "config", *arguments]
    with log_path.open("ab") as log_file:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                start_new_session=True)


def start_worker(*, broker_url: str, mail_dir: Path, var_dir: Path, log_path: Path,
                 extra_env: dict[str, str] | None = None, concurrency: int = 2,
                 extra_args: list[str] | None = None,
                 queues: tuple[str, ...] = task_queues.QUEUES) -> CeleryWorker:
    """Starts a `celery worker` process consuming `queues` (by default every queue of
    config/queues.py, as `make run` does) and waits until it is ready (fails the test otherwise)."""
    start = len(log_path.read_text(encoding="utf-8", errors="replace")) if log_path.exists() else 0
    process = spawn_celery([
        "worker", "--pool=prefork", f"--concurrency={concurrency}", "-l", "info", "-Q", ",".join(queues),
        "-n", f"integration-{uuid.uuid4().hex[:12]}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", *(extra_args or []),
    ], env=worker_env(broker_url=broker_url, mail_dir=mail_dir, var_dir=var_dir, extra_env=extra_env),
        log_path=log_path)
    worker = CeleryWorker(process=process, log_path=log_path, mail_dir=mail_dir, broker_url=broker_url,
                          queues=tuple(queues))
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not re.search(r"@\S+ ready\.", worker.log_text()[start:]):
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited with code {process.returncode} before it was ready:\n"
                        f"{worker.log_text()}")
        if time.monotonic() >= deadline:
            worker.stop()
            pytest.fail(f"the Celery worker was not ready within {WORKER_START_TIMEOUT}s:\n{worker.log_text()}")
        time.sleep(0.2)
    return worker


@contextmanager
def publishing_to(broker_url: str, monkeypatch) -> Iterator[None]:
    """Makes this test process queue tasks on `broker_url` instead of running them in-process."""
    previous = {"task_always_eager": celery_app.conf.task_always_eager, "broker_url": celery_app.conf.broker_url}
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker_url
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)
    _reset_publisher(celery_app)
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous["task_always_eager"]
        celery_app.conf.broker_url = previous["broker_url"]
        _reset_publisher(celery_app)


@pytest.fixture
def celery_worker_process(integration_services, transactional_db, tmp_path, monkeypatch) -> Iterator[CeleryWorker]:
    """A real `celery worker` process on a dedicated Redis database, reading the test database.

    Tests that use it commit their rows (transactional_db), so the worker sees them. E-mail the
    worker sends is written to `worker.mail_dir` by Django's file-based backend."""
    broker_url = _with_db(_redis_url(), BROKER_DB)
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    worker = None
    try:
        worker = start_worker(broker_url=broker_url, mail_dir=mail_dir, var_dir=var_dir,
                              log_path=tmp_path / "worker.log")
        with publishing_to(broker_url, monkeypatch):
            yield worker
    finally:
        if worker is not None:
            worker.stop()
        broker.flushdb()
        broker.close()
        shutil.rmtree(var_dir, ignore_errors=True)
