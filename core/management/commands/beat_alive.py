"""Exit 0 when Celery beat sent the heartbeat task within --max-age seconds, 1 otherwise:
docker-compose's beat healthcheck (README "Health, metrics and logs")."""
from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.health import BEAT, heartbeat_ages


class Command(BaseCommand):
    help = "Exit 0 when beat sent the heartbeat task recently, else 1."
    # A probe runs every few seconds: it reads one row, and skips the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=None,
                            help="Seconds (default: HEALTH_BEAT_MAX_AGE_SECONDS).")

    def handle(self, *args, max_age: int | None, **options):
        max_age = settings.HEALTH_BEAT_MAX_AGE_SECONDS if max_age is None else max_age
        if not 1 <= max_age <= 24 * 60 * 60:
            raise CommandError("--max-age must be between 1 and 86400 seconds.")
        age = heartbeat_ages(BEAT)[BEAT]
        if age is None or age > max_age:
            shown = "never" if age is None else f"{age:.0f}s ago"
            self.stderr.write(f"beat is not ticking: last heartbeat sent {shown} (limit {max_age}s)")
            raise SystemExit(1)
        self.stdout.write(f"beat alive: last heartbeat sent {age:.0f}s ago")
