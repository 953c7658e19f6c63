"""What a worker does with its database connections around its tasks (core/celery_signals.py)."""
from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

from django.db import connections

from core import celery_signals


def _task(*, eager: bool) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_after_a_task_only_broken_or_old_connections_are_closed():
    with mock.patch("django.db.close_old_connections") as close_old:
        celery_signals.database_connections_release(task=_task(eager=False))
    close_old.assert_called_once_with()


def test_a_task_run_in_process_leaves_its_callers_connection_alone():
    with mock.patch("django.db.close_old_connections") as close_old:
        celery_signals.database_connections_release(task=_task(eager=True))
    close_old.assert_not_called()


def test_a_worker_keeps_its_sqlite_connection_and_nothing_else_changes():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "CONN_MAX_AGE": 0}
    postgres = {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 60}
    chosen = {"ENGINE": "django.db.backends.sqlite3", "CONN_MAX_AGE": 5}
    handler = {alias: SimpleNamespace(settings_dict=settings_dict)
               for alias, settings_dict in (("a", sqlite), ("b", postgres), ("c", chosen))}
    with mock.patch.object(type(connections), "__iter__", lambda self: iter(handler)), \
            mock.patch.object(type(connections), "__getitem__", lambda self, alias: handler[alias]):
        celery_signals.worker_sqlite_connections_keep()

    assert sqlite["CONN_MAX_AGE"] == celery_signals.WORKER_SQLITE_CONN_MAX_AGE
    assert postgres["CONN_MAX_AGE"] == 60
    assert chosen["CONN_MAX_AGE"] == 5
