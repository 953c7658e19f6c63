"""Prometheus metrics (prometheus-client): requests counted and timed by view, method and status as
they happen, and at scrape time what the database and the broker hold, read by the collectors named
in settings.METRICS_COLLECTORS (each a function returning metric families, with a fixed number of
queries whatever the amount of data).

Several gunicorn workers: set PROMETHEUS_MULTIPROC_DIR to an empty directory shared by them (and
cleared at start) so a scrape adds up the request metrics of all of them.

Who may scrape: with METRICS_TOKEN set, a request with `Authorization: Bearer <METRICS_TOKEN>`
(403 otherwise); without it, only clients from METRICS_ALLOWED_ADDRESSES (404 for others)."""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterable

from django.conf import settings
from django.utils.module_loading import import_string
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from .http import client_ip

logger = logging.getLogger(__name__)

PREFIX = "smemarket"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(f"{PREFIX}_http_requests", "Requests answered, by view, method and status.",
                   ["view", "method", "status"])
LATENCY = Histogram(f"{PREFIX}_http_request_duration_seconds", "Time to answer a request, by view.", ["view"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


def _view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"  # 404s and redirects before routing: one label, whatever the path
    return match.view_name or match._func_path


class MetricsMiddleware:
    """Counts and times every request by the view that answered it (a bounded set of labels)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_label(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        LATENCY.labels(view=view).observe(time.perf_counter() - started)
        return response


# ---------------------------------------------------------------------------------------------
# Scrape-time collectors


def heartbeat_metrics() -> Iterable[Metric]:
    """Seconds since a worker ran the heartbeat task and since beat sent it (-1: never), and since a
    worker ran the one beat sent through each queue."""
    from config import queues as task_queues

    from .health import BEAT, WORKER, heartbeat_ages, queue_key

    family = GaugeMetricFamily(f"{PREFIX}_heartbeat_age_seconds",
                               "Seconds since a worker ran the heartbeat task (worker) or beat sent it (beat); "
                               "-1 when never.", labels=["source"])
    per_queue = GaugeMetricFamily(f"{PREFIX}_queue_heartbeat_age_seconds",
                                  "Seconds since a worker ran the heartbeat beat sent through the queue; -1 when never.",
                                  labels=["queue"])
    keys = {queue_key(queue): queue for queue in task_queues.QUEUES}
    for key, age in heartbeat_ages(WORKER, BEAT, *keys).items():
        if key in keys:
            per_queue.add_metric([keys[key]], -1 if age is None else age)
        else:
            family.add_metric([key], -1 if age is None else age)
    return [family, per_queue]


def unsent_task_metrics() -> Iterable[Metric]:
    """Tasks requests could not queue while the broker was away, waiting for beat to send them again
    (core/queue.py), and the age of the oldest. One query."""
    from .queue import unsent_backlog

    count, oldest = unsent_backlog()
    return [GaugeMetricFamily(f"{PREFIX}_unsent_tasks", "Tasks kept because the broker was away when queued.",
                              value=count),
            GaugeMetricFamily(f"{PREFIX}_unsent_task_oldest_age_seconds",
                              "Seconds the oldest kept task has waited (0: none).", value=oldest)]


def _queue_names(app) -> list[str]:
    queues = app.conf.task_queues
    names = [queue.name for queue in queues] if queues else []
    return names or [app.conf.task_default_queue]


def queue_metrics() -> Iterable[Metric]:
    """Messages waiting in each Celery queue and delivered but not acknowledged, when the broker is
    Redis (nothing for other brokers)."""
    from celery import current_app

    url = current_app.conf.broker_url or ""
    if not url.startswith(("redis://", "rediss://")):
        return []
    import redis

    timeout = settings.HEALTH_CHECK_TIMEOUT_MS / 1000
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        names = _queue_names(current_app)
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(name)
            pipe.hlen("unacked")
            answers = pipe.execute()
    finally:
        client.close()
    waiting = GaugeMetricFamily(f"{PREFIX}_celery_queue_length", "Messages waiting in a Celery queue.",
                                labels=["queue"])
    for name, length in zip(names, answers[:-1], strict=True):
        waiting.add_metric([name], length)
    unacked = GaugeMetricFamily(f"{PREFIX}_celery_unacked_messages",
                                "Messages delivered to a worker and not yet acknowledged.", value=answers[-1])
    return [waiting, unacked]


class _ScrapeCollector:
    """Runs the configured collectors; one that fails (its dependency away) is left out and shown
    by smemarket_metrics_collector_up 0."""

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(f"{PREFIX}_metrics_collector_up", "1 when the collector answered this scrape.",
                               labels=["collector"])
        for path in settings.METRICS_COLLECTORS:
            try:
                families = list(import_string(path)())
            except Exception as exc:
                logger.warning("metrics collector %s failed: %s", path, type(exc).__name__)
                up.add_metric([path], 0)
                continue
            up.add_metric([path], 1)
            yield from families
        yield up


def render() -> bytes:
    """The metrics in Prometheus's text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process_registry = CollectorRegistry()
        MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    scrape_registry = CollectorRegistry(auto_describe=False)
    scrape_registry.register(_ScrapeCollector())
    return generate_latest(process_registry) + generate_latest(scrape_registry)


# ---------------------------------------------------------------------------------------------
# Access


def _address_allowed(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_ADDRESSES)


def scrape_access(request) -> int | None:
    """None when the request may read the metrics, else the status to answer (403 or 404)."""
    token = settings.METRICS_TOKEN
    if token:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return None
        return 403
    return None if _address_allowed(client_ip(request)) else 404
