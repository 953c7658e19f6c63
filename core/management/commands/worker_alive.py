"""Exit 0 when this machine's Celery worker consumes, 1 when it does not: docker-compose's worker
healthcheck and an orchestrator's liveness probe (README "Health, metrics and logs").

The worker is alive when it ran the heartbeat task within --max-age seconds. Each run also sends
the heartbeat to the worker's own queue (settings.CELERY_WORKER_DIRECT), so the next run learns
whether that very worker took it, however many workers share the other queues. A fresh worker
has no heartbeat yet: give the probe a start period longer than its interval."""
from __future__ import annotations

import socket

from celery.utils.nodenames import worker_direct
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.health import heartbeat_ages, worker_key
from core.tasks import heartbeat


class Command(BaseCommand):
    help = "Exit 0 when the worker ran the heartbeat task recently, else 1; sends it the next one."
    # A probe runs every few seconds: it reads one row, and skips the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--node", default=f"celery@{socket.gethostname()}",
                            help="The worker's node name (default: celery@<this host's name>, Celery's own default).")
        parser.add_argument("--max-age", type=int, default=None,
                            help="Seconds (default: HEALTH_WORKER_MAX_AGE_SECONDS).")
        parser.add_argument("--no-ping", action="store_true", help="Only read the last heartbeat; send none.")

    def handle(self, *args, node: str, max_age: int | None, no_ping: bool, **options):
        max_age = settings.HEALTH_WORKER_MAX_AGE_SECONDS if max_age is None else max_age
        if not 1 <= max_age <= 24 * 60 * 60:
            raise CommandError("--max-age must be between 1 and 86400 seconds.")
        age = heartbeat_ages(worker_key(node))[worker_key(node)]
        if not no_ping:
            try:
                heartbeat.apply_async(queue=worker_direct(node), expires=max_age)
            except Exception as exc:  # the broker being away is told by the age, not by a crash
                self.stderr.write(f"could not send the heartbeat to {node}: {type(exc).__name__}")
        if age is None or age > max_age:
            shown = "never" if age is None else f"{age:.0f}s ago"
            self.stderr.write(f"{node} is not consuming: last heartbeat {shown} (limit {max_age}s)")
            raise SystemExit(1)
        self.stdout.write(f"{node} alive: last heartbeat {age:.0f}s ago")
