"""/healthz, /readyz, the heartbeat and the worker_alive / beat_alive commands."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from config import celery_app
from core import celery_signals, health
from config import queues as task_queues
from core.health import BEAT, WORKER, CheckResult, heartbeat_record, probe, queue_key, worker_key
from core.models import Heartbeat
from core.tasks import heartbeat
from notifications.models import Channel, Delivery, DeliveryStatus, Event

NOW = timezone.datetime(2026, 3, 2, 12, 0, 0, tzinfo=timezone.UTC)


@pytest.fixture
def memory_broker(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "memory://")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _delivery(*, due_at, status=DeliveryStatus.PENDING, n=0):
    event = Event.objects.create(name="test.event")
    return Delivery.objects.create(event=event, channel=Channel.EMAIL, recipient_key=f"email:p{n}@example.com",
                                   recipient_email=f"p{n}@example.com", status=status, next_attempt_at=due_at)


# -- /healthz ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_healthz_answers_without_asking_any_dependency(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_head_and_refuses_a_post(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


# -- /readyz -------------------------------------------------------------------------------------

def _queues_ran(at, queues=task_queues.QUEUES):
    heartbeat_record(WORKER, *(queue_key(q) for q in queues), at=at)


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_one_queue_has_no_worker_though_others_consume(client, memory_broker, frozen):
    """A worker consuming the default queue does not hide that nobody consumes the notifications."""
    others = [q for q in task_queues.QUEUES if q != task_queues.NOTIFICATIONS]
    _queues_ran(NOW - timedelta(seconds=2), others)
    heartbeat_record(queue_key(task_queues.NOTIFICATIONS), at=NOW - timedelta(seconds=121))
    heartbeat_record(BEAT, at=NOW - timedelta(seconds=5))
    response = client.get("/readyz")
    assert response.status_code == 503
    workers = response.json()["checks"]["workers"]
    assert workers["status"] == "failing"
    assert workers["age_seconds"] == 121.0
    assert workers["queues"][task_queues.NOTIFICATIONS] == 121.0
    assert {q: workers["queues"][q] for q in others} == {q: 2.0 for q in others}


@pytest.mark.django_db(transaction=True)
def test_readyz_is_200_when_every_check_passes(client, memory_broker, frozen):
    _queues_ran(NOW - timedelta(seconds=3))
    heartbeat_record(BEAT, at=NOW - timedelta(seconds=7))
    _delivery(due_at=NOW - timedelta(seconds=30))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "Retry-After" not in response
    assert response.json() == {"status": "ok", "checks": {
        "database": {"status": "ok"},
        "workers": {"status": "ok", "age_seconds": 3.0, "queues": {q: 3.0 for q in task_queues.QUEUES}},
        "beat": {"status": "ok", "age_seconds": 7.0},
        "cache": {"status": "ok"},
        "broker": {"status": "ok"},
        "outbox": {"status": "ok", "due": 1, "oldest_due_age_seconds": 30.0},
        "unsent_tasks": {"status": "ok", "kept": 0, "oldest_age_seconds": 0.0},
    }}


@pytest.mark.django_db(transaction=True)
@override_settings(HEALTH_WORKER_MAX_AGE_SECONDS=60, HEALTH_BEAT_MAX_AGE_SECONDS=30)
def test_readyz_is_503_when_no_worker_ran_the_heartbeat_lately(client, memory_broker, frozen):
    _queues_ran(NOW - timedelta(seconds=61))
    heartbeat_record(BEAT, at=NOW - timedelta(seconds=30))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["workers"] == {"status": "failing", "age_seconds": 61.0,
                                         "queues": {q: 61.0 for q in task_queues.QUEUES}}
    assert body["checks"]["beat"] == {"status": "ok", "age_seconds": 30.0}
    assert body["checks"]["database"] == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_without_any_heartbeat_reports_workers_and_beat_failing(client, memory_broker):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["workers"] == {"status": "failing", "age_seconds": None,
                                 "queues": {q: None for q in task_queues.QUEUES}}
    assert checks["beat"] == {"status": "failing", "age_seconds": None}
    assert checks["outbox"] == {"status": "ok", "due": 0, "oldest_due_age_seconds": 0.0}


@pytest.mark.django_db(transaction=True)
@override_settings(HEALTH_OUTBOX_MAX_DUE=2, HEALTH_OUTBOX_MAX_AGE_SECONDS=600)
def test_outbox_fails_when_more_rows_are_due_than_the_limit(frozen):
    from notifications.monitoring import outbox_probe

    for n in range(4):
        _delivery(due_at=NOW - timedelta(seconds=10 + n), n=n)
    _delivery(due_at=NOW + timedelta(seconds=60), n=10)  # not due yet
    _delivery(due_at=NOW - timedelta(days=3), status=DeliveryStatus.SENT, n=11)  # done
    # Counted up to the limit and one more: the count costs the same however large the backlog.
    assert outbox_probe() == [CheckResult("outbox", False, {"due": 3, "oldest_due_age_seconds": 13.0})]


@pytest.mark.django_db(transaction=True)
@override_settings(HEALTH_OUTBOX_MAX_DUE=100, HEALTH_OUTBOX_MAX_AGE_SECONDS=300)
def test_outbox_fails_when_the_oldest_due_row_waited_too_long(frozen):
    from notifications.monitoring import outbox_probe

    _delivery(due_at=NOW - timedelta(seconds=300))
    assert outbox_probe()[0].ok is True
    _delivery(due_at=NOW - timedelta(seconds=301), status=DeliveryStatus.QUEUED, n=1)
    assert outbox_probe() == [CheckResult("outbox", False, {"due": 2, "oldest_due_age_seconds": 301.0})]


# -- probes that hang or fail ----------------------------------------------------------------------

_release = threading.Event()
_calls: list[str] = []


@probe("stuck_a", "stuck_b")
def stuck_probe():
    _calls.append("stuck")
    _release.wait(10)
    return [CheckResult("stuck_a", True), CheckResult("stuck_b", True)]


@probe("broken")
def broken_probe():
    raise ConnectionError("refused by 10.0.0.7:6379")


@probe("fine")
def fine_probe():
    return [CheckResult("fine", True, {"count": 1})]


def test_a_probe_that_hangs_fails_on_time_and_is_not_started_twice():
    _release.clear()
    _calls.clear()
    try:
        started = time.monotonic()
        results = health.run_probes([stuck_probe, fine_probe], timeout=0.3)
        assert time.monotonic() - started < 0.8
        assert results == [CheckResult("stuck_a", False, {"error": "timeout"}),
                           CheckResult("stuck_b", False, {"error": "timeout"}),
                           CheckResult("fine", True, {"count": 1})]
        # Still stuck: failing at once, with no second thread waiting on the frozen dependency.
        started = time.monotonic()
        again = health.run_probes([stuck_probe], timeout=0.3)
        assert time.monotonic() - started < 0.1
        assert again == [CheckResult("stuck_a", False, {"error": "timeout"}),
                         CheckResult("stuck_b", False, {"error": "timeout"})]
        assert _calls == ["stuck"]
    finally:
        _release.set()
    # Once the dependency answers again, the probe runs again.
    deadline = time.monotonic() + 5
    while any(t.name.startswith("health ") and "stuck_probe" in t.name and t.is_alive()
              for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert health.run_probes([stuck_probe], timeout=1) == [CheckResult("stuck_a", True),
                                                           CheckResult("stuck_b", True)]


def test_a_probe_that_raises_fails_its_checks_without_saying_why():
    assert health.run_probes([broken_probe, fine_probe], timeout=1) == [
        CheckResult("broken", False, {"error": "unavailable"}), CheckResult("fine", True, {"count": 1})]


@pytest.mark.django_db(transaction=True)
def test_readyz_body_names_no_internals_when_a_dependency_is_away(client):
    with override_settings(HEALTH_PROBES=["tests.core.test_health.broken_probe", "tests.core.test_health.fine_probe"]):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"broken": {"status": "failing", "error": "unavailable"},
                                                               "fine": {"status": "ok", "count": 1}}}
    assert b"10.0.0.7" not in response.content


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_an_unreachable_broker(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    with override_settings(HEALTH_PROBES=["core.health.broker_probe"]):
        started = time.monotonic()
        response = client.get("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["checks"] == {"broker": {"status": "failing", "error": "unavailable"}}


# -- the heartbeat -------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_heartbeat_task_records_any_worker_and_its_own_node(frozen):
    Heartbeat.objects.create(key=worker_key("celery@gone"), at=NOW - timedelta(days=1, seconds=1))
    Heartbeat.objects.create(key=worker_key("celery@other"), at=NOW - timedelta(hours=23))
    heartbeat.push_request(hostname="celery@box1")
    try:
        heartbeat.run(source="beat")
    finally:
        heartbeat.pop_request()
    assert dict(Heartbeat.objects.values_list("key", "at")) == {
        WORKER: NOW, worker_key("celery@box1"): NOW, worker_key("celery@other"): NOW - timedelta(hours=23)}


@pytest.mark.django_db
def test_beat_sending_the_heartbeat_records_its_tick(frozen):
    celery_signals.record_beat_tick(sender="core.heartbeat", body=((), {"source": "beat"}, {}))
    assert dict(Heartbeat.objects.values_list("key", "at")) == {BEAT: NOW}


@pytest.mark.django_db
def test_other_publishes_do_not_count_as_beat_ticking():
    celery_signals.record_beat_tick(sender="core.heartbeat", body=((), {"source": "probe"}, {}))
    celery_signals.record_beat_tick(sender="notifications.tasks.deliveries_relay", body=((), {"source": "beat"}, {}))
    assert not Heartbeat.objects.exists()


def test_beat_schedule_queues_the_heartbeat_as_beat_through_every_queue():
    from django.conf import settings

    interval = settings.HEALTH_HEARTBEAT_INTERVAL_SECONDS
    entries = {name: entry for name, entry in settings.CELERY_BEAT_SCHEDULE.items() if entry["task"] == "core.heartbeat"}
    assert entries["core-heartbeat"] == {"task": "core.heartbeat", "schedule": interval,
                                         "kwargs": {"source": "beat", "queue": task_queues.DEFAULT},
                                         "options": {"expires": interval, "queue": task_queues.DEFAULT}}
    assert sorted(entry["options"]["queue"] for entry in entries.values()) == sorted(task_queues.QUEUES)
    assert all(entry["kwargs"] == {"source": "beat", "queue": entry["options"]["queue"]} for entry in entries.values())


@pytest.mark.django_db
def test_the_heartbeat_sent_through_a_queue_records_that_queue(frozen):
    heartbeat.push_request(hostname="celery@box1")
    try:
        heartbeat.run(source="beat", queue=task_queues.IMPORTS)
    finally:
        heartbeat.pop_request()
    assert dict(Heartbeat.objects.values_list("key", "at")) == {
        WORKER: NOW, worker_key("celery@box1"): NOW, queue_key(task_queues.IMPORTS): NOW}


# -- worker_alive and beat_alive -------------------------------------------------------------------

@pytest.mark.django_db
@override_settings(HEALTH_WORKER_MAX_AGE_SECONDS=90)
def test_worker_alive_exits_0_for_a_worker_that_ran_the_heartbeat_lately(frozen, capsys):
    heartbeat_record(worker_key("celery@box1"), at=NOW - timedelta(seconds=90))
    call_command("worker_alive", "--node", "celery@box1", "--no-ping")
    assert capsys.readouterr().out == "celery@box1 alive: last heartbeat 90s ago\n"


@pytest.mark.django_db
@override_settings(HEALTH_WORKER_MAX_AGE_SECONDS=90)
def test_worker_alive_exits_1_when_that_worker_did_not_consume(frozen, capsys):
    heartbeat_record(worker_key("celery@box1"), at=NOW - timedelta(seconds=91))
    heartbeat_record(WORKER, worker_key("celery@box2"), at=NOW)  # others consuming do not count
    with pytest.raises(SystemExit) as exit_info:
        call_command("worker_alive", "--node", "celery@box1", "--no-ping")
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "celery@box1 is not consuming: last heartbeat 91s ago (limit 90s)\n"
    with pytest.raises(SystemExit):
        call_command("worker_alive", "--node", "celery@never", "--no-ping")


@pytest.mark.django_db
def test_worker_alive_sends_the_next_heartbeat_to_that_workers_own_queue(frozen, monkeypatch):
    sent = []
    monkeypatch.setattr(heartbeat, "apply_async", lambda **options: sent.append(options))
    heartbeat_record(worker_key("celery@box1"), at=NOW)
    call_command("worker_alive", "--node", "celery@box1", "--max-age", "30")
    assert len(sent) == 1
    assert sent[0]["expires"] == 30
    queue = sent[0]["queue"]
    assert (queue.name, queue.exchange.name, queue.routing_key) == ("celery@box1.dq2", "C.dq2", "celery@box1")


@pytest.mark.django_db
def test_worker_alive_refuses_a_max_age_out_of_bounds():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--max-age must be between 1 and 86400 seconds."):
        call_command("worker_alive", "--max-age", "0", "--no-ping")


@pytest.mark.django_db
@override_settings(HEALTH_BEAT_MAX_AGE_SECONDS=45)
def test_beat_alive_reads_beats_tick(frozen, capsys):
    heartbeat_record(BEAT, at=NOW - timedelta(seconds=45))
    call_command("beat_alive")
    assert capsys.readouterr().out == "beat alive: last heartbeat sent 45s ago\n"
    heartbeat_record(BEAT, at=NOW - timedelta(seconds=46))
    with pytest.raises(SystemExit) as exit_info:
        call_command("beat_alive")
    assert exit_info.value.code == 1



@pytest.mark.django_db
@override_settings(HEALTH_UNSENT_MAX_AGE_SECONDS=300)
def test_unsent_tasks_fail_when_the_oldest_kept_one_waited_too_long(frozen):
    from core.health import unsent_tasks_probe
    from core.models import UnsentTask

    row = UnsentTask.objects.create(task="accounts.tasks.password_reset_email_send", args=[1])
    assert unsent_tasks_probe() == [CheckResult("unsent_tasks", True, {"kept": 1, "oldest_age_seconds": 0.0})]

    UnsentTask.objects.filter(pk=row.pk).update(created_at=NOW - timedelta(seconds=301))
    assert unsent_tasks_probe() == [CheckResult("unsent_tasks", False, {"kept": 1, "oldest_age_seconds": 301.0})]


@pytest.mark.parametrize(("age", "shown"), [(5.04, 5.1), (5.0, 5.0), (4.96, 5.0), (0.0, 0.0), (61.0, 61.0),
                                            (0.30000000000000004, 0.3), (None, None)])
def test_an_age_is_shown_rounded_up_to_a_tenth(age, shown):
    assert health.shown_age(age) == shown


@pytest.mark.django_db(transaction=True)
@override_settings(HEALTH_WORKER_MAX_AGE_SECONDS=5, HEALTH_BEAT_MAX_AGE_SECONDS=5)
def test_a_check_failing_just_over_its_limit_shows_an_age_over_the_limit(client, memory_broker, frozen):
    _queues_ran(NOW - timedelta(seconds=5.04))
    heartbeat_record(BEAT, at=NOW - timedelta(seconds=5.04))
    checks = client.get("/readyz").json()["checks"]
    assert checks["workers"] == {"status": "failing", "age_seconds": 5.1,
                                 "queues": {q: 5.1 for q in task_queues.QUEUES}}
    assert checks["beat"] == {"status": "failing", "age_seconds": 5.1}
