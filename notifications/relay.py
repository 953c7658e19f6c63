"""Carrying outbox rows to their recipients.

notify() writes its e-mail and webhook rows already queued and, once its transaction commits,
publishes one `delivery_send` task per row from the committing process (`deliveries_publish`):
no relay run stands between the commit and the worker. The rows the broker refuses go back to
pending, due at once.

`deliveries_relay` runs every few seconds from beat (and after a commit that made a row due again,
such as a replayed webhook). It locks the rows that are due (skipping rows another relay holds),
marks them queued and publishes one `delivery_send` task per row. A row whose message never led to
a send (the broker lost it, or the worker died) becomes due again after a while and is published
again, so nothing written to the outbox is lost while the broker is down.

`delivery_send` carries one row. Only the hand-over to the mail server or the webhook receiver is
outside a transaction, so it is bracketed by two commits:

1. claim the row with one UPDATE that matches it only while it may be claimed (not sent, cancelled
   or dead, not claimed recently by another worker): a new claim (status "sending", a fresh token,
   the time), committed at once;
2. send;
3. mark the row sent (one statement), or record the failure and when to try again.

A worker killed between 2 and 3 leaves a claim that grows stale; the relay publishes the row again
once the claim is older than the task's time limit, and the message is sent a second time. That,
and a crash of the database server itself within a moment of 1 or 3 (their commits do not wait for
the disk, `_quick_commit`), are the only ways a recipient can get a copy twice, and the copy carries
the same Message-ID (e-mail) or X-SME-Event-Id (webhook) as the first."""
from __future__ import annotations

import hashlib
import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from core.queue import publish as queue_publish
from core.queue import publishing_paused

from . import channels, events
from .models import OPEN_STATUSES, Channel, Delivery, DeliveryStatus
from .webhooks import retry_delay

logger = logging.getLogger(__name__)

RELAY_BATCH_SIZE = 500
# Set while a relay run is queued and has not started: commits in the meantime need no run of their
# own, the queued one will see their rows. Short-lived, so a lost run delays nobody for long.
NUDGE_TTL_SECONDS = 1
EMAIL_RETRY_BASE_SECONDS = 60
EMAIL_RETRY_MAX_SECONDS = 60 * 60
MAX_ERROR_LENGTH = 2000


def _requeue_after() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER_SECONDS)


def _stale_after() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_CLAIM_STALE_SECONDS)


def nudge_key() -> str:
    """One key per database and broker: a run queued elsewhere would not see these rows."""
    from .tasks import deliveries_relay

    database = f"{connection.settings_dict['HOST']}:{connection.settings_dict['NAME']}"
    place = f"{database}|{deliveries_relay.app.conf.broker_url}"
    return "notifications:relay-queued:" + hashlib.sha256(place.encode()).hexdigest()[:16]


def relay_soon() -> None:
    """Queues a relay run unless one is already waiting to start. Runs after a commit that wrote
    deliveries; beat runs the relay every few seconds whatever happens here, so a broker or a cache
    that is away costs this request at most their bounds (core/queue.py) and never an error."""
    from .tasks import deliveries_relay

    if publishing_paused():  # the broker failed a moment ago: beat's next run takes the rows
        return
    cache_works = True
    try:
        queued = cache.add(nudge_key(), True, timeout=NUDGE_TTL_SECONDS)
    except Exception:  # no cache: queue a run every time
        logger.warning("The cache is unavailable; queueing a relay run", exc_info=True)
        queued, cache_works = True, False
    if not queued:
        return
    if not queue_publish(deliveries_relay) and cache_works:
        _forget_nudge()


def _forget_nudge() -> None:
    try:
        cache.delete(nudge_key())
    except Exception:
        logger.warning("The cache is unavailable", exc_info=True)


def deliveries_relay(*, batch_size: int = RELAY_BATCH_SIZE, publish=None) -> int:
    """Publishes the deliveries that are due; returns how many were published.

    `publish(delivery_id)` defaults to queueing the `delivery_send` task. When the broker refuses
    a message, the rows not yet published go back to pending and wait for the next run."""
    if publish is None:
        from .tasks import delivery_send

        publish = delivery_send.delay
    _forget_nudge()  # commits from now on queue a run of their own
    now = timezone.now()
    with transaction.atomic():
        due = list(Delivery.objects.select_for_update(skip_locked=True)
                   .filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
                   .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:batch_size])
        if due:
            Delivery.objects.filter(pk__in=due).update(status=DeliveryStatus.QUEUED, queued_at=now,
                                                       next_attempt_at=now + _requeue_after())
    return deliveries_publish(due, queued_at=now, publish=publish)


