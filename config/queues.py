"""The Celery queues, one per kind of work, and which task goes to which.

Routing is by task name here (settings.CELERY_TASK_ROUTES), never at the call sites, so a slow
import or a nightly recompute cannot hold up a notification or an order's timed move: each queue
has its own worker in docker-compose.yml, and `make run` (scripts/run_all.py) starts one worker
that consumes all of them. A task no pattern names goes to the default queue.

Plain data, importable without Django: the settings, scripts/run_all.py and the tests read it."""
from __future__ import annotations

DEFAULT = "celery"  # Celery's own default name: housekeeping, FX rates, the heartbeat
NOTIFICATIONS = "notifications"  # e-mail, webhooks, the outbox relay
IMPORTS = "imports"  # listing imports and bank statements: long, untrusted input
TIMED = "timed"  # time-based moves: orders, requests for quotation, instalments, verifications
SEARCH = "search"  # search documents, EUR prices and seller metrics

QUEUES: tuple[str, ...] = (DEFAULT, NOTIFICATIONS, IMPORTS, TIMED, SEARCH)

# Task name (glob patterns allowed, first match wins) -> queue.
ROUTES: dict[str, str] = {
    "notifications.tasks.*": NOTIFICATIONS,
    "accounts.tasks.password_reset_email_send": NOTIFICATIONS,
    "accounts.tasks.email_verification_send": NOTIFICATIONS,
    "marketplace.tasks.listing_import_*": IMPORTS,
    "statements.tasks.*": IMPORTS,
    "orders.tasks.*": TIMED,
    "accounts.tasks.verification_expiry_run": TIMED,
    "marketplace.tasks.search_*": SEARCH,
    "marketplace.tasks.listing_price_eur_refresh": SEARCH,
    "trust.tasks.*": SEARCH,
}


def celery_task_routes() -> dict[str, dict[str, str]]:
    """ROUTES in the shape of Celery's task_routes setting."""
    return {pattern: {"queue": queue} for pattern, queue in ROUTES.items()}


def heartbeat_schedule(interval: int) -> dict[str, dict]:
    """Beat's entries sending the heartbeat task (core.tasks.heartbeat) through every queue each
    `interval` seconds, so that /readyz learns of each queue whether a worker consumes it."""
    return {
        ("core-heartbeat" if queue == DEFAULT else f"core-heartbeat-{queue}"): {
            "task": "core.heartbeat",
            "schedule": interval,
            "kwargs": {"source": "beat", "queue": queue},
            "options": {"expires": interval, "queue": queue},
        }
        for queue in QUEUES
    }
