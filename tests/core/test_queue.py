"""core.queue: tasks leave only with a committed transaction, and a request never waits on a broker
that hangs for longer than the publish bound."""
from __future__ import annotations

import socket
import time
from unittest import mock

import pytest
from django.db import transaction
from kombu import Connection

from config import celery_app
from core import queue
from core.queue import enqueue_on_commit, publish, publishing_paused
from accounts.tasks import password_reset_email_send
from notifications.tasks import deliveries_relay

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


@pytest.fixture
def broker(monkeypatch):
    """Points the Celery app at a given broker address, publishing for real (not in-process)."""
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    def use(url: str) -> None:
        celery_app.conf.broker_url = url
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        queue.reset_publisher()

    celery_app.conf.task_always_eager = False
    queue.resume_publishing()
    yield use
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
    queue.reset_publisher()
    queue.resume_publishing()


@pytest.fixture
def hung_broker():
    """A TCP port whose connections are accepted by the kernel and never answered, as a frozen Redis's."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()


def _timed_publish(*args) -> tuple[bool, float]:
    started = time.monotonic()
    queued = publish(deliveries_relay, *args)
    return queued, time.monotonic() - started


def test_a_hung_broker_holds_a_publish_for_at_most_the_bound_then_publishing_pauses(broker, hung_broker, settings,
                                                                                   caplog):
    settings.QUEUE_PUBLISH_TIMEOUT_SECONDS = 1
    settings.QUEUE_PUBLISH_PAUSE_SECONDS = 5
    broker(hung_broker)

    queued, seconds = _timed_publish()

    assert queued is False
    assert 0.2 <= seconds <= 1.2
    assert publishing_paused() is True
    assert "Could not queue notifications.tasks.deliveries_relay" in caplog.text
    # While paused, nobody else waits on the broker.
    queued, seconds = _timed_publish()
    assert queued is False
    assert seconds < 0.05


def test_the_pause_ends_and_a_working_broker_gets_the_message(broker, settings):
    settings.QUEUE_PUBLISH_PAUSE_SECONDS = 0.2
    broker("memory://")
    queue._pause()
    assert publish(deliveries_relay) is False

    time.sleep(0.25)

    assert publishing_paused() is False
    assert publish(deliveries_relay) is True
    with Connection("memory://") as connection:
        message = connection.SimpleQueue("notifications").get(timeout=1)
        assert message.headers["task"] == "notifications.tasks.deliveries_relay"
        message.ack()


def test_a_refused_connection_fails_at_once(broker, settings):
    settings.QUEUE_PUBLISH_TIMEOUT_SECONDS = 1
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    broker(f"redis://127.0.0.1:{port}/0")

    queued, seconds = _timed_publish()

    assert queued is False
    assert seconds < 0.5
    assert publishing_paused() is True


def test_the_relay_nudge_touches_neither_cache_nor_broker_while_publishing_pauses(broker, settings):
    from notifications import relay

    broker("memory://")
    queue._pause()
    with mock.patch.object(relay, "cache") as cache, mock.patch.object(deliveries_relay, "apply_async") as apply:
        relay.relay_soon()

    cache.add.assert_not_called()
    apply.assert_not_called()


def test_waiting_for_a_free_publishing_connection_is_bounded_too(broker, settings):
    settings.QUEUE_PUBLISH_TIMEOUT_SECONDS = 1
    settings.QUEUE_PUBLISH_POOL_LIMIT = 1
    broker("memory://")
    held = queue._pool(celery_app).acquire()  # another request holds the only connection
    try:
        queued, seconds = _timed_publish()
    finally:
        held.release()

    assert queued is False
    assert 0.2 <= seconds <= 0.5
    assert publishing_paused() is True


def test_what_a_request_could_not_queue_is_kept_and_sent_again_when_the_broker_is_back(
        broker, django_capture_on_commit_callbacks):
    from core.models import UnsentTask
    from core.queue import unsent_tasks_resend

    broker("memory://")
    queue._pause()  # the broker failed a moment ago
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(password_reset_email_send, 42)

    kept = UnsentTask.objects.get()
    assert (kept.task, kept.args, kept.kwargs) == ("accounts.tasks.password_reset_email_send", [42], {})

    assert unsent_tasks_resend() == 0  # still paused: kept, one more attempt counted
    assert UnsentTask.objects.get().attempts == 1

    queue.resume_publishing()
    assert unsent_tasks_resend() == 1
    assert not UnsentTask.objects.exists()
    with Connection("memory://") as connection:
        message = connection.SimpleQueue("notifications").get(timeout=1)
        assert (message.headers["task"], message.payload[0]) == ("accounts.tasks.password_reset_email_send", [42])
        message.ack()


def test_nothing_is_kept_when_the_publish_works(broker, django_capture_on_commit_callbacks):
    from core.models import UnsentTask

    broker("memory://")
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(deliveries_relay)

    assert not UnsentTask.objects.exists()
    with Connection("memory://") as connection:
        connection.SimpleQueue("notifications").get(timeout=1).ack()


def test_a_kept_task_that_no_longer_exists_is_dropped():
    from core.models import UnsentTask
    from core.queue import unsent_tasks_resend

    UnsentTask.objects.create(task="gone.task")

    assert unsent_tasks_resend() == 0
    assert not UnsentTask.objects.exists()