def queued_fields(now) -> dict:
    """The fields of a row that is written as queued: its message is published once the transaction
    commits (`deliveries_publish`), and if that message is lost the relay publishes it again after
    NOTIFICATIONS_REQUEUE_AFTER_SECONDS."""
    return {"status": DeliveryStatus.QUEUED, "queued_at": now, "next_attempt_at": now + _requeue_after()}


def deliveries_publish(delivery_ids: list[int], *, queued_at, publish=None) -> int:
    """Publishes one `delivery_send` per row, rows that were marked queued at `queued_at`; returns how
    many were published. `publish(delivery_id)` returns False or raises when the broker refused the
    message (the default is core.queue.publish, bounded in time); the rows not yet published then go
    back to pending, due at once, and the relay's next run takes them."""
    if publish is None:
        from .tasks import delivery_send

        publish = partial(queue_publish, delivery_send)
    for index, delivery_id in enumerate(delivery_ids):
        try:
            published = publish(delivery_id) is not False
        except Exception:
            logger.exception("Could not queue notification delivery %s; %d deliveries wait for the next relay run",
                             delivery_id, len(delivery_ids) - index)
            published = False
        if not published:
            Delivery.objects.filter(pk__in=delivery_ids[index:], status=DeliveryStatus.QUEUED,
                                    queued_at=queued_at).update(status=DeliveryStatus.PENDING,
                                                                next_attempt_at=timezone.now())
            return index
    return len(delivery_ids)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    token: uuid.UUID


