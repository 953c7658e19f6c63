"""Thin tasks of the orders app: each takes ids or nothing, is safe to run twice and has time limits."""
from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from core.emails import email_send

RETRY = {"autoretry_for": (ConnectionError, TimeoutError, OSError), "retry_backoff": True,
         "retry_backoff_max": 600, "retry_jitter": True, "max_retries": 8}
LIMITS = {"soft_time_limit": 60, "time_limit": 90}


def _recipients(event):
    """Active members of the other party: the seller's for the buyer's moves, the buyer's for the
    seller's, both companies' for moves of a moderator or the system."""
    from accounts.models import User

    from .models import OrderRole

    order = event.order
    if event.role == OrderRole.BUYER:
        companies = [order.seller_id]
    elif event.role == OrderRole.SELLER:
        companies = [order.buyer_id]
    else:
        companies = [order.buyer_id, order.seller_id]
    return list(User.objects.filter(memberships__company_id__in=companies, is_active=True).distinct().order_by("pk"))


@shared_task(**RETRY, **LIMITS)
def order_event_notify(event_id: int) -> bool:
    """E-mails the other party about one order event, once: the event row is locked while the
    messages go out and `sent_at` is set in the same transaction, so a second run finds it set."""
    from .models import OrderEvent

    with transaction.atomic():
        event = (OrderEvent.objects.select_for_update(of=("self",))
                 .select_related("order", "order__buyer", "order__seller").filter(pk=event_id).first())
        if event is None or event.sent_at is not None:
            return False
        order = event.order
        for user in _recipients(event):
            email_send(template="orders/email/order_event", to=[user.email], language=user.preferred_language,
                       context={"user": user, "order": order, "event": event, "buyer": order.buyer,
                                "seller": order.seller})
        event.sent_at = timezone.now()
        event.save(update_fields=["sent_at"])
    return True


@shared_task(**LIMITS)
def order_timed_moves_run() -> dict[str, int]:
    from .services import order_timed_moves_run as run

    return run()
