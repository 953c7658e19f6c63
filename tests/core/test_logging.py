"""Request ids and JSON log lines: the id a request gets, keeps in its log lines, returns, and hands to
the tasks it queues."""
from __future__ import annotations

import contextvars
import io
import json
import logging
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import time_machine
from celery import shared_task
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from core import celery_signals
from core.logging import JsonFormatter, RequestIdFilter, request_id_from, request_id_var
from tests.core.test_settings import production_env  # noqa: F401 - fixture

task_logger = logging.getLogger("tests.core.logging_task")
view_logger = logging.getLogger("tests.core.logging_view")


@shared_task(name="tests.core.test_logging.logging_task")
def logging_task(order_id: int) -> None:
    task_logger.info("task for order %s", order_id)


def _queues_a_task(request):
    view_logger.info("queueing")
    logging_task.delay(7)
    return HttpResponse("ok")


urlpatterns = [path("queue-a-task/", _queues_a_task)]


@pytest.fixture
def json_lines():
    """The JSON lines the test's loggers write through a handler set up as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    loggers = [logging.getLogger(name) for name in ("smemarket.request", task_logger.name, view_logger.name)]
    previous = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger, (level, propagate) in zip(loggers, previous, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@pytest.mark.parametrize("given", ["abc-123_XYZ", "a" * 128, "5f2b7c1e-0d3a-4e59-9b7a-1c2d3e4f5a6b"])
def test_a_sane_request_id_is_kept(given):
    assert request_id_from(given) == given


@pytest.mark.parametrize("given", [None, "", "a" * 129, "has space", "semi;colon", "new\nline", "ünïcode", "../x"])
def test_anything_else_gets_a_new_request_id(given):
    made = request_id_from(given)
    assert made != given
    assert len(made) == 32 and all(c in "0123456789abcdef" for c in made)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.core.test_logging", LOG_REQUESTS=True)
def test_a_request_keeps_its_id_in_its_log_lines_its_response_and_the_task_it_queues(client, json_lines):
    # Tasks run in-process in unit tests; the worker's side is shown below with the signal handlers.
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), tick=False):
        response = client.get("/queue-a-task/?page=2", HTTP_X_REQUEST_ID="req-42_a")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-42_a"
    lines = json_lines()
    assert [(line["logger"], line["message"], line["request_id"]) for line in lines[:2]] == [
        (view_logger.name, "queueing", "req-42_a"),
        (task_logger.name, "task for order 7", "req-42_a"),
    ]
    assert len(lines) == 3
    duration = lines[2].pop("duration_ms")
    assert isinstance(duration, float) and 0 <= duration < 10_000
    assert lines[2] == {"time": "2026-03-02T09:30:00.000+00:00", "level": "INFO", "logger": "smemarket.request",
                        "message": f"GET /queue-a-task/ 200 {duration}ms", "request_id": "req-42_a", "method": "GET",
                        "path": "/queue-a-task/", "status": 200}
    assert request_id_var.get() is None  # nothing of the request is left behind


@pytest.mark.django_db
@override_settings(LOG_REQUESTS=True)
def test_an_insane_request_id_is_replaced_and_probes_log_at_debug(client, json_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="x" * 500)
    made = response["X-Request-ID"]
    assert len(made) == 32 and made != "x" * 500
    assert [(line["level"], line["path"], line["request_id"]) for line in json_lines()] == [("DEBUG", "/healthz", made)]


def test_the_request_id_travels_in_the_task_message_and_is_the_tasks_while_it_runs(json_lines):
    headers = {"id": "t-1", "task": "tests.core.test_logging.logging_task"}
    request_token = request_id_var.set("req-from-web")
    try:
        celery_signals.add_request_id(sender=logging_task.name, headers=headers)
    finally:
        request_id_var.reset(request_token)
    assert headers["request_id"] == "req-from-web"

    def in_worker():  # another process: no request id of its own
        assert request_id_var.get() is None
        logging_task.push_request(id="t-1", request_id=headers["request_id"])
        try:
            celery_signals.set_task_request_id(task_id="t-1", task=logging_task)
            logging_task.run(7)
            celery_signals.reset_task_request_id(task_id="t-1", task=logging_task)
        finally:
            logging_task.pop_request()
        return request_id_var.get()

    assert contextvars.Context().run(in_worker) is None  # not carried into the worker's next task
    assert [(line["message"], line["request_id"]) for line in json_lines()] == [("task for order 7", "req-from-web")]


def test_a_task_queued_outside_a_request_carries_no_id():
    headers = {"id": "t-2"}
    celery_signals.add_request_id(sender="x", headers=headers)
    assert headers == {"id": "t-2"}


def test_the_json_formatter_writes_the_exception():
    try:
        raise ValueError("bad value")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed %s", ("here",),
                                                   sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["message"], line["request_id"]) == ("ERROR", "failed here", None)
    assert line["exception"].splitlines()[-1] == "ValueError: bad value"


def test_production_logs_one_json_object_per_line(production_env):  # noqa: F811
    code = ("import django, logging; django.setup(); from core.logging import request_id_var; "
            "request_id_var.set('rid-9'); logging.getLogger('smemarket.probe').warning('hello %s', 'there')")
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=production_env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert {key: line[key] for key in ("level", "logger", "message", "request_id")} == {
        "level": "WARNING", "logger": "smemarket.probe", "message": "hello there", "request_id": "rid-9"}
    assert datetime.fromisoformat(line["time"]).tzinfo is not None
