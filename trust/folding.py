"""Folding an order's events into its OrderRecord, one event at a time in event-pk order.

The same function serves the update after each event and the nightly rebuild from the whole log,
so both give the same record. An event whose pk is not above the record's `last_event_id` was
folded in already and is skipped.

- placed: the lead time is the placed event's payload "lead_time_days" (the longest of the lines'
  listings, or the quote's lead time for an order from a request for quotation); events written
  before it was recorded fall back to the longest lead time of the order's listings as they are now.
- placed -> accepted by the seller: answered "accepted", hours from placing to the acceptance; the
  ship-by clock starts.
- placed -> refused: by the seller "refused", by the system (no answer in time) "timed_out".
- placed -> cancelled by the buyer: "withdrawn" (before the seller answered; not counted as answered).
- accepted -> paid: the ship-by clock starts again at the payment.
- accepted/paid -> cancelled: by whom (buyer, seller, or system for an order not paid in time).
- -> shipped, -> delivered, -> disputed, -> resolved (a refund above zero counts as refunded), ->
  completed: stamped as they come.
The ship-by deadline is the clock's start plus the lead time in days.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.db.models import QuerySet
from django.db.models.fields.json import KT

from orders.models import OrderRole as R
from orders.models import OrderStatus as S

from .models import Answer, CancelledBy, OrderRecord

EVENT_FIELDS = ("pk", "order_id", "role", "from_status", "to_status", "lead", "refund", "created_at")


class Event(NamedTuple):
    pk: int
    order_id: int
    role: str
    from_status: str
    to_status: str
    lead: Any  # the payload's "lead_time_days" as the database reads it out of the JSON (or None)
    refund: Any  # the payload's "refund_amount", likewise
    created_at: datetime


def event_rows(events: QuerySet) -> Iterable[Event]:
    """The events of the queryset as Event tuples; of the payload only the two keys folding reads are
    taken out, in the database, so the rebuild does not decode every payload."""
    rows = events.annotate(lead=KT("payload__lead_time_days"), refund=KT("payload__refund_amount"))
    return (Event(*row) for row in rows.values_list(*EVENT_FIELDS).iterator(chunk_size=5000))


def _lead_time(value: Any) -> int | None:
    text = "" if value is None or isinstance(value, bool) else str(value)
    return min(int(text), 32767) if text.isdigit() else None


def _refund(value: Any) -> bool:
    if value in (None, ""):
        return False
    try:
        return Decimal(str(value)) > 0
    except (InvalidOperation, ValueError):
        return False


def fold(record: OrderRecord, event: Event) -> bool:
    """Folds one event into `record` (unsaved); False when it was folded in before."""
    if event.pk <= record.last_event_id:
        return False
    record.last_event_id = event.pk
    to, role, at = event.to_status, event.role, event.created_at
    if to == S.PLACED:
        record.lead_time_days = _lead_time(event.lead)
    elif to == S.ACCEPTED:
        record.answer = Answer.ACCEPTED
        record.hours_to_accept = round(max((at - record.placed_at).total_seconds(), 0) / 3600, 4)
        record.clock_started_at = at
    elif to == S.REFUSED:
        record.answer = Answer.TIMED_OUT if role == R.SYSTEM else Answer.REFUSED
    elif to == S.CANCELLED:
        if event.from_status == S.PLACED:
            record.answer = Answer.WITHDRAWN
        else:
            record.cancelled_by = {R.BUYER: CancelledBy.BUYER, R.SELLER: CancelledBy.SELLER}.get(
                role, CancelledBy.SYSTEM)
    elif to == S.PAID:
        record.clock_started_at = at
    elif to == S.SHIPPED:
        record.shipped_at = at
    elif to == S.DELIVERED:
        record.delivered = True
    elif to == S.DISPUTED:
        record.disputed = True
    elif to == S.RESOLVED:
        record.resolved = True
        record.refunded = _refund(event.refund)
    elif to == S.COMPLETED:
        record.completed = True
    return True


def fold_all(record: OrderRecord, events: Iterable[Event]) -> bool:
    changed = False
    for event in sorted(events, key=lambda e: e.pk):
        changed = fold(record, event) or changed
    return changed


def ship_by(record: OrderRecord) -> datetime | None:
    if record.clock_started_at is None or record.lead_time_days is None:
        return None
    return record.clock_started_at + timedelta(days=record.lead_time_days)
