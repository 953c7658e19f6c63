"""Celery signal handlers, connected by config/celery.py.

- The request id of the request (or task) that queues a task travels in the message's headers and
  is the task's request id while it runs, so its log lines carry it.
- Beat sending the heartbeat task records beat's tick (core/health.py).
- After a task, as after a request, the database connection is kept unless it is broken or older
  than CONN_MAX_AGE (Celery's own handler would close it after every task; settings
  CELERY_DB_REUSE_MAX). A worker keeps its SQLite connection too (`make run`), which a request
  does not: opening one and reading its schema costs about 3.5 ms, a third of an e-mail's send."""
from __future__ import annotations

import logging

from celery import signals

from .logging import request_id_var

logger = logging.getLogger(__name__)

REQUEST_ID_TASK_HEADER = "request_id"
HEARTBEAT_TASK = "core.heartbeat"

_tokens: dict[str, object] = {}


def add_request_id(sender=None, headers=None, **kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_TASK_HEADER, request_id)


def set_task_request_id(sender=None, task_id=None, task=None, **kwargs) -> None:
    """The task's request id: its message's, else (a task run in-process) the caller's."""
    request_id = getattr(getattr(task, "request", None), REQUEST_ID_TASK_HEADER, None)
    _tokens[task_id] = request_id_var.set(request_id or request_id_var.get())


def reset_task_request_id(sender=None, task_id=None, **kwargs) -> None:
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context; nothing of this task is left to clear
            request_id_var.set(None)


def database_connections_release(sender=None, task=None, **kwargs) -> None:
    """Closes the connections that are broken or older than CONN_MAX_AGE, as Django does after a
    request. A task run in-process (eager) is part of its caller's transaction and keeps it."""
    if getattr(getattr(task, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


# How long a worker process keeps its SQLite connection (CONN_MAX_AGE is 0 on SQLite: the development
# server's thread per request would never reuse one). A pool process runs one task at a time.
WORKER_SQLITE_CONN_MAX_AGE = 600


def worker_sqlite_connections_keep(**kwargs) -> None:
    from django.db import connections

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"] == "django.db.backends.sqlite3" and settings_dict.get("CONN_MAX_AGE") == 0:
            settings_dict["CONN_MAX_AGE"] = WORKER_SQLITE_CONN_MAX_AGE


def record_beat_tick(sender=None, body=None, **kwargs) -> None:
    if sender != HEARTBEAT_TASK:
        return
    task_kwargs = body[1] if isinstance(body, (tuple, list)) and len(body) > 1 else {}
    if not isinstance(task_kwargs, dict) or task_kwargs.get("source") != "beat":
        return
    from .health import BEAT, heartbeat_record

    try:
        heartbeat_record(BEAT)
    except Exception as exc:  # the database being away must not stop beat sending
        logger.warning("could not record beat's tick: %s", type(exc).__name__)


def install() -> None:
    signals.before_task_publish.connect(add_request_id, weak=False, dispatch_uid="core.add_request_id")
    signals.before_task_publish.connect(record_beat_tick, weak=False, dispatch_uid="core.record_beat_tick")
    signals.task_prerun.connect(set_task_request_id, weak=False, dispatch_uid="core.set_task_request_id")
    signals.task_postrun.connect(reset_task_request_id, weak=False, dispatch_uid="core.reset_task_request_id")
    signals.task_postrun.connect(database_connections_release, weak=False,
                                 dispatch_uid="core.database_connections_release")
    signals.worker_init.connect(worker_sqlite_connections_keep, weak=False,
                                dispatch_uid="core.worker_sqlite_connections_keep")
    signals.worker_process_init.connect(worker_sqlite_connections_keep, weak=False,
                                        dispatch_uid="core.worker_sqlite_connections_keep_process")
