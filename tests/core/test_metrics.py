"""/metrics: who may scrape, what it holds, and that a scrape costs the same queries whatever the data."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import redis
from django.test import override_settings
from django.utils import timezone
from prometheus_client import REGISTRY

from config import celery_app
from core.health import BEAT, WORKER, heartbeat_record, queue_key
from notifications.models import Channel, Delivery, DeliveryStatus, Event
from tests.orders.helpers import build_world, order_in, place_order

REDIS_DB = 8  # a Redis database of these tests' own


@pytest.fixture(autouse=True)
def memory_broker(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "memory://")


def _samples(text: str) -> dict[str, float]:
    """`name{labels}` -> value for every sample line of the text format."""
    return {match[1]: float(match[2]) for match in re.finditer(r"^([a-z_]+(?:\{[^}]*\})?) (\S+)$", text, re.M)}


def _delivery(n: int, *, status: str, due_at) -> None:
    event = Event.objects.create(name="test.event")
    Delivery.objects.create(event=event, channel=Channel.EMAIL, recipient_key=f"email:m{n}@example.com",
                            recipient_email=f"m{n}@example.com", status=status, next_attempt_at=due_at)


# -- access ----------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_metrics_are_served_to_a_trusted_address(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "smemarket_orders{" in response.content.decode()


@pytest.mark.django_db
def test_metrics_are_not_found_from_another_address(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    assert b"smemarket" not in response.content


@pytest.mark.django_db
@override_settings(METRICS_ALLOWED_ADDRESSES=["10.1.0.0/16"])
def test_a_trusted_network_may_scrape(client):
    assert client.get("/metrics", REMOTE_ADDR="10.1.4.2").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="s3cret-token-for-scrapes")
def test_with_a_token_only_the_bearer_of_it_may_scrape(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                      HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                      HTTP_AUTHORIZATION="Basic s3cret-token-for-scrapes").status_code == 403
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token-for-scrapes")
    assert response.status_code == 200


# -- content ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_status(client):
    labels = {"view": "healthz", "method": "GET", "status": "200"}
    before = REGISTRY.get_sample_value("smemarket_http_requests_total", labels) or 0
    client.get("/healthz")
    client.get("/healthz")
    assert REGISTRY.get_sample_value("smemarket_http_requests_total", labels) == before + 2
    unresolved = {"view": "unresolved", "method": "GET", "status": "404"}
    before_404 = REGISTRY.get_sample_value("smemarket_http_requests_total", unresolved) or 0
    client.get("/no-such-page/at/all/")
    assert REGISTRY.get_sample_value("smemarket_http_requests_total", unresolved) == before_404 + 1
    text = client.get("/metrics").content.decode()
    assert 'smemarket_http_request_duration_seconds_count{view="healthz"}' in text


@pytest.mark.django_db
def test_metrics_hold_the_outbox_dead_letters_orders_and_heartbeats(client):
    world = build_world()
    place_order(world)
    order_in(world, "accepted")
    Delivery.objects.all().delete()  # placing the orders notified their companies
    now = timezone.now()
    _delivery(1, status=DeliveryStatus.PENDING, due_at=now - timedelta(minutes=5))
    _delivery(2, status=DeliveryStatus.QUEUED, due_at=now - timedelta(minutes=1))
    _delivery(3, status=DeliveryStatus.QUEUED, due_at=now + timedelta(minutes=10))
    _delivery(4, status=DeliveryStatus.DEAD, due_at=now)
    _delivery(5, status=DeliveryStatus.SENT, due_at=now)
    heartbeat_record(WORKER, at=now - timedelta(seconds=20))
    heartbeat_record(queue_key("imports"), at=now - timedelta(seconds=40))
    samples = _samples(client.get("/metrics").content.decode())
    assert samples['smemarket_outbox_deliveries{state="open"}'] == 3
    assert samples['smemarket_outbox_deliveries{state="due"}'] == 2
    assert 300 <= samples["smemarket_outbox_oldest_due_age_seconds"] < 310
    assert samples["smemarket_outbox_dead_letters"] == 1
    assert samples['smemarket_orders{state="placed"}'] == 1
    assert samples['smemarket_orders{state="accepted"}'] == 1
    assert samples['smemarket_orders{state="completed"}'] == 0
    assert 20 <= samples['smemarket_heartbeat_age_seconds{source="worker"}'] < 30
    assert samples['smemarket_heartbeat_age_seconds{source="beat"}'] == -1
    assert 40 <= samples['smemarket_queue_heartbeat_age_seconds{queue="imports"}'] < 50
    assert samples['smemarket_queue_heartbeat_age_seconds{queue="notifications"}'] == -1
    assert samples['smemarket_metrics_collector_up{collector="orders.monitoring.order_metrics"}'] == 1
    # The filesystem or memory broker has no queue lengths to read: nothing, and no failure.
    assert not any(name.startswith("smemarket_celery_queue_length") for name in samples)
    assert samples['smemarket_metrics_collector_up{collector="core.metrics.queue_metrics"}'] == 1


def _scrape_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get("/metrics").status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_a_scrape_costs_the_same_queries_whatever_the_amount_of_data(client):
    empty = _scrape_queries(client)
    assert empty == 5  # heartbeats, kept tasks, open deliveries, dead letters, orders by state
    now = timezone.now()
    for n in range(30):
        _delivery(n, status=[DeliveryStatus.PENDING, DeliveryStatus.DEAD, DeliveryStatus.SENT][n % 3], due_at=now)
    heartbeat_record(WORKER, BEAT, "worker:celery@a", "worker:celery@b")
    world = build_world()
    for _ in range(3):
        place_order(world)
    assert _scrape_queries(client) == empty


@pytest.mark.django_db
def test_a_collector_whose_dependency_is_away_is_left_out(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = _samples(response.content.decode())
    assert samples['smemarket_metrics_collector_up{collector="core.metrics.queue_metrics"}'] == 0
    assert 'smemarket_orders{state="placed"}' in samples


def _local_redis() -> redis.Redis | None:
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


@pytest.mark.django_db
def test_queue_lengths_are_read_from_a_redis_broker(client, monkeypatch):
    broker = _local_redis()
    if broker is None:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    broker.flushdb()
    try:
        broker.lpush("celery", "a", "b", "c")
        broker.hset("unacked", mapping={"t1": "x", "t2": "y"})
        monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:6379/{REDIS_DB}")
        samples = _samples(client.get("/metrics").content.decode())
    finally:
        broker.flushdb()
        broker.close()
    assert samples['smemarket_celery_queue_length{queue="celery"}'] == 3
    assert samples["smemarket_celery_unacked_messages"] == 2



@pytest.mark.django_db
def test_kept_tasks_are_counted(client):
    from core.models import UnsentTask

    UnsentTask.objects.create(task="accounts.tasks.password_reset_email_send", args=[1])
    samples = _samples(client.get("/metrics").content.decode())

    assert samples["smemarket_unsent_tasks"] == 1
