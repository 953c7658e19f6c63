"""Moves the system takes when a party lets a deadline pass. A beat task runs the scan every few
minutes; each due order is moved through order_transition with the state it was found in, so an
order that another scan (or a person) moved meanwhile is skipped: every move happens once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import Conflict

from ..models import Order, OrderRole, OrderStatus
from .flow import order_transition

S = OrderStatus


@dataclass(frozen=True)
class TimedMove:
    name: str
    from_status: str
    to_status: str
    since: str  # the timestamp the deadline counts from
    after: timedelta
    reason: str
    only: dict | None = None  # further conditions on the orders it applies to (exact or __gt lookups)

    # The deadline rule, written once: the move is due once `after` has passed since `since`. The scan
    # asks due_filter, the order page and the dashboards ask deadline; both read these two lines.
    def deadline(self, order: Order) -> datetime | None:
        """When the system takes this move on `order` if nobody acts first; None when it does not apply."""
        start = getattr(order, self.since)
        if order.status != self.from_status or start is None or not self._conditions_hold(order):
            return None
        return start + self.after

    def due_filter(self, now: datetime) -> dict:
        """Lookups of the orders on which the move is due at `now` (their deadline has passed)."""
        return {"status": self.from_status, f"{self.since}__lt": now - self.after, **(self.only or {})}

    def _conditions_hold(self, order: Order) -> bool:
        for lookup, value in (self.only or {}).items():
            field, _sep, op = lookup.partition("__")
            if op not in ("", "gt"):
                raise ValueError(f"A timed move's condition may be exact or __gt, not {lookup}.")
            current = getattr(order, field)
            if not (current > value if op == "gt" else current == value):
                return False
        return True


def timed_moves() -> list[TimedMove]:
    return [
        TimedMove("accept_timeout", S.PLACED, S.REFUSED, "placed_at",
                  timedelta(hours=settings.ORDER_ACCEPT_TIMEOUT_HOURS),
                  _("The seller did not accept the order within %(hours)d hours.")
                  % {"hours": settings.ORDER_ACCEPT_TIMEOUT_HOURS}),
        TimedMove("payment_timeout", S.ACCEPTED, S.CANCELLED, "accepted_at",
                  timedelta(days=settings.ORDER_PAYMENT_TIMEOUT_DAYS),
                  _("No payment was recorded within %(days)d days of acceptance.")
                  % {"days": settings.ORDER_PAYMENT_TIMEOUT_DAYS},
                  # Under terms with nothing due before shipment the seller ships without waiting; an
                  # order paid in part is the seller's to decide on, never cancelled by the clock.
                  only={"due_before_shipment__gt": 0, "amount_paid": 0}),
        TimedMove("delivery_confirm", S.SHIPPED, S.DELIVERED, "shipped_at",
                  timedelta(days=settings.ORDER_DELIVERY_CONFIRM_DAYS),
                  _("Delivery is taken as confirmed %(days)d days after shipping.")
                  % {"days": settings.ORDER_DELIVERY_CONFIRM_DAYS}),
        TimedMove("dispute_window", S.DELIVERED, S.COMPLETED, "delivered_at",
                  timedelta(days=settings.ORDER_DISPUTE_WINDOW_DAYS),
                  _("No dispute was opened within %(days)d days of delivery.")
                  % {"days": settings.ORDER_DISPUTE_WINDOW_DAYS}),
        TimedMove("resolution_close", S.RESOLVED, S.COMPLETED, "resolved_at",
                  timedelta(days=settings.ORDER_RESOLVED_COMPLETE_DAYS),
                  _("The order closes %(days)d days after its dispute was resolved.")
                  % {"days": settings.ORDER_RESOLVED_COMPLETE_DAYS}),
    ]


def timed_move_of(order: Order) -> tuple[TimedMove, datetime] | None:
    """The move the system will take on `order` if nobody acts, with its deadline; None when no clock runs."""
    for rule in timed_moves():
        deadline = rule.deadline(order)
        if deadline is not None:
            return rule, deadline
    return None


def order_timed_moves_run(*, now: datetime | None = None, batch_size: int | None = None) -> dict[str, int]:
    """Takes every timed move that is due, oldest first. Returns how many orders each rule moved and,
    under "skipped", how many due orders had been moved by someone else in the meantime."""
    now = now or timezone.now()
    batch_size = batch_size or settings.ORDER_TIMED_MOVES_BATCH_SIZE
    counts = {"skipped": 0}
    for rule in timed_moves():
        due = (Order.objects.filter(**rule.due_filter(now))
               .order_by(rule.since, "pk").values_list("pk", flat=True)[:batch_size])
        moved = 0
        for order_id in list(due):
            try:
                order_transition(order_id=order_id, actor=None, role=OrderRole.SYSTEM, to_status=rule.to_status,
                                 reason=rule.reason, payload={}, from_status=rule.from_status)
            except (Conflict, Http404):
                counts["skipped"] += 1
                continue
            moved += 1
        counts[rule.name] = moved
    return counts
