"""Thin tasks: each takes ids, is safe to run twice and calls one service."""
from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from core.tasks import RETRY, TRANSIENT_ERRORS


@shared_task(**RETRY, soft_time_limit=10 * 60, time_limit=11 * 60)
def statement_process(statement_id: int) -> str | None:
    """Reconciles the entries of one uploaded statement. A statement already done is left alone;
    a run that reaches its time limit queues the next one, which skips the entries already written."""
    from . import services

    try:
        statement = services.statement_process(statement_id=statement_id)
    except SoftTimeLimitExceeded:
        statement_process.delay(statement_id)
        return None
    except TRANSIENT_ERRORS:
        raise  # transient: retried with backoff, carrying on where it stopped
    except Exception:
        services.statement_fail(statement_id=statement_id)
        raise
    return statement.status if statement is not None else None
