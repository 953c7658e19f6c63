"""core.queue.enqueue_on_commit: tasks leave only with a committed transaction."""
from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction

from core.queue import enqueue_on_commit

pytestmark = pytest.mark.django_db


def test_task_is_queued_once_on_commit(django_capture_on_commit_callbacks):
    task = mock.Mock()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(task, 7, kind="x")
        task.delay.assert_not_called()

    assert len(callbacks) == 1
    task.delay.assert_called_once_with(7, kind="x")


def test_nothing_is_queued_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    task = mock.Mock()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue_on_commit(task, 7)
            raise RuntimeError("rolled back")

    assert callbacks == []
    task.delay.assert_not_called()


def test_a_broker_failure_does_not_break_the_caller(django_capture_on_commit_callbacks, caplog):
    task = mock.Mock()
    task.delay.side_effect = ConnectionError("broker down")

    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(task, 7)

    task.delay.assert_called_once_with(7)
    assert "broker down" in caplog.text