class MarkSentFailed(Exception):
    """The message went out but recording it failed; retry only the recording, with this claim."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(f"delivery {claim.delivery_id} was sent but could not be marked sent")
        self.claim = claim


@contextmanager
def _quick_commit():
    """A transaction whose commit does not wait for the disk on PostgreSQL (synchronous_commit off for
    this transaction only; on SQLite, WAL with synchronous=NORMAL does the same for every commit).

    Used for the claim and for the record of a send, which together cost two commits per message:
    waiting for the disk on each halved what two worker processes could send. What it risks is
    the last few hundred milliseconds of these records if the database server itself crashes (not
    this process: a commit that has left is kept): a lost claim or record makes the row due again,
    and it is sent a second time with the same Message-ID or X-SME-Event-Id, as after a worker
    killed mid-send. Other processes see the commit at once, so no double send follows from it.
    Inside a caller's transaction it changes nothing: that commit is the caller's."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _quick_update(queryset, **values) -> int:
    """`queryset.update(**values)` committed at once without waiting for the disk, as `_quick_commit`.

    On PostgreSQL, outside a caller's transaction, it is one statement and one round trip: the
    UPDATE joins a one-row subquery that sets synchronous_commit off for its own (implicit)
    transaction, instead of BEGIN, SET LOCAL, UPDATE and COMMIT, four round trips. The claim and the
    record of a send are most of what a worker does with the database for an e-mail."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        with _quick_commit():
            return queryset.update(**values)
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    statement, params = query.get_compiler(queryset.db).as_sql()
    head, where_clause, condition = statement.partition(" WHERE ")
    if not where_clause:
        raise ValueError("a quick update needs a filter")
    with connection.cursor() as cursor:
        cursor.execute(f"{head} FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick_commit "
                       f"WHERE {condition}", params)
        return cursor.rowcount


def _claim(delivery_id: int) -> tuple[Delivery | None, str]:
    """Claims the row with one UPDATE that matches it only while it may be claimed (the check and the
    act in one statement), committed at once; then reads what the send needs."""
    now = timezone.now()
    claimable = (Q(status__in=OPEN_STATUSES)
                 & ~Q(status=DeliveryStatus.SENDING, claimed_at__gt=now - _stale_after())
                 & ~Q(status=DeliveryStatus.PENDING, next_attempt_at__gt=now))
    # If this worker dies, the relay takes the row up again once the claim is stale.
    claimed = _quick_update(Delivery.objects.filter(claimable, pk=delivery_id),
                            status=DeliveryStatus.SENDING, claim_token=uuid.uuid4(), claimed_at=now,
                            attempts=F("attempts") + 1, next_attempt_at=now + _stale_after())
    if not claimed:
        return None, _why_not_claimed(delivery_id)
    # Nobody else changes a row with a fresh claim, except to mark it sent.
    return Delivery.objects.select_related("event", "recipient", "endpoint").get(pk=delivery_id), "claimed_now"


def _why_not_claimed(delivery_id: int) -> str:
    status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
    if status is None:
        return "missing"
    if status in (DeliveryStatus.SENT, DeliveryStatus.CANCELLED, DeliveryStatus.DEAD):
        return f"already_{status}"
    if status == DeliveryStatus.PENDING:
        return "not_due"
    return "claimed"  # by another worker, a moment ago or recently enough


def _mark_sent(delivery: Delivery) -> bool:
    """Records that the message went out. It is one UPDATE committed at once (without waiting for
    the disk, `_quick_commit`), so the gap between the hand-over and its record is as short as it
    can be: once the commit has left, the row is sent even if this process dies. A row another
    worker took over meanwhile is marked too: whoever holds it now must not send it again."""
    now = timezone.now()
    marked = _quick_update(Delivery.objects.filter(pk=delivery.pk).exclude(status=DeliveryStatus.SENT),
                           status=DeliveryStatus.SENT, sent_at=now, claim_token=None, last_error="")
    if marked and delivery.channel == Channel.EMAIL:
        event_type = events.EVENTS.get(delivery.event.name)
        if event_type is not None and event_type.on_email_sent is not None:
            event_type.on_email_sent(delivery.event.context, now)
    return bool(marked)


def _max_attempts(channel: str) -> int:
    if channel == Channel.WEBHOOK:
        return settings.WEBHOOK_MAX_ATTEMPTS
    return settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS


def _next_delay(channel: str, attempt: int) -> float:
    if channel == Channel.WEBHOOK:
        return retry_delay(attempt, base=settings.WEBHOOK_RETRY_BASE_SECONDS,
                           maximum=settings.WEBHOOK_RETRY_MAX_SECONDS)
    return retry_delay(attempt, base=EMAIL_RETRY_BASE_SECONDS, maximum=EMAIL_RETRY_MAX_SECONDS)


def _finish(claim: Claim, *, status: str | None, error: str, permanent: bool = False) -> str:
    """Records the end of a claimed attempt that sent nothing: cancelled, retried later or dead."""
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=claim.delivery_id).first()
        if delivery is None or delivery.claim_token != claim.token or delivery.status != DeliveryStatus.SENDING:
            return "superseded"
        delivery.claim_token = None
        delivery.last_error = error[:MAX_ERROR_LENGTH]
        if status == DeliveryStatus.CANCELLED:
            delivery.status = DeliveryStatus.CANCELLED
        elif permanent or delivery.attempts >= _max_attempts(delivery.channel):
            delivery.status = DeliveryStatus.DEAD
            delivery.failed_at = now
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + timedelta(seconds=_next_delay(delivery.channel, delivery.attempts))
        delivery.save(update_fields=["status", "claim_token", "last_error", "failed_at", "next_attempt_at"])
    if delivery.status == DeliveryStatus.DEAD:
        logger.warning("Delivery %s failed for good after %d attempts: %s", delivery.pk, delivery.attempts, error)
    return "retry" if delivery.status == DeliveryStatus.PENDING else delivery.status


def delivery_send(*, delivery_id: int, sent_claim: str | None = None) -> str:
    """Carries one delivery; safe to run any number of times. Returns what happened:
    "sent", "retry", "dead", "cancelled", or why nothing was done: "missing", "already_sent" (or
    already cancelled or dead), "claimed" by another worker, "not_due" yet.

    With `sent_claim` (the token of a claim whose message already went out) only the recording
    is retried."""
    if sent_claim is not None:
        delivery = Delivery.objects.select_related("event").filter(pk=delivery_id).first()
        if delivery is not None:
            _mark_sent(delivery)
        return DeliveryStatus.SENT
    delivery, outcome = _claim(delivery_id)
    if delivery is None:
        return outcome
    claim = Claim(delivery.pk, delivery.claim_token)
    try:
        channels.send(delivery)
    except events.DeliverySkipped as exc:
        return _finish(claim, status=DeliveryStatus.CANCELLED, error=str(exc))
    except channels.SendFailed as exc:
        return _finish(claim, status=None, error=str(exc), permanent=exc.permanent)
    except Exception as exc:
        logger.exception("Delivery %s failed", delivery.pk)
        return _finish(claim, status=None, error=f"{type(exc).__name__}: {exc}")
    try:
        _mark_sent(delivery)
    except Exception as exc:
        raise MarkSentFailed(claim) from exc
    return DeliveryStatus.SENT
