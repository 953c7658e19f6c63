"""Celery queues by kind of work: every task routes, by name, to a queue that docker-compose.yml,
`make run` (scripts/run_all.py) and the integration tests' workers consume."""
from __future__ import annotations

import importlib
import inspect
import importlib.util
import runpy
from pathlib import Path

import pytest
import yaml
from django.apps import apps

from config import celery_app
from config import queues as task_queues

ROOT = Path(__file__).resolve().parent.parent.parent


def _registered_tasks() -> list[str]:
    # Every app's tasks module, as a worker's autodiscovery imports them.
    for app_config in apps.get_app_configs():
        if importlib.util.find_spec(f"{app_config.name}.tasks") is not None:
            importlib.import_module(f"{app_config.name}.tasks")
    return sorted(name for name in celery_app.tasks if not name.startswith("celery."))


def _queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def _compose_worker_queues() -> dict[str, set[str]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    consumed = {}
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "config", "worker"]:
            consumed[name] = set(_option(command, "-Q").split(","))
    return consumed


def test_the_settings_declare_the_queues_and_the_default():
    assert task_queues.QUEUES == ("celery", "notifications", "imports", "timed", "search")
    assert [queue.name for queue in celery_app.conf.task_queues] == list(task_queues.QUEUES)
    assert celery_app.conf.task_default_queue == "celery"
    assert celery_app.conf.task_routes == {pattern: {"queue": queue} for pattern, queue in task_queues.ROUTES.items()}


@pytest.mark.parametrize(("task_name", "queue"), [
    ("notifications.tasks.delivery_send", "notifications"),
    ("notifications.tasks.deliveries_relay", "notifications"),
    ("accounts.tasks.password_reset_email_send", "notifications"),
    ("accounts.tasks.email_verification_send", "notifications"),
    ("marketplace.tasks.listing_import_run", "imports"),
    ("statements.tasks.statement_process", "imports"),
    ("orders.tasks.order_timed_moves_run", "timed"),
    ("orders.tasks.rfq_close_expired", "timed"),
    ("orders.tasks.instalments_remind_overdue", "timed"),
    ("accounts.tasks.verification_expiry_run", "timed"),
    ("marketplace.tasks.search_reindex_seller", "search"),
    ("marketplace.tasks.search_reindex_category", "search"),
    ("marketplace.tasks.listing_price_eur_refresh", "search"),
    ("trust.tasks.seller_performance_update", "search"),
    ("trust.tasks.seller_performance_recompute_all", "search"),
    ("fx.tasks.fx_rates_fetch", "celery"),
    ("accounts.tasks.invite_purge_expired", "celery"),
    ("core.heartbeat", "celery"),
    ("core.unsent_tasks_resend", "celery"),
])
def test_each_kind_of_task_goes_to_its_queue(task_name, queue):
    assert task_name in _registered_tasks()
    assert _queue_of(task_name) == queue


def test_every_routing_pattern_names_a_declared_queue_and_matches_a_task():
    tasks = _registered_tasks()
    for pattern, queue in task_queues.ROUTES.items():
        assert queue in task_queues.QUEUES, pattern
        prefix = pattern.rstrip("*")
        assert any(name == pattern or (pattern.endswith("*") and name.startswith(prefix)) for name in tasks), pattern


def test_every_registered_task_and_every_beat_entry_routes_to_a_queue_compose_consumes():
    consumed = set().union(*_compose_worker_queues().values())
    tasks = _registered_tasks()
    assert len(tasks) >= 19
    for name in tasks:
        assert _queue_of(name) in consumed, name
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in tasks
        assert _queue_of(entry["task"]) in consumed, entry["task"]


def test_compose_runs_exactly_one_worker_per_queue():
    consumed = _compose_worker_queues()
    assert sorted(tuple(queues) for queues in consumed.values()) == sorted((name,) for name in task_queues.QUEUES)


def test_make_run_starts_one_worker_consuming_every_queue():
    command = runpy.run_path(str(ROOT / "scripts" / "run_all.py"), run_name="run_all")["worker_command"]()
    assert command[1:4] == ["-A", "config", "worker"]
    assert _option(command, "-Q").split(",") == list(task_queues.QUEUES)


def test_the_integration_workers_consume_every_queue():
    from tests.integration import conftest

    source = (ROOT / "tests" / "integration" / "conftest.py").read_text(encoding="utf-8")
    assert '"-Q", ",".join(queues)' in source
    assert inspect.signature(conftest.start_worker).parameters["queues"].default == task_queues.QUEUES
    assert conftest.CeleryWorker.__dataclass_fields__["queues"].default == task_queues.QUEUES


def test_a_worker_started_without_q_consumes_every_queue_too():
    # celery's worker takes app.amqp.queues when no -Q is given (the bench's and ad-hoc workers).
    assert sorted(celery_app.amqp.queues) == sorted(task_queues.QUEUES)


def test_metrics_show_the_backlog_of_every_queue():
    from core.metrics import _queue_names

    assert _queue_names(celery_app) == list(task_queues.QUEUES)
