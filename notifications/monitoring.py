"""What /readyz and the metrics read about the outbox: how many deliveries are due and how long the
oldest has waited, how many are open, how many are dead letters. Each read is one query on the
partial indexes of the open and the dead rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from core.health import CheckResult, probe, shown_age

from .models import OPEN_STATUSES, Delivery, DeliveryStatus


@dataclass(frozen=True)
class OutboxBacklog:
    due: int
    oldest_due_age_seconds: float


def outbox_backlog(*, now: datetime | None = None, count_limit: int | None = None) -> OutboxBacklog:
    """Deliveries due now (counted up to `count_limit`, when given) and the age of the oldest."""
    now = now or timezone.now()
    due = Delivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
    if count_limit is None:
        row = due.aggregate(count=Count("pk"), oldest=Min("next_attempt_at"))
        count, oldest = row["count"], row["oldest"]
    else:
        count = due.order_by()[:count_limit].count()
        oldest = due.aggregate(oldest=Min("next_attempt_at"))["oldest"] if count else None
    age = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return OutboxBacklog(due=count, oldest_due_age_seconds=age)


@probe("outbox")
def outbox_probe() -> list[CheckResult]:
    """Failing when more than HEALTH_OUTBOX_MAX_DUE deliveries are due, or the oldest due one has
    waited more than HEALTH_OUTBOX_MAX_AGE_SECONDS: the relay or the workers are not keeping up."""
    limit = settings.HEALTH_OUTBOX_MAX_DUE
    backlog = outbox_backlog(count_limit=limit + 1)
    ok = backlog.due <= limit and backlog.oldest_due_age_seconds <= settings.HEALTH_OUTBOX_MAX_AGE_SECONDS
    return [CheckResult("outbox", ok, {"due": backlog.due,
                                       "oldest_due_age_seconds": shown_age(backlog.oldest_due_age_seconds)})]


def outbox_metrics() -> list[GaugeMetricFamily]:
    """Open deliveries (all, and due now), the age of the oldest due one, and the dead letters."""
    now = timezone.now()
    due = Q(next_attempt_at__lte=now)
    row = Delivery.objects.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"), due=Count("pk", filter=due), oldest=Min("next_attempt_at", filter=due))
    dead = Delivery.objects.filter(status=DeliveryStatus.DEAD).count()
    backlog = GaugeMetricFamily("smemarket_outbox_deliveries",
                                "Open deliveries in the notifications outbox (due: waiting for the relay now).",
                                labels=["state"])
    backlog.add_metric(["open"], row["open"])
    backlog.add_metric(["due"], row["due"])
    oldest = max(0.0, (now - row["oldest"]).total_seconds()) if row["oldest"] else 0.0
    return [backlog,
            GaugeMetricFamily("smemarket_outbox_oldest_due_age_seconds",
                              "Seconds the oldest due delivery has waited (0: none due).", value=oldest),
            GaugeMetricFamily("smemarket_outbox_dead_letters", "Deliveries given up (dead letters).", value=dead)]
