"""Thin tasks over notifications/relay.py. Both take ids only and are safe to run twice."""
from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from core.tasks import retry_policy

from . import relay

TIME_LIMIT = settings.NOTIFICATIONS_TASK_TIME_LIMIT_SECONDS
SOFT_TIME_LIMIT = max(TIME_LIMIT - 10, TIME_LIMIT * 4 // 5)
# The database going away is transient; failures of the mail server or of a webhook receiver are
# recorded on the delivery and retried by the relay, never by a long countdown here.
TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True,
             **retry_policy(*TRANSIENT, backoff=2, backoff_max=60), time_limit=TIME_LIMIT,
             soft_time_limit=SOFT_TIME_LIMIT)
def delivery_send(self, delivery_id: int, sent_claim: str | None = None) -> str:
    try:
        return relay.delivery_send(delivery_id=delivery_id, sent_claim=sent_claim)
    except relay.MarkSentFailed as exc:
        # The message went out: retry only recording that, so it is not sent again.
        raise self.retry(kwargs={"delivery_id": delivery_id, "sent_claim": str(exc.claim.token)}, exc=exc,
                         countdown=min(60, 2 ** self.request.retries)) from exc


@shared_task(acks_late=True, time_limit=TIME_LIMIT, soft_time_limit=SOFT_TIME_LIMIT)
def deliveries_relay() -> int:
    return relay.deliveries_relay()
